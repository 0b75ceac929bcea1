/**
 * Safe settings writes, the pure part: each requested value checked against the field's range, the
 * result checked for the orderings a BMS needs (recovery inside protection), the diff against what the
 * pack holds now, and the read-back compared with what was asked.
 */
import type { PackSettingName, PackSettingValues } from './pack-settings';
import type { Result } from './result';

export interface FieldLimit {
  min: number;
  max: number;
  /** Resolution the BMS stores: a read-back within half a step is a match. */
  step: number;
  unit: string;
}

export type FieldLimits = Partial<Record<PackSettingName, FieldLimit>>;

export interface SettingChange {
  field: PackSettingName;
  from: number | undefined;
  to: number;
}

/** The value rounded to the step, without float noise such as 3.6000000000000005. */
function onStep(value: number, step: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(step)));
  return Number((Math.round(value / step) * step).toFixed(decimals));
}

/** The requested fields as numbers on the field's step, or the first reason one cannot be written. */
export function checkRequestedFields(
  fields: unknown,
  limits: FieldLimits,
): Result<Partial<Record<PackSettingName, number>>> {
  if (!fields || typeof fields !== 'object' || Array.isArray(fields) || Object.keys(fields).length === 0) {
    return { ok: false, reason: 'fields must be an object of setting names and values, e.g. {"cellOvpV": 3.6}' };
  }
  const out: Partial<Record<PackSettingName, number>> = {};
  for (const [name, value] of Object.entries(fields as Record<string, unknown>)) {
    // own keys only: `constructor` or `toString` are not settings
    const limit = Object.hasOwn(limits, name) ? limits[name as PackSettingName] : undefined;
    if (!limit) {
      return { ok: false, reason: `${name} is not writable here (writable: ${Object.keys(limits).join(', ')})` };
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return { ok: false, reason: `${name} must be a number` };
    }
    if (value < limit.min || value > limit.max) {
      return {
        ok: false,
        reason: `${name} ${value} ${limit.unit} is outside ${limit.min}–${limit.max} ${limit.unit}`,
      };
    }
    out[name as PackSettingName] = onStep(value, limit.step);
  }
  return { ok: true, value: out };
}

/** Pairs that must keep their order after the write: [lower, higher, why]. */
const ORDER: Array<[PackSettingName, PackSettingName, string]> = [
  ['cellUvpV', 'cellOvpV', 'cell UVP must be below cell OVP'],
  ['cellOvprV', 'cellOvpV', 'cell OVP recovery must be below cell OVP'],
  ['cellUvpV', 'cellUvprV', 'cell UVP recovery must be above cell UVP'],
  ['cellUvprV', 'cellOvprV', 'cell UVP recovery must be below cell OVP recovery'],
  ['balanceStartV', 'cellOvpV', 'balance start must be below cell OVP'],
  ['chargeOtprC', 'chargeOtpC', 'charge OTP recovery must be below charge OTP'],
  ['dischargeOtprC', 'dischargeOtpC', 'discharge OTP recovery must be below discharge OTP'],
  ['mosOtprC', 'mosOtpC', 'MOS OTP recovery must be below MOS OTP'],
  ['chargeUtpC', 'chargeUtprC', 'charge UTP recovery must be above charge UTP'],
  ['dischargeUtpC', 'dischargeUtprC', 'discharge UTP recovery must be above discharge UTP'],
];

/** The first ordering the merged settings break, or undefined. */
export function orderingProblem(merged: PackSettingValues): string | undefined {
  for (const [lower, higher, why] of ORDER) {
    const a = merged[lower];
    const b = merged[higher];
    if (a !== undefined && b !== undefined && a >= b) return `${why} (${lower} ${a}, ${higher} ${b})`;
  }
  return undefined;
}

const sameValue = (a: number | undefined, b: number, step: number): boolean =>
  a !== undefined && Math.abs(a - b) < step / 2;

/** The fields whose requested value differs from the current one. */
export function settingsDiff(
  current: PackSettingValues,
  requested: Partial<Record<PackSettingName, number>>,
  limits: FieldLimits,
): SettingChange[] {
  const changes: SettingChange[] = [];
  for (const [field, to] of Object.entries(requested) as Array<[PackSettingName, number]>) {
    if (!sameValue(current[field], to, limits[field]?.step ?? 0)) changes.push({ field, from: current[field], to });
  }
  return changes;
}

/** The changes the read-back does not show, as one sentence, or undefined when all match. */
export function readBackMismatch(
  readBack: PackSettingValues,
  changes: SettingChange[],
  limits: FieldLimits,
): string | undefined {
  const wrong = changes.filter((c) => !sameValue(readBack[c.field], c.to, limits[c.field]?.step ?? 0));
  if (wrong.length === 0) return undefined;
  return wrong.map((c) => `${c.field} reads back ${String(readBack[c.field])}, not ${c.to}`).join('; ');
}

/**
 * The changes in an order whose every intermediate state keeps the orderings (lowering OVP and its
 * recovery writes the recovery first, raising them the OVP first): a BMS may refuse a value that breaks
 * them for a moment. Changes that no order can keep valid come last, as given.
 */
export function safeWriteOrder(current: PackSettingValues, changes: SettingChange[]): SettingChange[] {
  const state: PackSettingValues = { ...current };
  const left = [...changes];
  const ordered: SettingChange[] = [];
  while (left.length > 0) {
    let next = left.findIndex((c) => orderingProblem({ ...state, [c.field]: c.to }) === undefined);
    if (next < 0) next = 0;
    const [change] = left.splice(next, 1);
    state[change.field] = change.to;
    ordered.push(change);
  }
  return ordered;
}
