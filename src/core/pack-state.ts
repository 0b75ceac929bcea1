/**
 * The message contracts (docs/architecture.md#message-contracts): PackState (every BMS node) and BankState (bms-rules).
 * Pure: no Node-RED import. Validators return a reason string instead of throwing, so nodes can show
 * it in status and decoders can reject a frame with it.
 */
import type { Result } from './result';

export const ALARM_NAMES = [
  'cellOverVoltage',
  'cellUnderVoltage',
  'packOverVoltage',
  'packUnderVoltage',
  'chargeOverCurrent',
  'dischargeOverCurrent',
  'shortCircuit',
  'chargeOverTemperature',
  'chargeUnderTemperature',
  'dischargeOverTemperature',
  'dischargeUnderTemperature',
  'mosOverTemperature',
  'cellImbalance',
  'communication',
  'internal',
] as const;
export type AlarmName = (typeof ALARM_NAMES)[number];
export type AlarmLevel = 'warn' | 'alarm';
export type Alarms = Partial<Record<AlarmName, AlarmLevel>>;

export const PACK_PROTOCOLS = ['jk-nw', 'jk-pb', 'jk02', 'seplos-v2', 'seplos-v3', 'smartbms'] as const;
export type PackProtocol = (typeof PACK_PROTOCOLS)[number];

export interface PackState {
  kind: 'pack';
  id: string;
  protocol: PackProtocol;
  address?: number;
  time: number;
  voltage: number;
  current: number;
  soc: number;
  soh?: number;
  cells: number[];
  cellTemperatures?: number[];
  temperatures: number[];
  mosTemperature?: number;
  ambientTemperature?: number;
  remainingAh?: number;
  fullAh?: number;
  designAh?: number;
  cycles?: number;
  chargeAllowed: boolean;
  dischargeAllowed: boolean;
  balancing?: boolean;
  balanceCurrent?: number;
  alarms: Alarms;
  limits?: { cvl?: number; ccl?: number; dcl?: number };
  extra?: Record<string, unknown>;
}

export type BankAlarmName = AlarmName | 'packOffline' | 'bmsCommLost';
export type ChargeState = 'init' | 'bulk' | 'absorb' | 'float-ramp' | 'float' | 'balance';
export type SafetyMode = 'normal' | 'degraded' | 'blind' | 'failsafe';

/** How many packs of a bank are in each state, and how many block charging / discharging. */
export interface PackCounts {
  total: number;
  online: number;
  stale: number;
  offline: number;
  blockingCharge: number;
  blockingDischarge: number;
}

export interface BankState {
  kind: 'bank';
  time: number;
  cvl: number;
  ccl: number;
  dcl: number;
  dvl: number;
  chargeAllowed: boolean;
  dischargeAllowed: boolean;
  forceCharge: boolean;
  fullChargeRequest: boolean;
  soc: number;
  soh: number;
  voltage: number;
  current: number;
  power: number;
  temperature: { min: number; max: number; avg: number };
  cellMin: { v: number; pack: string; cell: number };
  cellMax: { v: number; pack: string; cell: number };
  packs: PackCounts;
  capacityAh: { installed: number; online: number };
  chargeState: ChargeState;
  mode: SafetyMode;
  limitedBy: { cvl: string; ccl: string; dcl: string };
  alarms: Partial<Record<BankAlarmName, AlarmLevel>>;
  relays: { charge: boolean; load: boolean; alarm: boolean; [name: string]: boolean };
  stopCan: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkNumbers(o: Record<string, unknown>, keys: string[], optional: boolean): string | undefined {
  for (const k of keys) {
    if (optional && o[k] === undefined) continue;
    if (!isFiniteNumber(o[k])) return `${k} must be a finite number (got ${JSON.stringify(o[k])})`;
  }
  return undefined;
}

function checkNumberArray(o: Record<string, unknown>, key: string, optional: boolean): string | undefined {
  const v = o[key];
  if (optional && v === undefined) return undefined;
  if (!Array.isArray(v)) return `${key} must be an array of numbers`;
  const bad = v.findIndex((x) => !isFiniteNumber(x));
  return bad >= 0 ? `${key}[${bad}] must be a finite number (got ${JSON.stringify(v[bad])})` : undefined;
}

function checkAlarms(v: unknown, allowed: readonly string[]): string | undefined {
  if (!isObject(v)) return 'alarms must be an object';
  for (const [name, level] of Object.entries(v)) {
    if (!allowed.includes(name)) return `unknown alarm "${name}"`;
    if (level !== 'warn' && level !== 'alarm') return `alarm "${name}" must be "warn" or "alarm"`;
  }
  return undefined;
}

/** Longest accepted pack id: long enough for a host/bus/address path, short enough for topics and status text. */
export const PACK_ID_MAX_LENGTH = 64;

/**
 * A pack id is data that ends up in status text, telemetry topics and per-pack maps, never a key with
 * a meaning of its own: non-empty, at most PACK_ID_MAX_LENGTH characters, no control characters.
 * Returns the reason when it is not acceptable.
 */
export function checkPackId(id: unknown): string | undefined {
  if (typeof id !== 'string' || id.trim() === '') return 'id must be a non-empty string';
  if (id.length > PACK_ID_MAX_LENGTH) return `id must be at most ${PACK_ID_MAX_LENGTH} characters (got ${id.length})`;
  // controls (C0, DEL, C1), a lone UTF-16 surrogate, and line/paragraph separators are not printable
  const bad = id.search(/[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]/u);
  if (bad >= 0) {
    const code = id.charCodeAt(bad).toString(16).toUpperCase().padStart(4, '0');
    return `id must be printable (character ${bad + 1} is U+${code})`;
  }
  return undefined;
}

/** Validates a PackState from a message (e.g. a hand-built one or another node's output). */
export function validatePackState(v: unknown): Result<PackState> {
  if (!isObject(v)) return { ok: false, reason: 'pack state must be an object' };
  if (v.kind !== 'pack') return { ok: false, reason: 'kind must be "pack"' };
  const idReason = checkPackId(v.id);
  if (idReason) return { ok: false, reason: idReason };
  if (!PACK_PROTOCOLS.includes(v.protocol as PackProtocol)) {
    return { ok: false, reason: `protocol must be one of ${PACK_PROTOCOLS.join(', ')}` };
  }
  const reason =
    checkNumbers(v, ['time', 'voltage', 'current', 'soc'], false) ??
    checkNumbers(
      v,
      [
        'address',
        'soh',
        'mosTemperature',
        'ambientTemperature',
        'remainingAh',
        'fullAh',
        'designAh',
        'cycles',
        'balanceCurrent',
      ],
      true,
    ) ??
    checkNumberArray(v, 'cells', false) ??
    checkNumberArray(v, 'temperatures', false) ??
    checkNumberArray(v, 'cellTemperatures', true) ??
    (typeof v.chargeAllowed !== 'boolean' ? 'chargeAllowed must be a boolean' : undefined) ??
    (typeof v.dischargeAllowed !== 'boolean' ? 'dischargeAllowed must be a boolean' : undefined) ??
    (v.balancing !== undefined && typeof v.balancing !== 'boolean' ? 'balancing must be a boolean' : undefined) ??
    checkAlarms(v.alarms, ALARM_NAMES) ??
    (v.limits !== undefined && (!isObject(v.limits) || checkNumbers(v.limits, ['cvl', 'ccl', 'dcl'], true))
      ? 'limits must hold finite cvl/ccl/dcl'
      : undefined) ??
    (v.extra !== undefined && !isObject(v.extra) ? 'extra must be an object' : undefined) ??
    ((v.soc as number) < 0 || (v.soc as number) > 100 ? `soc must be 0..100 (got ${String(v.soc)})` : undefined);
  return reason ? { ok: false, reason } : { ok: true, value: v as unknown as PackState };
}

const BANK_ALARMS: readonly string[] = [...ALARM_NAMES, 'packOffline', 'bmsCommLost'];

/** Validates a full BankState (what bms-rules emits). */
export function validateBankState(v: unknown): Result<BankState> {
  if (!isObject(v)) return { ok: false, reason: 'bank state must be an object' };
  if (v.kind !== 'bank') return { ok: false, reason: 'kind must be "bank"' };
  const sub = (key: string, keys: string[]): string | undefined =>
    isObject(v[key]) ? checkNumbers(v[key] as Record<string, unknown>, keys, false) : `${key} must be an object`;
  const reason =
    checkNumbers(v, ['time', 'cvl', 'ccl', 'dcl', 'dvl', 'soc', 'soh', 'voltage', 'current', 'power'], false) ??
    sub('temperature', ['min', 'max', 'avg']) ??
    sub('cellMin', ['v', 'cell']) ??
    sub('cellMax', ['v', 'cell']) ??
    sub('packs', ['total', 'online', 'stale', 'offline', 'blockingCharge', 'blockingDischarge']) ??
    sub('capacityAh', ['installed', 'online']) ??
    ['chargeAllowed', 'dischargeAllowed', 'forceCharge', 'fullChargeRequest', 'stopCan']
      .map((k) => (typeof v[k] !== 'boolean' ? `${k} must be a boolean` : undefined))
      .find(Boolean) ??
    (!['init', 'bulk', 'absorb', 'float-ramp', 'float', 'balance'].includes(v.chargeState as string)
      ? 'chargeState is not a known charge state'
      : undefined) ??
    (!['normal', 'degraded', 'blind', 'failsafe'].includes(v.mode as string)
      ? 'mode is not a known mode'
      : undefined) ??
    checkAlarms(v.alarms, BANK_ALARMS) ??
    (!isObject(v.relays) || Object.values(v.relays).some((r) => typeof r !== 'boolean')
      ? 'relays must be an object of booleans'
      : undefined) ??
    (!isObject(v.limitedBy) ? 'limitedBy must be an object' : undefined);
  return reason ? { ok: false, reason } : { ok: true, value: v as unknown as BankState };
}
