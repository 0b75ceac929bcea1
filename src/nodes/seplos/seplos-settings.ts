/**
 * Seplos settings as the common PackSettings (core/pack-settings.ts): V2 from the 0x47 parameter
 * answer, V3 from the SPA settings block (0x1300) and the SFA function switches (coils 0x1400).
 * Read only: the documented Seplos writes (V2 0xA1 whole block, V3 SCA controls) are not sent by our
 * nodes. Pure.
 */
import { pickSettings, type PackSettingName, type PackSettings } from '../../core/pack-settings';
import type { V2Parameters } from './seplos-v2-payload';
import {
  SWITCH_NAME_LIST,
  SWITCH_NAMES,
  type FunctionSwitches,
  type SettingsBlock,
} from './protocol-seplos-v3-settings';

/** Setting name → 0x47 parameter name (seplos-v2-payload.ts). */
const V2_NAMES: Partial<Record<PackSettingName, string>> = {
  cellCount: 'cellsInSeries',
  capacityAh: 'ratedCapacityAh',
  cellOvpV: 'cellOverVoltageProtectionV',
  cellOvprV: 'cellOverVoltageRecoveryV',
  cellUvpV: 'cellUnderVoltageProtectionV',
  cellUvprV: 'cellUnderVoltageRecoveryV',
  balanceTriggerV: 'balancingStartDifferenceMv',
  balanceStartV: 'balancingStartVoltageV',
  maxChargeA: 'chargeOverCurrentProtectionA',
  chargeDelayS: 'chargeOverCurrentDelayS',
  maxDischargeA: 'dischargeOverCurrentProtectionA',
  dischargeDelayS: 'dischargeOverCurrentDelayS',
  chargeOtpC: 'chargeOverTempProtectionC',
  chargeOtprC: 'chargeOverTempRecoveryC',
  chargeUtpC: 'chargeUnderTempProtectionC',
  chargeUtprC: 'chargeUnderTempRecoveryC',
  dischargeOtpC: 'dischargeOverTempProtectionC',
  dischargeOtprC: 'dischargeOverTempRecoveryC',
  dischargeUtpC: 'dischargeUnderTempProtectionC',
  dischargeUtprC: 'dischargeUnderTempRecoveryC',
  mosOtpC: 'powerOverTempProtectionC',
  mosOtprC: 'powerOverTempRecoveryC',
};

/** Setting name → SPA register name (protocol-seplos-v3-settings.ts). */
const V3_NAMES: Partial<Record<PackSettingName, string>> = {
  cellCount: 'cellsInSeries',
  capacityAh: 'ratedCapacityAh',
  cellOvpV: 'cellOverVoltageProtectionV',
  cellOvprV: 'cellOverVoltageRecoveryV',
  cellUvpV: 'cellUnderVoltageProtectionV',
  cellUvprV: 'cellUnderVoltageRecoveryV',
  balanceTriggerV: 'balancingStartDifferenceV',
  balanceStartV: 'balancingStartVoltageV',
  maxChargeA: 'chargeOverCurrentProtectionA',
  chargeDelayS: 'chargeOverCurrentDelayS',
  maxDischargeA: 'dischargeOverCurrentProtectionA',
  dischargeDelayS: 'dischargeOverCurrentDelayS',
  chargeOtpC: 'chargeOverTemperatureProtectionC',
  chargeOtprC: 'chargeOverTemperatureRecoveryC',
  chargeUtpC: 'chargeUnderTemperatureProtectionC',
  chargeUtprC: 'chargeUnderTemperatureRecoveryC',
  dischargeOtpC: 'dischargeOverTemperatureProtectionC',
  dischargeOtprC: 'dischargeOverTemperatureRecoveryC',
  dischargeUtpC: 'dischargeUnderTemperatureProtectionC',
  dischargeUtprC: 'dischargeUnderTemperatureRecoveryC',
  mosOtpC: 'powerOverTemperatureProtectionC',
  mosOtprC: 'powerOverTemperatureRecoveryC',
};

/** Seplos stores discharge currents negative; PackSettings carries both currents as magnitudes. */
const magnitude = (v: number): number => Math.abs(v);

/**
 * 0x47 function-switch bytes 1, 2, 4, 6 and 7 by bit (1 = enabled; bytes 0–5 mirror the alarm
 * events, docs/protocols/seplos.md). Bytes 0, 3 and 5 (sensor faults, ambient, pack extras) are left
 * in `extra.parameters`.
 */
const V2_SWITCH_BITS: Array<[number, readonly string[]]> = [
  [1, SWITCH_NAMES[0]],
  [2, SWITCH_NAMES[1]],
  [
    4,
    [
      'chargeOverCurrentAlarm',
      'chargeOverCurrentProtection',
      'dischargeOverCurrentAlarm',
      'dischargeOverCurrentProtection',
      'transientOverCurrentProtection',
      'shortCircuitProtection',
      'transientOverCurrentLockout',
      'shortCircuitLockout',
    ],
  ],
  [
    6,
    [
      'chargeBalancing',
      'staticBalancing',
      'balancingTimeoutStop',
      'balancingOverTemperatureStop',
      'autoChargeActivation',
      'manualChargeActivation',
      'activeCurrentLimiting',
      'passiveCurrentLimiting',
    ],
  ],
  [
    7,
    [
      'buttonShutdown',
      'standbyShutdown',
      'historyRecording',
      'lcdDisplay',
      'bluetooth',
      'automaticAddressing',
      'parallelExternalPolling',
      'singlePackOneCCharging',
    ],
  ],
];

function v2Switches(hex: string): Record<string, boolean> {
  const bytes = Buffer.from(hex, 'hex');
  const switches: Record<string, boolean> = {};
  for (const [byte, names] of V2_SWITCH_BITS) {
    if (byte >= bytes.length) continue;
    names.forEach((name, bit) => {
      switches[name] = ((bytes[byte] >> bit) & 1) === 1;
    });
  }
  return switches;
}

/** The decoded 0x47 answer as PackSettings. */
export function v2Settings(parameters: V2Parameters): PackSettings {
  const values = pickSettings(parameters.values, V2_NAMES, {
    balanceTriggerV: (mv) => mv / 1000,
    maxDischargeA: magnitude,
  });
  return { protocol: 'seplos-v2', ...values, switches: v2Switches(parameters.functionSwitchBytesHex) };
}

/** SPA and SFA as PackSettings (every documented SFA switch by name). */
export function v3Settings(spa: SettingsBlock, sfa: FunctionSwitches): PackSettings {
  const switches: Record<string, boolean> = {};
  for (const name of SWITCH_NAME_LIST) switches[name] = sfa.enabled.includes(name);
  return { protocol: 'seplos-v3', ...pickSettings(spa, V3_NAMES, { maxDischargeA: magnitude }), switches };
}
