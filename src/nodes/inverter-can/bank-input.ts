/**
 * What an inverter node accepts as input: a full BankState (bms-rules output), or a minimal
 * hand-built object with at least cvl, ccl, dcl, soc, voltage, current and a temperature. The
 * minimal form is completed with defaults that never allow more than the object says:
 * charge/discharge are allowed only when the limit is above 0, no force-charge request, no relays.
 * Pure; returns a reason instead of throwing.
 */
import { validateBankState, type BankState, type Checked } from '../../core/pack-state';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const REQUIRED = ['cvl', 'ccl', 'dcl', 'soc', 'voltage', 'current'] as const;

function temperatureOf(v: Record<string, unknown>): BankState['temperature'] | string {
  const t = v.temperature;
  if (isNum(t)) return { min: t, max: t, avg: t };
  if (isObject(t)) {
    const given = ['min', 'max', 'avg'].map((k) => t[k]).filter((x) => x !== undefined);
    if (given.length === 0 || !given.every(isNum)) return 'temperature must be a number (°C) or an object {min, max, avg} of numbers';
    const nums = given as number[];
    const avg = isNum(t.avg) ? t.avg : nums.reduce((a, b) => a + b, 0) / nums.length;
    return { min: isNum(t.min) ? t.min : Math.min(...nums), max: isNum(t.max) ? t.max : Math.max(...nums), avg };
  }
  return 'a temperature is required: temperature as a number (°C) or {min, max, avg}';
}

function optionalBool(v: Record<string, unknown>, key: string, fallback: boolean): boolean | string {
  if (v[key] === undefined) return fallback;
  return typeof v[key] === 'boolean' ? v[key] : `${key} must be a boolean`;
}

/** Builds the BankState an encoder gets from msg.payload, or says why it cannot. */
export function bankFromPayload(payload: unknown, now: number): Checked<BankState> {
  if (!isObject(payload)) return { ok: false, reason: 'msg.payload must be a BankState object (from bms-rules) or {cvl, ccl, dcl, soc, voltage, current, temperature}' };
  if (payload.kind === 'bank') {
    const checked = validateBankState(payload);
    return checked.ok ? checked : { ok: false, reason: `invalid BankState: ${checked.reason}` };
  }
  if (payload.kind === 'pack') return { ok: false, reason: 'msg.payload is a PackState: feed packs through bms-rules, which computes the bank limits' };
  for (const k of REQUIRED) {
    if (!isNum(payload[k])) return { ok: false, reason: `msg.payload.${k} must be a finite number (got ${JSON.stringify(payload[k])})` };
  }
  const temperature = temperatureOf(payload);
  if (typeof temperature === 'string') return { ok: false, reason: `msg.payload.${temperature}` };
  const ccl = payload.ccl as number;
  const dcl = payload.dcl as number;
  const flags = {
    chargeAllowed: optionalBool(payload, 'chargeAllowed', ccl > 0),
    dischargeAllowed: optionalBool(payload, 'dischargeAllowed', dcl > 0),
    forceCharge: optionalBool(payload, 'forceCharge', false),
    fullChargeRequest: optionalBool(payload, 'fullChargeRequest', false),
    stopCan: optionalBool(payload, 'stopCan', false),
  };
  const badFlag = Object.values(flags).find((f) => typeof f === 'string');
  if (badFlag) return { ok: false, reason: `msg.payload.${badFlag}` };
  for (const k of ['dvl', 'soh', 'time']) {
    if (payload[k] !== undefined && !isNum(payload[k])) return { ok: false, reason: `msg.payload.${k} must be a finite number` };
  }
  const capacity = payload.capacityAh;
  if (capacity !== undefined && !isNum(capacity)) return { ok: false, reason: 'msg.payload.capacityAh must be a number (Ah)' };
  const voltage = payload.voltage as number;
  const current = payload.current as number;
  const f = flags as Record<keyof typeof flags, boolean>;
  const bank = {
    kind: 'bank',
    time: (payload.time as number | undefined) ?? now,
    cvl: payload.cvl, ccl, dcl,
    // Unknown discharge voltage limit: 0, which every encoder clamps to its protocol's minimum.
    dvl: (payload.dvl as number | undefined) ?? 0,
    chargeAllowed: f.chargeAllowed, dischargeAllowed: f.dischargeAllowed,
    forceCharge: f.forceCharge, fullChargeRequest: f.fullChargeRequest,
    soc: payload.soc, soh: (payload.soh as number | undefined) ?? 100,
    voltage, current, power: voltage * current,
    temperature,
    cellMin: { v: 0, pack: '', cell: 0 },
    cellMax: { v: 0, pack: '', cell: 0 },
    packs: { total: 1, online: 1, stale: 0, offline: 0, blockingCharge: f.chargeAllowed ? 0 : 1, blockingDischarge: f.dischargeAllowed ? 0 : 1 },
    capacityAh: { installed: (capacity as number | undefined) ?? 0, online: (capacity as number | undefined) ?? 0 },
    chargeState: 'bulk',
    mode: 'normal',
    limitedBy: { cvl: 'input', ccl: 'input', dcl: 'input' },
    alarms: payload.alarms ?? {},
    relays: { charge: false, load: false, alarm: false },
    stopCan: f.stopCan,
  };
  // Reuse the full validator: it checks alarms names/levels and everything we filled in.
  const checked = validateBankState(bank);
  return checked.ok ? checked : { ok: false, reason: `msg.payload: ${checked.reason}` };
}
