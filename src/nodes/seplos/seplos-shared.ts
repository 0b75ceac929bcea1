/**
 * What Seplos V2 (ASCII) and V3 (Modbus) have in common: the 0.1 K temperature encoding, the ranges a
 * real pack reports, the cell-voltage and cell-temperature status bits (V2 alarm events 2 and 3, V3 PIC
 * bytes 9 and 10 carry the same bits), and the pack context of a mapping (docs/protocols/seplos.md).
 */
import type { AlarmLevel } from '../../core/pack-state';
import type { BitMeaning } from './alarm-bits';

/** 0.1 K → °C with the vendor offset 2731, rounded to 0.1 °C. */
export const kelvin10ToC = (raw: number): number => Math.round(raw - 2731) / 10;

/** Readings a real pack can report; anything beyond is a corrupt or foreign frame. */
export const CELL_MV_MAX = 5000;
const TEMP_C_MIN = -50;
const TEMP_C_MAX = 150;

export const temperatureInRange = (celsius: number): boolean => celsius >= TEMP_C_MIN && celsius <= TEMP_C_MAX;

/** Why a cell list cannot be real (the first cell above CELL_MV_MAX), or undefined. */
export function cellVoltageProblem(cellsMv: number[]): string | undefined {
  const bad = cellsMv.findIndex((mv) => mv > CELL_MV_MAX);
  return bad < 0 ? undefined : `cell ${bad + 1} voltage ${cellsMv[bad]} mV out of range`;
}

/** Printable ASCII of a text field: other bytes dropped, padding trimmed. */
export const printableText = (bytes: Buffer): string =>
  bytes
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '')
    .trim();

/** Cell (or sensor) numbers, from 1, of the set bits among the first `count` bits of a bitmap. */
export function bitList(bitmap: number, count = 16): number[] {
  const out: number[] = [];
  for (let k = 0; k < count; k++) if (bitmap & (1 << k)) out.push(k + 1);
  return out;
}

/** Where a PackState comes from: the node's pack id, the bus address and the answer's time. */
export interface PackContext {
  id: string;
  address: number;
  time: number;
}

const W: AlarmLevel = 'warn';
const A: AlarmLevel = 'alarm';

/** Cell and pack voltage bits (V2 alarm event 2, V3 PIC byte 9). */
export const VOLTAGE_BITS: BitMeaning[] = [
  { flag: 'cellHighVoltageWarning', alarm: ['cellOverVoltage', W] },
  { flag: 'cellOverVoltageProtection', alarm: ['cellOverVoltage', A], blocks: 'charge' },
  { flag: 'cellLowVoltageWarning', alarm: ['cellUnderVoltage', W] },
  { flag: 'cellUnderVoltageProtection', alarm: ['cellUnderVoltage', A], blocks: 'discharge' },
  { flag: 'packHighVoltageWarning', alarm: ['packOverVoltage', W] },
  { flag: 'packOverVoltageProtection', alarm: ['packOverVoltage', A], blocks: 'charge' },
  { flag: 'packLowVoltageWarning', alarm: ['packUnderVoltage', W] },
  { flag: 'packUnderVoltageProtection', alarm: ['packUnderVoltage', A], blocks: 'discharge' },
];

/** Cell temperature bits (V2 alarm event 3, V3 PIC byte 10). */
export const CELL_TEMPERATURE_BITS: BitMeaning[] = [
  { flag: 'chargeHighTemperatureWarning', alarm: ['chargeOverTemperature', W] },
  { flag: 'chargeOverTemperatureProtection', alarm: ['chargeOverTemperature', A], blocks: 'charge' },
  { flag: 'chargeLowTemperatureWarning', alarm: ['chargeUnderTemperature', W] },
  { flag: 'chargeUnderTemperatureProtection', alarm: ['chargeUnderTemperature', A], blocks: 'charge' },
  { flag: 'dischargeHighTemperatureWarning', alarm: ['dischargeOverTemperature', W] },
  { flag: 'dischargeOverTemperatureProtection', alarm: ['dischargeOverTemperature', A], blocks: 'discharge' },
  { flag: 'dischargeLowTemperatureWarning', alarm: ['dischargeUnderTemperature', W] },
  { flag: 'dischargeUnderTemperatureProtection', alarm: ['dischargeUnderTemperature', A], blocks: 'discharge' },
];
