/**
 * A bank for the inverter encoders from a BankState or a hand-built object (the contract the
 * encoders implement is in transport/can-inverter-api.ts). No Node-RED import.
 */
import type { BankState } from '../../core/pack-state';
import type { Result } from '../../core/result';
import { validateBankState } from '../../core/pack-state';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Accepts a full BankState, or a hand-built object with at least `cvl, ccl, dcl, soc, voltage,
 * current` and `temperature` (a number in °C or `{min,max,avg}`), and completes the latter with
 * conservative defaults (no alarms, enable flags from the limits). `now` stamps a missing `time`.
 */
export function toBankState(input: unknown, now: number): Result<BankState> {
  const checked = completeBank(input, now);
  // CVL 0 reads as over-voltage on Victron and makes Deye discharge; the encoders then hold the bank
  // at its voltage, so with neither there is nothing safe to put on the wire.
  if (checked.ok && checked.value.cvl < 1 && checked.value.voltage < 1) {
    return { ok: false, reason: 'cvl and voltage are both below 1 V: give at least the bank voltage' };
  }
  return checked;
}

function completeBank(input: unknown, now: number): Result<BankState> {
  if (isObject(input) && input.kind === 'bank') return validateBankState(input);
  if (!isObject(input))
    return {
      ok: false,
      reason: 'payload must be a BankState or an object with cvl, ccl, dcl, soc, voltage, current, temperature',
    };
  for (const k of ['cvl', 'ccl', 'dcl', 'soc', 'voltage', 'current']) {
    if (!finite(input[k]))
      return { ok: false, reason: `${k} must be a finite number (got ${JSON.stringify(input[k])})` };
  }
  const t = input.temperature;
  const temperature = finite(t)
    ? { min: t, max: t, avg: t }
    : isObject(t) && finite(t.min) && finite(t.max) && finite(t.avg)
      ? { min: t.min, max: t.max, avg: t.avg }
      : undefined;
  if (!temperature) return { ok: false, reason: 'temperature must be a number (°C) or {min, max, avg}' };
  const num = (k: string, d: number): number => (finite(input[k]) ? input[k] : d);
  const bool = (k: string, d: boolean): boolean => (typeof input[k] === 'boolean' ? input[k] : d);
  const n = (k: string): number => input[k] as number;
  const capacity = num('capacityAh', 0);
  const bank: Record<string, unknown> = {
    kind: 'bank',
    time: num('time', now),
    cvl: n('cvl'),
    ccl: n('ccl'),
    dcl: n('dcl'),
    dvl: num('dvl', 0),
    chargeAllowed: bool('chargeAllowed', n('ccl') > 0),
    dischargeAllowed: bool('dischargeAllowed', n('dcl') > 0),
    forceCharge: bool('forceCharge', false),
    fullChargeRequest: bool('fullChargeRequest', false),
    soc: n('soc'),
    soh: num('soh', 100),
    voltage: n('voltage'),
    current: n('current'),
    power: num('power', n('voltage') * n('current')),
    temperature,
    cellMin: isObject(input.cellMin) ? input.cellMin : { v: 0, pack: '', cell: 0 },
    cellMax: isObject(input.cellMax) ? input.cellMax : { v: 0, pack: '', cell: 0 },
    packs: isObject(input.packs)
      ? input.packs
      : { total: 1, online: 1, stale: 0, offline: 0, blockingCharge: 0, blockingDischarge: 0 },
    capacityAh: { installed: capacity, online: capacity },
    chargeState: 'bulk',
    mode: 'normal',
    limitedBy: { cvl: 'input', ccl: 'input', dcl: 'input' },
    alarms: input.alarms ?? {},
    relays: { charge: true, load: true, alarm: false },
    stopCan: bool('stopCan', false),
  };
  return validateBankState(bank);
}
