/**
 * Seplos V3 configuration blocks that peer tools read with the pack data: SPA settings (FC 0x04,
 * 0x1300 × 0x6A), SFA function switches (coils 0x1400 × 0x50) and the readable part of SCA, the
 * system calendar (FC 0x04, 0x1500 × 4). Raw to named values and back (the simulator answers with
 * the encoders). Pure; decoders never throw. Layouts: docs/protocols/seplos.md.
 */
import { FC_READ_COILS, FC_READ_INPUT } from './protocol-seplos-v3';
import type { Result } from '../../core/result';

export const CONFIG_BLOCKS = {
  spa: { fn: FC_READ_INPUT, start: 0x1300, quantity: 0x6a },
  sfa: { fn: FC_READ_COILS, start: 0x1400, quantity: 0x50 },
  sca: { fn: FC_READ_INPUT, start: 0x1500, quantity: 4 },
} as const;

// ---------------------------------------------------------------------------------------------
// SPA: one u16/s16 register per setting, in register order from 0x1300.

interface Unit {
  divisor: number;
  signed?: boolean;
  /** 0.1 K with offset 2731, shown in °C. */
  kelvin?: boolean;
}
const COUNT: Unit = { divisor: 1 };
const V_10MV: Unit = { divisor: 100 };
const V_MV: Unit = { divisor: 1000 };
const AMPS: Unit = { divisor: 1, signed: true };
const AMPS_MA: Unit = { divisor: 1000, signed: true };
const TENTH: Unit = { divisor: 10 };
const CELSIUS: Unit = { divisor: 10, kelvin: true };
const AH: Unit = { divisor: 100 };

/** The eight thresholds of one voltage family: alarm, protection, each with its recovery. */
const voltageGroup = (prefix: string, unit: Unit): Array<[string, Unit]> =>
  [
    'HighVoltageAlarmRecoveryV',
    'HighVoltageAlarmV',
    'OverVoltageRecoveryV',
    'OverVoltageProtectionV',
    'LowVoltageAlarmRecoveryV',
    'LowVoltageAlarmV',
    'UnderVoltageRecoveryV',
    'UnderVoltageProtectionV',
  ].map((name) => [prefix + name, unit]);

const temperatureGroup = (prefix: string): Array<[string, Unit]> =>
  [
    'HighTemperatureAlarmRecoveryC',
    'HighTemperatureAlarmC',
    'OverTemperatureRecoveryC',
    'OverTemperatureProtectionC',
    'LowTemperatureAlarmRecoveryC',
    'LowTemperatureAlarmC',
    'UnderTemperatureRecoveryC',
    'UnderTemperatureProtectionC',
  ].map((name) => [prefix + name, CELSIUS]);

/** Register 0x1300 + index → [name, unit]; names carry their unit (V, A, C, S, Ms, Us, H, Min, Percent, Ah). */
const SPA_LAYOUT: Array<[string, Unit]> = [
  ['temperatureSensors', COUNT],
  ['cellsInSeries', COUNT],
  ...voltageGroup('pack', V_10MV),
  ...voltageGroup('cell', V_MV),
  ['cellUnderVoltageFailureV', V_MV],
  ['cellDifferenceProtectionV', V_MV],
  ['cellDifferenceProtectionRecoveryV', V_MV],
  ['chargeOverCurrentRecoveryA', AMPS],
  ['chargeOverCurrentAlarmA', AMPS],
  ['chargeOverCurrentProtectionA', AMPS],
  ['chargeOverCurrentDelayS', TENTH],
  ['chargeOverCurrent2ProtectionA', AMPS],
  ['chargeOverCurrent2DelayMs', COUNT],
  ['dischargeOverCurrentRecoveryA', AMPS],
  ['dischargeOverCurrentAlarmA', AMPS],
  ['dischargeOverCurrentProtectionA', AMPS],
  ['dischargeOverCurrentDelayS', TENTH],
  ['dischargeOverCurrent2ProtectionA', AMPS],
  ['dischargeOverCurrent2DelayMs', COUNT],
  ['shortCircuitProtectionA', AMPS],
  ['shortCircuitDelayUs', COUNT],
  ['overCurrentRecoveryDelayS', TENTH],
  ['overCurrentLockoutCount', COUNT],
  ['chargeCurrentLimitDurationS', TENTH],
  ['pulseCurrentLimitA', AMPS],
  ['pulseCurrentLimitTimeS', TENTH],
  ['floatLockVoltageV', V_MV],
  ['floatReleaseVoltageV', V_MV],
  ['floatLockCurrentA', AMPS_MA],
  ['prechargeShortCircuitPercent', TENTH],
  ['prechargeNormalPercent', TENTH],
  ['prechargeAbnormalPercent', TENTH],
  ['prechargeTimeoutS', TENTH],
  ...temperatureGroup('charge'),
  ...temperatureGroup('discharge'),
  ...temperatureGroup('ambient'),
  ['powerHighTemperatureAlarmRecoveryC', CELSIUS],
  ['powerHighTemperatureAlarmC', CELSIUS],
  ['powerOverTemperatureRecoveryC', CELSIUS],
  ['powerOverTemperatureProtectionC', CELSIUS],
  ['heatingStopC', CELSIUS],
  ['heatingStartC', CELSIUS],
  ['balancingMaxTemperatureC', CELSIUS],
  ['balancingMinTemperatureC', CELSIUS],
  ['staticBalancingTimerH', COUNT],
  ['balancingStartVoltageV', V_MV],
  ['balancingStartDifferenceV', V_MV],
  ['balancingEndDifferenceV', V_MV],
  ['topUpChargeSocPercent', TENTH],
  ['lowSocAlarmRecoveryPercent', TENTH],
  ['lowSocAlarmPercent', TENTH],
  ['lowSocProtectionRecoveryPercent', TENTH],
  ['lowSocProtectionPercent', TENTH],
  ['ratedCapacityAh', AH],
  ['fullCapacityAh', AH],
  ['remainingCapacityAh', AH],
  ['standbySleepH', COUNT],
  ['forcedOutputDelayS', TENTH],
  ['forcedOutputIntervalMin', COUNT],
  ['forcedOutputCount', COUNT],
  ['compensation1Cell', COUNT],
  ['compensation1MilliOhm', TENTH],
  ['compensation2Cell', COUNT],
  ['compensation2MilliOhm', TENTH],
  ['cellDifferenceAlarmV', V_MV],
  ['cellDifferenceAlarmRecoveryV', V_MV],
  ['chargeRequestVoltageV', V_10MV],
  ['chargeRequestCurrentA', AMPS],
  ['dischargeRequestCurrentA', AMPS],
];

/** Every SPA setting by name, in its unit. */
export type SettingsBlock = Record<string, number>;

/** Names of the SPA settings in register order (0x1300 + index). */
export const SETTING_NAMES: readonly string[] = SPA_LAYOUT.map(([name]) => name);

const MAX_CELLS = 16;
const MAX_SENSORS = 8;

/** SPA, 0x6A registers: each documented register by name (the two trailing registers are reserved). */
export function decodeSettings(data: Buffer): Result<SettingsBlock> {
  const expected = CONFIG_BLOCKS.spa.quantity * 2;
  if (data.length !== expected) return { ok: false, reason: `SPA must be ${expected} bytes (got ${data.length})` };
  const settings: SettingsBlock = {};
  SPA_LAYOUT.forEach(([name, unit], i) => {
    const raw = unit.signed ? data.readInt16BE(i * 2) : data.readUInt16BE(i * 2);
    settings[name] = unit.kelvin ? Math.round(raw - 2731) / 10 : raw / unit.divisor;
  });
  if (settings.cellsInSeries < 1 || settings.cellsInSeries > MAX_CELLS)
    return { ok: false, reason: `SPA cells in series ${settings.cellsInSeries} out of range 1–${MAX_CELLS}` };
  if (settings.temperatureSensors > MAX_SENSORS)
    return {
      ok: false,
      reason: `SPA temperature sensors ${settings.temperatureSensors} out of range 0–${MAX_SENSORS}`,
    };
  return { ok: true, value: settings };
}

/** SPA register image of `settings` (names missing from it read 0; values are clamped to the register). */
export function encodeSettings(settings: SettingsBlock): Buffer {
  const data = Buffer.alloc(CONFIG_BLOCKS.spa.quantity * 2);
  SPA_LAYOUT.forEach(([name, unit], i) => {
    const value = settings[name] ?? 0;
    const raw = Math.round(unit.kelvin ? value * 10 + 2731 : value * unit.divisor);
    const [low, high] = unit.signed ? [-0x8000, 0x7fff] : [0, 0xffff];
    data.writeUInt16BE(Math.max(low, Math.min(high, raw)) & 0xffff, i * 2);
  });
  return data;
}

// ---------------------------------------------------------------------------------------------
// SFA: ten switch bytes, 1 = function enabled; '' marks a reserved bit.

/** Exported: the V2 0x47 switch bytes 1 and 2 use the same bit order as SFA bytes 0 and 1. */
export const SWITCH_NAMES: readonly (readonly string[])[] = [
  [
    'cellHighVoltageAlarm',
    'cellOverVoltageProtection',
    'cellLowVoltageAlarm',
    'cellUnderVoltageProtection',
    'packHighVoltageAlarm',
    'packOverVoltageProtection',
    'packLowVoltageAlarm',
    'packUnderVoltageProtection',
  ],
  [
    'chargeHighTemperatureAlarm',
    'chargeOverTemperatureProtection',
    'chargeLowTemperatureAlarm',
    'chargeUnderTemperatureProtection',
    'dischargeHighTemperatureAlarm',
    'dischargeOverTemperatureProtection',
    'dischargeLowTemperatureAlarm',
    'dischargeUnderTemperatureProtection',
  ],
  [
    'ambientHighTemperatureAlarm',
    'ambientOverTemperatureProtection',
    'ambientLowTemperatureAlarm',
    'ambientUnderTemperatureProtection',
    'powerHighTemperatureAlarm',
    'powerOverTemperatureProtection',
    'cellHeating',
    'cellVoltageFailure',
  ],
  ['bluetooth', 'cooling', 'capacityLedsAlwaysOn', 'snmp', 'wifi', 'dhcp', 'gyro', ''],
  [
    'chargeOverCurrentAlarm',
    'chargeOverCurrentProtection',
    'chargeOverCurrent2Protection',
    'dischargeOverCurrentAlarm',
    'dischargeOverCurrentProtection',
    'dischargeOverCurrent2Protection',
    'shortCircuitProtection',
    '',
  ],
  ['shortCircuitLockout', 'reverseConnectionProtection', 'chargeOverCurrent2Lockout', 'dischargeOverCurrent2Lockout'],
  [
    'lowSocAlarm',
    'intermittentTopUpCharge',
    'externalSwitchControl',
    'standbySleep',
    'historyRecording',
    'lowSocProtection',
    'activeCurrentLimiting',
    'passiveCurrentLimiting',
  ],
  ['balancing', 'staticBalancingIndication', 'staticBalancingTimeout', 'balancingTemperatureLimit'],
  [
    'buzzerAndLights',
    'lcdDisplay',
    'manualForcedOutput',
    'automaticForcedOutput',
    'underVoltageRecovery',
    'aerosolTest',
    'aerosolDisconnectMode',
    'currentSensorTemperatureCompensation',
  ],
  [
    'ntcFailureDetection',
    'afeFailureDetection',
    'chargeMosfetFailureDetection',
    'dischargeMosfetFailureDetection',
    'cellFailureDetection',
    'openWireDetection',
    'buttonFailureDetection',
    'aerosolAlarmFailureDetection',
  ],
];

/** Every documented switch name, byte by byte. */
export const SWITCH_NAME_LIST: readonly string[] = SWITCH_NAMES.flat().filter((name) => name !== '');

export interface FunctionSwitches {
  bytes: number[];
  /** Names of the enabled functions, in coil order. */
  enabled: string[];
}

/** SFA, 80 coils = 10 bytes. */
export function decodeFunctionSwitches(data: Buffer): Result<FunctionSwitches> {
  if (data.length !== SWITCH_NAMES.length)
    return { ok: false, reason: `SFA must be ${SWITCH_NAMES.length} bytes (got ${data.length})` };
  const enabled: string[] = [];
  SWITCH_NAMES.forEach((names, byte) =>
    names.forEach((name, bit) => {
      if (name && data[byte] & (1 << bit)) enabled.push(name);
    }),
  );
  return { ok: true, value: { bytes: [...data], enabled } };
}

/** SFA coil bytes with exactly the named functions enabled (unknown names are ignored). */
export function encodeFunctionSwitches(enabled: readonly string[]): Buffer {
  const data = Buffer.alloc(SWITCH_NAMES.length);
  SWITCH_NAMES.forEach((names, byte) =>
    names.forEach((name, bit) => {
      if (name && enabled.includes(name)) data[byte] |= 1 << bit;
    }),
  );
  return data;
}

// ---------------------------------------------------------------------------------------------
// SCA 0x1500 × 4: the system calendar. Byte 0 is the year's low byte, byte 1 its high byte (vendor
// table), then month, day, hour, minute, second and one reserved byte.

export interface Calendar {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** "YYYY-MM-DD hh:mm:ss", the BMS's own clock (no time zone). */
  text: string;
}

const two = (n: number): string => String(n).padStart(2, '0');

export function decodeCalendar(data: Buffer): Result<Calendar> {
  if (data.length !== 8) return { ok: false, reason: `SCA calendar must be 8 bytes (got ${data.length})` };
  const [month, day, hour, minute, second] = [...data.subarray(2, 7)];
  const year = data.readUInt16LE(0);
  const fields: Array<[string, number, number, number]> = [
    ['year', year, 1, 9999],
    ['month', month, 1, 12],
    ['day', day, 1, 31],
    ['hour', hour, 0, 23],
    ['minute', minute, 0, 59],
    ['second', second, 0, 59],
  ];
  const bad = fields.find(([, value, low, high]) => value < low || value > high);
  if (bad) return { ok: false, reason: `SCA calendar ${bad[0]} ${bad[1]} out of range ${bad[2]}–${bad[3]}` };
  const text = `${String(year).padStart(4, '0')}-${two(month)}-${two(day)} ${two(hour)}:${two(minute)}:${two(second)}`;
  return { ok: true, value: { year, month, day, hour, minute, second, text } };
}

/** The calendar bytes of a moment, read in UTC. */
export function encodeCalendar(epochMs: number): Buffer {
  const date = new Date(epochMs);
  const data = Buffer.alloc(8);
  data.writeUInt16LE(date.getUTCFullYear(), 0);
  data[2] = date.getUTCMonth() + 1;
  data[3] = date.getUTCDate();
  data[4] = date.getUTCHours();
  data[5] = date.getUTCMinutes();
  data[6] = date.getUTCSeconds();
  return data;
}
