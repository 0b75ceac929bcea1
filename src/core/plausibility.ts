/**
 * The plausibility gate every BMS decoder applies before a PackState leaves it: a frame can pass its
 * checksum and still decode to physical nonsense (a wrong layout, a foreign frame, a firmware bug).
 * Such a frame is rejected with the reason returned here and counted like a checksum error.
 * Pure: no Node-RED, no clock. The windows are chemistry-independent on purpose: they catch
 * nonsense, while judging a real but alarming value is the job of the BMS alarms and bms-rules.
 */
import type { PackState } from './pack-state';
import { type Result, fail, ok } from './result';

/** The most cells in series any supported BMS reports in one pack (JK: 32-bit cell mask). */
export const MAX_CELLS = 32;
/**
 * Cell voltage window. No battery chemistry in use stays above 5.0 V (Li-ion tops out near 4.45 V)
 * and none operates below 0.5 V (NiMH ends near 0.9 V, LTO and sodium-ion near 1.5 V): outside it, the
 * number is a decoding error or a broken sense lead, never a cell.
 */
export const CELL_VOLTAGE_MIN = 0.5;
export const CELL_VOLTAGE_MAX = 5.0;
/**
 * Pack voltage against the sum of its cells: 1 V plus 5 % of the sum. The fixed part covers ADC
 * offsets summed over up to 32 cells and the drop across FETs, shunt and sense leads (a few hundred
 * mV at full current, more while a balancer drives current through the leads); the 5 % covers the
 * sampling skew between the cell scan and the pack reading while the current steps, which moves every
 * cell by its internal resistance times the step. A wrong layout or field is off by far more.
 */
export const PACK_VOLTAGE_TOLERANCE_V = 1;
export const PACK_VOLTAGE_TOLERANCE_SHARE = 0.05;
/**
 * |current| ceiling when the capacity is unknown: 2000 A is well above what the shunts of these BMSes
 * measure (the largest are rated 600 A and trip short-circuit protection long before 2000 A).
 */
export const CURRENT_CEILING_A = 2000;
/** With a known capacity: 20 C, beyond even LTO power cells (10 C continuous, 20 C pulses). */
export const CURRENT_MAX_C_RATE = 20;
/** ... but never below the common 200 A BMS rating, so a capacity set far too small in the BMS cannot cut a pack off. */
export const CURRENT_FLOOR_A = 200;
/** Temperature window of the sensors (NTCs and MOSFET sensors are specified −40…125 °C). */
export const TEMPERATURE_MIN_C = -40;
export const TEMPERATURE_MAX_C = 125;

export interface PlausibilityOptions {
  /** The cell count the frame itself states (cell mask, count byte or field): 1–32 and equal to `cells`. */
  frameCellCount?: number;
  /** The message carries no cell voltages by design (e.g. a record of extremes only): `cells` must be empty. */
  noCells?: boolean;
  /** Cell voltages the frame states outside `cells` (lowest/highest cell, a rotating cell record). */
  statedCellVoltages?: number[];
  /** Temperatures the frame states outside the PackState's temperature fields. */
  statedTemperatures?: number[];
}

const inRange = (v: number, min: number, max: number): boolean => v >= min && v <= max;
const fixed = (v: number, digits = 3): string => String(Number(v.toFixed(digits)));

function checkCells(pack: PackState, o: PlausibilityOptions): string | null {
  const count = pack.cells.length;
  const stated = o.frameCellCount;
  if (stated !== undefined && !inRange(stated, 1, MAX_CELLS))
    return `the frame states ${stated} cells (1–${MAX_CELLS} possible)`;
  if (o.noCells) return count === 0 ? null : `${count} cell voltages in a message that carries none`;
  if (!inRange(count, 1, MAX_CELLS)) return `${count} cell voltages (1–${MAX_CELLS} possible)`;
  if (stated !== undefined && count !== stated) return `${count} cell voltages but the frame states ${stated} cells`;
  return null;
}

function checkCellVoltages(values: number[], what: string): string | null {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!inRange(v, CELL_VOLTAGE_MIN, CELL_VOLTAGE_MAX))
      return `${what} ${i + 1} at ${fixed(v)} V is outside ${CELL_VOLTAGE_MIN}–${CELL_VOLTAGE_MAX} V`;
  }
  return null;
}

/** Pack voltage against the cell sum, or against the window of the stated cell count when no cells are carried. */
function checkPackVoltage(pack: PackState, o: PlausibilityOptions): string | null {
  const v = pack.voltage;
  if (pack.cells.length > 0) {
    let sum = 0;
    for (const c of pack.cells) sum += c;
    const tolerance = PACK_VOLTAGE_TOLERANCE_V + PACK_VOLTAGE_TOLERANCE_SHARE * sum;
    if (inRange(v, sum - tolerance, sum + tolerance)) return null;
    return `pack voltage ${fixed(v)} V does not match the cell sum ${fixed(sum)} V (±${fixed(tolerance, 2)} V)`;
  }
  // The low end needs no tolerance: it is already far below any real cell.
  const count = o.frameCellCount;
  const min = CELL_VOLTAGE_MIN * (count ?? 1);
  const max = CELL_VOLTAGE_MAX * (count ?? MAX_CELLS) + PACK_VOLTAGE_TOLERANCE_V;
  const cells = count === undefined ? `1–${MAX_CELLS}` : String(count);
  if (inRange(v, min, max)) return null;
  return `pack voltage ${fixed(v)} V is impossible for ${cells} cells`;
}

/** The largest |current| this pack can carry: 20 C of its capacity (at least 200 A), at most 2000 A. */
export function currentBound(pack: PackState): number {
  const capacity = Math.max(pack.fullAh ?? 0, pack.designAh ?? 0);
  if (!(capacity > 0)) return CURRENT_CEILING_A;
  return Math.min(CURRENT_CEILING_A, Math.max(CURRENT_FLOOR_A, CURRENT_MAX_C_RATE * capacity));
}

function checkCurrent(pack: PackState): string | null {
  const bound = currentBound(pack);
  if (inRange(pack.current, -bound, bound)) return null;
  return `current ${fixed(pack.current)} A is beyond ±${fixed(bound, 0)} A for this pack`;
}

function checkTemperature(v: number | undefined, name: string): string | null {
  if (v === undefined || inRange(v, TEMPERATURE_MIN_C, TEMPERATURE_MAX_C)) return null;
  return `${name} ${fixed(v, 1)} °C is outside ${TEMPERATURE_MIN_C}…${TEMPERATURE_MAX_C} °C`;
}

function checkTemperatureList(values: number[] | undefined, name: string): string | null {
  if (!values) return null;
  for (let i = 0; i < values.length; i++) {
    const reason = checkTemperature(values[i], `${name} ${i + 1}`);
    if (reason) return reason;
  }
  return null;
}

function checkPercent(v: number | undefined, name: string): string | null {
  return v === undefined || inRange(v, 0, 100) ? null : `${name} ${fixed(v, 1)} % is outside 0–100 %`;
}

/** null when the pack is physically plausible, else the first reason it is not. */
export function checkPlausible(pack: PackState, opts: PlausibilityOptions = {}): string | null {
  return (
    checkCells(pack, opts) ??
    checkCellVoltages(pack.cells, 'cell') ??
    checkCellVoltages(opts.statedCellVoltages ?? [], 'stated cell voltage') ??
    checkPackVoltage(pack, opts) ??
    checkCurrent(pack) ??
    checkTemperatureList(pack.temperatures, 'temperature') ??
    checkTemperatureList(pack.cellTemperatures, 'cell temperature') ??
    checkTemperature(pack.mosTemperature, 'MOS temperature') ??
    checkTemperature(pack.ambientTemperature, 'ambient temperature') ??
    checkTemperatureList(opts.statedTemperatures, 'stated temperature') ??
    checkPercent(pack.soc, 'SOC') ??
    checkPercent(pack.soh, 'SOH')
  );
}

/** The gate in the form decoders return: the pack when plausible, else `implausible: <reason>`. */
export function plausiblePack(pack: PackState, opts?: PlausibilityOptions): Result<PackState> {
  const reason = checkPlausible(pack, opts);
  return reason === null ? ok(pack) : fail(`implausible: ${reason}`);
}
