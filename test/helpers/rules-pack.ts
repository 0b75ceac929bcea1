/** Pack messages as a BMS node sends them, for the bms-rules node tests. */
import type { PackState } from '../../src/core/pack-state';

/** A jk-pb pack at 60 % SOC, no current, both switches on, no alarms; voltage is the sum of the cells. */
export function rulesPack(id: string, cells: number[], temperatures: number[]): PackState {
  return {
    kind: 'pack',
    id,
    protocol: 'jk-pb',
    time: Date.now(),
    voltage: cells.reduce((a, b) => a + b, 0),
    current: 0,
    soc: 60,
    cells,
    temperatures,
    chargeAllowed: true,
    dischargeAllowed: true,
    alarms: {},
  };
}

/** The cells with up to `spreadV` random added to cell 0, so repeated messages are never identical. */
export function jitteredCells(spreadV = 0.002, cells: number[] = Array(16).fill(3.3)): number[] {
  return cells.map((volts, k) => (k === 0 ? volts + Math.random() * spreadV : volts));
}
