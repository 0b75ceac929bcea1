/**
 * The BankState numbers as an inverter protocol sends them: clamped to the protocol's field
 * ranges (never wrapped), with the rules every inverter needs (docs/protocols/inverter-can.md#wire-values, #stop-rules).
 */
import type { BankState } from '../../core/pack-state';
import { clamp } from './can-encoding';
import type { ClampedField, FieldRanges } from '../../transport/can-inverter-api';

export type WireValues = Record<ClampedField, number> & {
  /** Charging/discharging is allowed and its limit is above zero (the Pylon 0x35C enable bits). */
  chargeEnabled: boolean;
  dischargeEnabled: boolean;
  /** The bank's force-charge and full-charge requests, only while charging is enabled: never "charge now" with CCL 0. */
  forceCharge: boolean;
  fullChargeRequest: boolean;
};

/** The usual LV field types: u16 0.1 V limits, s16 0.1 A currents, s16 0.01 V voltage, s16 0.1 °C. */
export const LV_RANGES: FieldRanges = {
  cvl: { min: 0, max: 6553.5, lsb: 0.1 },
  ccl: { min: 0, max: 3276.7, lsb: 0.1 },
  dcl: { min: 0, max: 3276.7, lsb: 0.1 },
  dvl: { min: 0, max: 6553.5, lsb: 0.1 },
  soc: { min: 0, max: 100, lsb: 1 },
  soh: { min: 0, max: 100, lsb: 1 },
  voltage: { min: -327.68, max: 327.67, lsb: 0.01 },
  current: { min: -3276.8, max: 3276.7, lsb: 0.1 },
  temperature: { min: -3276.8, max: 3276.7, lsb: 0.1 },
};

/** Below this a CVL means "over-voltage" to Victron and Deye, never "stop charging". */
const MIN_CVL = 1;
/** Below this a bank voltage is not a measurement: no pack has reported yet. */
const MIN_BANK_VOLTAGE = 1;

/**
 * Why a bank has nothing true to put on the wire, else undefined. A bank in INIT (bms-rules still
 * waiting for its packs) or without a measured voltage would reach the inverter as SoC 0 % / 0 V,
 * and a Sunny Island shuts down at SoC 0; so such a bank is never encoded.
 */
export function wireClaimProblem(bank: BankState): string | undefined {
  if (bank.chargeState === 'init') return 'the bank is in INIT (bms-rules is waiting for its packs)';
  if (!(bank.voltage >= MIN_BANK_VOLTAGE)) return 'the bank has no measured voltage (no pack data)';
  return undefined;
}

export interface WirePolicy {
  /** Sofar ignores zero current limits, so "stop" is sent as this small value instead. */
  zeroLimitFloor?: number;
}

export function wireValues(bank: BankState, ranges: FieldRanges, policy: WirePolicy = {}): WireValues {
  const fit = (field: ClampedField, v: number): number =>
    clamp(Number.isFinite(v) ? v : 0, ranges[field].min, ranges[field].max);
  // A FAILSAFE bank allows nothing, whatever its limits say (bms-rules never sends both; a hand-built bank may).
  const failsafe = bank.mode === 'failsafe';
  let cvl = bank.cvl;
  let ccl = bank.chargeAllowed && !failsafe ? bank.ccl : 0;
  const dcl = bank.dischargeAllowed && !failsafe ? bank.dcl : 0;
  if (!(cvl >= MIN_CVL)) {
    // Hold the bank at its present voltage and stop charging rather than send CVL 0.
    cvl = Math.max(bank.voltage, bank.dvl);
    ccl = 0;
  }
  const chargeEnabled = ccl > 0;
  const dischargeEnabled = dcl > 0;
  const floor = (v: number): number => (policy.zeroLimitFloor !== undefined ? Math.max(v, policy.zeroLimitFloor) : v);
  return {
    cvl: fit('cvl', cvl),
    ccl: fit('ccl', floor(ccl)),
    dcl: fit('dcl', floor(dcl)),
    dvl: fit('dvl', bank.dvl),
    soc: fit('soc', bank.soc),
    soh: fit('soh', bank.soh),
    voltage: fit('voltage', bank.voltage),
    current: fit('current', bank.current),
    temperature: fit('temperature', bank.temperature.avg),
    chargeEnabled,
    dischargeEnabled,
    forceCharge: bank.forceCharge && chargeEnabled,
    fullChargeRequest: bank.fullChargeRequest && chargeEnabled,
  };
}

/** Whole-percent SOC, truncated so the inverter never sees more charge than there is. */
export const socPercent = (v: WireValues): number => Math.floor(v.soc);
