/**
 * JK readings → the common PackState (docs/protocols/jk-bms.md#mapping-to-packstate). Every alarm bit of both alarm
 * words is either mapped to an AlarmName or named in `extra.alarmFlags`, so nothing is lost.
 */
import type { AlarmLevel, AlarmName, Alarms, PackProtocol, PackState } from '../../core/pack-state';
import { plausiblePack } from '../../core/plausibility';
import type { Result } from '../../core/result';
import type { LiveReading } from './jk-blocks';
import type { NwReading } from './protocol-jk-nw';

export interface BitMeaning {
  flag: string;
  alarms?: AlarmName[];
  level?: AlarmLevel;
}

const A = (flag: string, alarms: AlarmName[], level: AlarmLevel = 'alarm'): BitMeaning => ({ flag, alarms, level });
const info = (flag: string): BitMeaning => ({ flag });

/** NW warning word 0x8B (docs/protocols/jk-bms.md#nw-warning-word). */
export const NW_ALARM_BITS: BitMeaning[] = [
  info('lowCapacity'),
  A('mosOverTemperature', ['mosOverTemperature']),
  A('chargeOverVoltage', ['packOverVoltage']),
  A('dischargeUnderVoltage', ['packUnderVoltage']),
  A('batteryOverTemperature', ['chargeOverTemperature', 'dischargeOverTemperature']),
  A('chargeOverCurrent', ['chargeOverCurrent']),
  A('dischargeOverCurrent', ['dischargeOverCurrent']),
  A('cellVoltageDifference', ['cellImbalance']),
  A('boxOverTemperature', ['chargeOverTemperature', 'dischargeOverTemperature']),
  A('batteryUnderTemperature', ['chargeUnderTemperature', 'dischargeUnderTemperature']),
  A('cellOverVoltage', ['cellOverVoltage']),
  A('cellUnderVoltage', ['cellUnderVoltage']),
  A('protection309A', ['internal']),
  A('protection309B', ['internal']),
  info('reserved14'),
  info('reserved15'),
];

/** PB / JK02 alarm word (docs/protocols/jk-bms.md#jk02-alarm-word). */
export const PB_ALARM_BITS: BitMeaning[] = [
  A('wireResistanceHigh', ['internal'], 'warn'),
  A('mosOverTemperature', ['mosOverTemperature']),
  A('cellCountMismatch', ['internal']),
  A('currentSensorFault', ['internal']),
  // Set at the end of every full charge with the charge FET off: a protection, but a normal one.
  A('cellOverVoltage', ['cellOverVoltage'], 'warn'),
  A('packOverVoltage', ['packOverVoltage']),
  A('chargeOverCurrent', ['chargeOverCurrent']),
  A('chargeShortCircuit', ['shortCircuit']),
  A('chargeOverTemperature', ['chargeOverTemperature']),
  A('chargeUnderTemperature', ['chargeUnderTemperature']),
  A('coprocessorCommError', ['internal']),
  A('cellUnderVoltage', ['cellUnderVoltage']),
  A('packUnderVoltage', ['packUnderVoltage']),
  A('dischargeOverCurrent', ['dischargeOverCurrent']),
  A('dischargeShortCircuit', ['shortCircuit']),
  A('dischargeOverTemperature', ['dischargeOverTemperature']),
  A('chargeMosFault', ['internal']),
  A('dischargeMosFault', ['internal']),
  info('gpsDisconnected'),
  info('changePasswordReminder'),
  A('dischargeSwitchOnFailed', ['internal']),
  A('batteryOverTemperature', ['chargeOverTemperature', 'dischargeOverTemperature']),
  A('temperatureSensorFault', ['internal']),
  A('parallelModuleFault', ['internal']),
  A('scpReleaseFailed', ['internal']),
  A('dischargeOverCurrent2', ['dischargeOverCurrent']),
  A('dischargeOverCurrent3', ['dischargeOverCurrent']),
  A('dischargeUnderTemperature', ['dischargeUnderTemperature']),
  info('gpsRemoteLock'),
  info('bit29'),
  info('bit30'),
  info('bit31'),
];

/** Active bits → alarms (the stronger level wins) and the list of active flag names. */
export function decodeAlarmWord(word: number, bits: BitMeaning[]): { alarms: Alarms; flags: string[] } {
  const alarms: Alarms = {};
  const flags: string[] = [];
  for (let bit = 0; bit < bits.length; bit++) {
    if (((word >>> bit) & 1) === 0) continue;
    const m = bits[bit];
    flags.push(m.flag);
    if (m.alarms) for (const a of m.alarms) if (alarms[a] !== 'alarm') alarms[a] = m.level;
  }
  return { alarms, flags };
}

export interface PackMeta {
  id: string;
  address?: number;
  time: number;
  protocol: PackProtocol;
}

const numberOrUndefined = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const LIVE_EXTRA_KEYS = [
  'balancerState',
  'heatingOn',
  'prechargeOn',
  'totalCycleCapacityAh',
  'runtimeSeconds',
  'userAlarm',
  'wireResistanceAlarmMask',
];

/** Live block (PB Modbus) or JK02 cell-info frame → PackState, or the reason it is implausible. */
export function liveToPackState(live: LiveReading, meta: PackMeta): Result<PackState> {
  const { alarms, flags } = decodeAlarmWord(live.alarmsRaw, PB_ALARM_BITS);
  const t = live.temperatures;
  // Sensor-present mask (32S only): b1 T1, b2 T2, b4 T4, b5 T5. T3 repeats the MOS value on PB.
  const present = typeof live.temperatureSensorPresentMask === 'number' ? live.temperatureSensorPresentMask : 0b110;
  const temperatures: number[] = [];
  if (present & 0b10) temperatures.push(t.t1);
  if (present & 0b100) temperatures.push(t.t2);
  if (present & 0b10000 && t.t4 !== undefined) temperatures.push(t.t4);
  if (present & 0b100000 && t.t5 !== undefined) temperatures.push(t.t5);
  const extra: Record<string, unknown> = {
    layout: live.layout,
    alarmsRaw: live.alarmsRaw,
    alarmFlags: flags,
    cellResistancesMilliOhm: live.cellResistancesMilliOhm,
  };
  for (const k of LIVE_EXTRA_KEYS) {
    if (live[k] !== undefined) extra[k] = live[k];
  }
  // Built key by key (same order as the contract lists them) rather than from conditional spreads,
  // which allocate a throw-away object per optional field.
  const pack: PackState = { kind: 'pack', id: meta.id, protocol: meta.protocol } as PackState;
  if (meta.address !== undefined) pack.address = meta.address;
  pack.time = meta.time;
  pack.voltage = live.packVoltage;
  pack.current = live.current;
  pack.soc = live.soc;
  const soh = numberOrUndefined(live.soh);
  if (soh !== undefined && soh <= 100) pack.soh = soh;
  pack.cells = live.cellVoltages;
  pack.temperatures = temperatures;
  pack.mosTemperature = t.mos;
  const remainingAh = numberOrUndefined(live.remainingCapacityAh);
  if (remainingAh !== undefined) pack.remainingAh = remainingAh;
  const fullAh = numberOrUndefined(live.fullChargeCapacityAh);
  if (fullAh !== undefined) pack.fullAh = fullAh;
  const cycles = numberOrUndefined(live.cycles);
  if (cycles !== undefined) pack.cycles = cycles;
  pack.chargeAllowed = live.chargeFetOn;
  pack.dischargeAllowed = live.dischargeFetOn;
  const balancerState = numberOrUndefined(live.balancerState);
  if (balancerState !== undefined) pack.balancing = balancerState !== 0;
  const balanceCurrent = numberOrUndefined(live.balanceCurrent);
  if (balanceCurrent !== undefined) pack.balanceCurrent = balanceCurrent;
  pack.alarms = alarms;
  pack.extra = extra;
  return plausiblePack(pack, { frameCellCount: live.cellCount });
}

export interface NwPackOptions {
  /** Some early firmware reports the current with the sign inverted (docs/protocols/jk-bms.md#nw-current). */
  invertCurrent?: boolean;
}

/** NW read-all answer → PackState, or the reason it is implausible. */
export function nwToPackState(nw: NwReading, meta: PackMeta, opts: NwPackOptions = {}): Result<PackState> {
  const { alarms, flags } = decodeAlarmWord(nw.warningsRaw, NW_ALARM_BITS);
  const design = typeof nw.nominalCapacityAh === 'number' ? nw.nominalCapacityAh : undefined;
  const actual = typeof nw.actualCapacityAh === 'number' && nw.actualCapacityAh > 0 ? nw.actualCapacityAh : design;
  const current = opts.invertCurrent ? -nw.current + 0 : nw.current;
  const extra: Record<string, unknown> = {
    warningsRaw: nw.warningsRaw,
    statusRaw: nw.statusRaw,
    alarmFlags: flags,
    protocolVersion: nw.protocolVersion,
  };
  for (const k of [
    'chargeSwitch',
    'dischargeSwitch',
    'balancerSwitch',
    'softwareVersion',
    'manufacturerId',
    'totalCycleCapacityAh',
    'runtimeMinutes',
  ]) {
    if (nw[k] !== undefined && nw[k] !== null) extra[k] = nw[k];
  }
  const pack: PackState = {
    kind: 'pack',
    id: meta.id,
    protocol: 'jk-nw',
    ...(meta.address !== undefined ? { address: meta.address } : {}),
    time: meta.time,
    voltage: nw.packVoltage,
    current,
    soc: nw.soc,
    cells: nw.cellVoltages,
    temperatures: [nw.temperatures.t1, nw.temperatures.t2],
    mosTemperature: nw.temperatures.mos,
    ...(actual !== undefined ? { remainingAh: Math.round(actual * nw.soc) / 100, fullAh: actual } : {}),
    ...(design !== undefined ? { designAh: design } : {}),
    ...(typeof nw.cycles === 'number' ? { cycles: nw.cycles } : {}),
    chargeAllowed: nw.chargeFetOn,
    dischargeAllowed: nw.dischargeFetOn,
    balancing: nw.balancerOn,
    alarms,
    extra,
  };
  // Item 0x8A is the BMS's own count of cells in series; the 0x79 list must hold that many.
  const stated = typeof nw.cellCountReported === 'number' ? nw.cellCountReported : nw.cellCount;
  return plausiblePack(pack, { frameCellCount: stated });
}
