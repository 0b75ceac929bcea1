/**
 * Open-circuit (rest) voltage of one cell from its state of charge, per chemistry. The LiFePO4 curve
 * is a measured rest-voltage curve: steep below 10 %, almost flat (about 0.5 mV per %) from 30 to
 * 90 %, then the knee above 95 % where a full cell climbs towards 3.6 V. The points beyond 0 and
 * 100 % are guards: an over-charged cell keeps rising and an over-discharged one keeps falling, so a
 * BMS's cut-offs are always reached. Every table strictly increases.
 */
import type { Chemistry } from './chemistry';

/** The chemistries the simulation has an open-circuit voltage curve for. */
export type ModelledChemistry = Exclude<Chemistry, 'li-ion'>;

/** SoC (%) → cell OCV (V) breakpoints, SoC strictly increasing. */
export const OCV_CURVES: Record<ModelledChemistry, ReadonlyArray<readonly [number, number]>> = {
  lifepo4: [
    [-1, 2.0],
    [0, 2.833],
    [5, 3.132],
    [10, 3.177],
    [15, 3.19],
    [20, 3.213],
    [25, 3.226],
    [30, 3.24],
    [35, 3.252],
    [40, 3.262],
    [45, 3.264],
    [50, 3.265],
    [55, 3.268],
    [60, 3.271],
    [65, 3.275],
    [70, 3.283],
    [75, 3.296],
    [80, 3.304],
    [85, 3.308],
    [90, 3.309],
    [95, 3.314],
    [97.3, 3.331],
    [100, 3.59],
    [100.5, 3.8],
  ],
  nmc: [
    [-1, 2.5],
    [0, 3.0],
    [10, 3.45],
    [30, 3.65],
    [50, 3.75],
    [70, 3.9],
    [90, 4.05],
    [100, 4.15],
    [100.5, 4.3],
  ],
  lto: [
    [-1, 1.4],
    [0, 1.8],
    [10, 2.1],
    [50, 2.3],
    [90, 2.5],
    [100, 2.65],
    [100.5, 2.9],
  ],
};

/** Piecewise-linear lookup; outside the table the end value holds, so any finite input gives a finite voltage. */
export function interpolate(table: ReadonlyArray<readonly [number, number]>, x: number): number {
  if (!(x > table[0][0])) return table[0][1]; // also catches NaN
  for (let i = 1; i < table.length; i++) {
    const [x1, y1] = table[i];
    if (x <= x1) {
      const [x0, y0] = table[i - 1];
      return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
  }
  return table[table.length - 1][1];
}

export function openCircuitVoltage(chemistry: ModelledChemistry, socPct: number): number {
  return interpolate(OCV_CURVES[chemistry], socPct);
}
