/**
 * Synthetic pack states for the rules benchmark and fault checks: 16S LFP packs whose cells move a
 * little every sample (a pack whose data never changes would rightly be flagged frozen).
 */
import type { PackState } from '../../src/core/pack-state';

export function syntheticPack(id: string, index: number, time: number, cells = 16): PackState {
  const phase = time / 10_000 + index;
  const current = 20 * Math.sin(phase);
  const base = 3.3 + 0.01 * Math.sin(phase / 7);
  const cellV = Array.from(
    { length: cells },
    (_, k) => Math.round((base + ((k % 4) - 1.5) * 0.002 + current * 0.0003) * 1000) / 1000,
  );
  return {
    kind: 'pack',
    id,
    protocol: 'jk-pb',
    address: index + 1,
    time,
    voltage: Math.round(cellV.reduce((a, b) => a + b, 0) * 100) / 100,
    current: Math.round(current * 100) / 100,
    soc: 60,
    soh: 100,
    cells: cellV,
    temperatures: [25, 25.5],
    mosTemperature: 30,
    remainingAh: 168,
    fullAh: 280,
    cycles: 10,
    chargeAllowed: true,
    dischargeAllowed: true,
    balancing: false,
    alarms: {},
  };
}
