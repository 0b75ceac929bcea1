/**
 * How a 123\SmartBMS switches its CHARGE and LOAD relays, from the gen2 and gen3 manuals (seeds
 * 002/004, "Charge and discharge/load relay"; spec §7, bms-rules.md §D14). A relay switches off as
 * soon as ANY of its disable conditions holds and on again only when ALL of its enable conditions
 * hold; in between it keeps its state. Used by the simulator to behave like the device.
 */
export type RelayMode = 'normal' | 'critical';

export interface RelaySettings {
  vMin: number;
  vMax: number;
  /** V-balance (gen3) / V-bypass (gen2). */
  vBalance: number;
  tMin: number;
  tMax: number;
  /** SoC % below which the charge relay may close again (normal mode only). */
  chargeRestartSoc: number;
  /** SoC % at or above which the load relay may close again (normal mode only). */
  dischargeRestartSoc: number;
}

export interface RelayInputs {
  cells: number[];
  temperatures: number[];
  soc: number;
  cellCommunication: boolean;
}

export interface RelayState { charge: boolean; load: boolean }

export function nextRelays(prev: RelayState, x: RelayInputs, s: RelaySettings, mode: RelayMode): RelayState {
  const anyCell = (p: (v: number) => boolean): boolean => x.cells.some(p);
  const allCells = (p: (v: number) => boolean): boolean => x.cells.every(p);
  const tempsOut = x.temperatures.some((t) => t < s.tMin || t > s.tMax);
  const tempsIn = x.temperatures.every((t) => t > s.tMin && t < s.tMax);
  const normal = mode === 'normal';

  const chargeOff = !x.cellCommunication || tempsOut || anyCell((v) => v >= s.vMax)
    || (normal && allCells((v) => v >= s.vBalance));
  const chargeOn = x.cellCommunication && tempsIn && (normal
    ? allCells((v) => v < s.vBalance) && x.soc < s.chargeRestartSoc
    : allCells((v) => v < s.vMax));

  const loadOff = !x.cellCommunication || tempsOut || anyCell((v) => v <= s.vMin);
  const loadOn = x.cellCommunication && tempsIn && allCells((v) => v > s.vMin)
    && (!normal || x.soc >= s.dischargeRestartSoc);

  return {
    charge: chargeOff ? false : chargeOn ? true : prev.charge,
    load: loadOff ? false : loadOn ? true : prev.load,
  };
}

/** SoC is set to 100 % here (seed "SOC calculation"): every cell at V-balance, or in critical mode the average. */
export function fullSync(cells: number[], s: RelaySettings, mode: RelayMode): boolean {
  if (mode === 'critical') return cells.reduce((a, v) => a + v, 0) >= s.vBalance * cells.length;
  return cells.every((v) => v >= s.vBalance);
}
