/**
 * JK settings as the common PackSettings (core/pack-settings.ts): from an NW read-all answer (the
 * settings items 0x8E…0xB3 ride along with the measurements) and from the PB settings block
 * (Modbus 0x1000 or a JK02 settings frame). Also the writable fields with the ranges a write is
 * checked against, and the PB register each one lives in. Pure.
 */
import {
  pickSettings,
  type PackSettingName,
  type PackSettingValues,
  type PackSettings,
} from '../../core/pack-settings';
import type { FieldLimits } from '../../core/settings-limits';
import { writeMultipleRequest } from '../../transport/modbus-rtu';
import { SETTINGS_FIELDS, type FieldSpec } from './jk-blocks';
import { PB_BLOCKS } from './protocol-jk-pb';

/** Setting name → NW item key (protocol-jk-nw.ts names). */
const NW_NAMES: Partial<Record<PackSettingName, string>> = {
  cellCount: 'cellCountSetting',
  capacityAh: 'nominalCapacityAh',
  cellOvpV: 'cellOvpV',
  cellOvprV: 'cellOvprV',
  cellUvpV: 'cellUvpV',
  cellUvprV: 'cellUvprV',
  balanceTriggerV: 'balanceTriggerDeltaV',
  balanceStartV: 'balanceStartV',
  maxChargeA: 'chargeOcpA',
  chargeDelayS: 'chargeOcpDelaySeconds',
  maxDischargeA: 'dischargeOcpA',
  dischargeDelayS: 'dischargeOcpDelaySeconds',
  chargeOtpC: 'chargeOverTempProtectionC',
  chargeUtpC: 'chargeUnderTempProtectionC',
  chargeUtprC: 'chargeUnderTempRecoveryC',
  dischargeOtpC: 'dischargeOverTempProtectionC',
  dischargeUtpC: 'dischargeUnderTempProtectionC',
  dischargeUtprC: 'dischargeUnderTempRecoveryC',
  mosOtpC: 'mosOverTempProtectionC',
  mosOtprC: 'mosOverTempRecoveryC',
};

const NW_SWITCHES: Record<string, string> = {
  chargeEnabled: 'chargeSwitch',
  dischargeEnabled: 'dischargeSwitch',
  balancerEnabled: 'balancerSwitch',
  dedicatedCharger: 'dedicatedChargerSwitch',
};

/** Setting name → PB settings-block key (jk-blocks.ts SETTINGS_FIELDS). */
const PB_NAMES: Partial<Record<PackSettingName, string>> = {
  cellCount: 'cellCountSetting',
  capacityAh: 'nominalCapacityAh',
  cellOvpV: 'cellOvpV',
  cellOvprV: 'cellOvprV',
  cellUvpV: 'cellUvpV',
  cellUvprV: 'cellUvprV',
  balanceTriggerV: 'balanceTriggerDeltaV',
  balanceStartV: 'balanceStartV',
  maxBalanceA: 'maxBalanceCurrentA',
  maxChargeA: 'maxChargeCurrentA',
  chargeDelayS: 'chargeOcpDelaySeconds',
  maxDischargeA: 'maxDischargeCurrentA',
  dischargeDelayS: 'dischargeOcpDelaySeconds',
  chargeOtpC: 'chargeOtpC',
  chargeOtprC: 'chargeOtprC',
  chargeUtpC: 'chargeUtpC',
  chargeUtprC: 'chargeUtprC',
  dischargeOtpC: 'dischargeOtpC',
  dischargeOtprC: 'dischargeOtprC',
  mosOtpC: 'mosOtpC',
  mosOtprC: 'mosOtprC',
};

/** The settings names each protocol carries. */
export function jkSettingNames(protocol: 'nw' | 'pb'): PackSettingName[] {
  return Object.keys(protocol === 'nw' ? NW_NAMES : PB_NAMES) as PackSettingName[];
}

/** Named settings → the protocol's own keys (what the simulator encodes with). */
export function toProtocolKeys(values: PackSettingValues, protocol: 'nw' | 'pb'): Record<string, number> {
  const names = protocol === 'nw' ? NW_NAMES : PB_NAMES;
  const out: Record<string, number> = {};
  for (const [name, key] of Object.entries(names) as Array<[PackSettingName, string]>) {
    const value = values[name];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** The setting a PB settings-block key holds, if it is one of the named settings. */
export function pbSettingNameOf(key: string): PackSettingName | undefined {
  return (Object.keys(PB_NAMES) as PackSettingName[]).find((name) => PB_NAMES[name] === key);
}

/** Control word (settings byte 276) bits by name, docs/protocols/jk-bms.md. */
const PB_CONTROL_BITS: Array<[string, number]> = [
  ['heating', 0],
  ['temperatureSensorsDisabled', 1],
  ['gpsHeartbeat', 2],
  ['portIsRs485', 3],
  ['lcdAlwaysOn', 4],
  ['specialCharger', 5],
  ['smartSleep', 6],
  ['parallelLimiterDisabled', 7],
  ['timedDataStorage', 8],
  ['chargingFloatMode', 9],
];

function booleans(source: Record<string, unknown>, names: Record<string, string>): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [name, key] of Object.entries(names)) if (typeof source[key] === 'boolean') out[name] = source[key];
  return out;
}

/** The settings items of an NW read-all answer (decodeNw's reading). */
export function nwSettings(reading: Record<string, unknown>): PackSettings {
  return { protocol: 'jk-nw', ...pickSettings(reading, NW_NAMES), switches: booleans(reading, NW_SWITCHES) };
}

/** The decoded PB settings block (readFields over SETTINGS_FIELDS). */
export function pbSettings(block: Record<string, number | boolean>): PackSettings {
  const switches = booleans(block, {
    chargeEnabled: 'chargeEnabled',
    dischargeEnabled: 'dischargeEnabled',
    balancerEnabled: 'balancerEnabled',
  });
  const control = block.controlBits;
  if (typeof control === 'number')
    for (const [name, bit] of PB_CONTROL_BITS) switches[name] = ((control >> bit) & 1) === 1;
  return { protocol: 'jk-pb', ...pickSettings(block, PB_NAMES), switches };
}

const volts = (min: number, max: number): { min: number; max: number; step: number; unit: string } => ({
  min,
  max,
  step: 0.001,
  unit: 'V',
});
const celsius = { min: -40, max: 100, step: 0.1, unit: '°C' };

/**
 * What a write may set, and to what. From the JK manual: cell voltages are measured 1–5 V, the shunt
 * carries at most 500 A, the balancer moves at most 5 A; temperatures within the −40…100 °C the BMS
 * encodes; a trigger below the 5 mV measuring accuracy would balance on noise. Cell count is not
 * writable: a wrong count stops the BMS.
 */
export const JK_LIMITS: FieldLimits = {
  cellOvpV: volts(1, 5),
  cellOvprV: volts(1, 5),
  cellUvpV: volts(1, 5),
  cellUvprV: volts(1, 5),
  balanceStartV: volts(1, 5),
  balanceTriggerV: volts(0.005, 1),
  maxChargeA: { min: 1, max: 500, step: 0.001, unit: 'A' },
  maxDischargeA: { min: 1, max: 500, step: 0.001, unit: 'A' },
  maxBalanceA: { min: 0.1, max: 5, step: 0.001, unit: 'A' },
  chargeDelayS: { min: 1, max: 600, step: 1, unit: 's' },
  dischargeDelayS: { min: 1, max: 600, step: 1, unit: 's' },
  chargeOtpC: celsius,
  chargeOtprC: celsius,
  chargeUtpC: celsius,
  chargeUtprC: celsius,
  dischargeOtpC: celsius,
  dischargeOtprC: celsius,
  mosOtpC: celsius,
  mosOtprC: celsius,
  capacityAh: { min: 1, max: 2000, step: 0.001, unit: 'Ah' },
};

/**
 * NW items hold whole amperes, seconds, degrees and ampere-hours; over-temperature items are unsigned.
 * The fields NW has, with the JK ranges at NW resolution.
 */
export const JK_NW_LIMITS: FieldLimits = Object.fromEntries(
  Object.keys(NW_NAMES)
    .filter((name) => JK_LIMITS[name as PackSettingName] !== undefined)
    .map((name) => {
      const limit = JK_LIMITS[name as PackSettingName]!;
      const whole = limit.unit === 'V' ? limit : { ...limit, step: 1 };
      const unsigned = /Otp/.test(name) ? { ...whole, min: 0 } : whole;
      return [name, unsigned];
    }),
);

/** The NW item key a setting is stored in. */
export function nwKeyOf(name: PackSettingName): string | undefined {
  return NW_NAMES[name];
}

/** The setting an NW item key holds, if it is one of the named settings. */
export function nwSettingNameOf(key: string): PackSettingName | undefined {
  return (Object.keys(NW_NAMES) as PackSettingName[]).find((name) => NW_NAMES[name] === key);
}

/** The PB settings-block field a setting is stored in. */
function pbFieldOf(name: PackSettingName): FieldSpec | undefined {
  const key = PB_NAMES[name];
  return SETTINGS_FIELDS.find((spec) => spec.key === key);
}

/** FC 0x10 write of one setting: the u32/i32 at block base + byte offset, big-endian, in raw units. */
export function pbSettingWriteRequest(address: number, name: PackSettingName, value: number): Buffer | undefined {
  const spec = pbFieldOf(name);
  if (!spec) return undefined;
  const raw = Math.round(value / (spec.scale ?? 1));
  const data = Buffer.alloc(4);
  if (spec.type === 'i32') data.writeInt32BE(raw);
  else data.writeUInt32BE(raw >>> 0);
  return writeMultipleRequest(address, PB_BLOCKS.settings + spec.off, data);
}

/** Settings bytes 0…143 (72 words): every field of PB_NAMES, the switches and the balance start. */
export const PB_SETTINGS_READ = { start: PB_BLOCKS.settings, quantity: 72 } as const;
/** The control word at byte 276, read apart (start address = base + byte offset). */
export const PB_CONTROL_READ = { start: PB_BLOCKS.settings + 276, quantity: 1 } as const;
