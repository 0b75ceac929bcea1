/**
 * Seplos V2 payloads (the INFO of an answer, docs/protocols/seplos.md#v2-payloads): 0x42 telemetry,
 * 0x44 alarms, 0x47 parameters, 0x51 device info and 0x5A intra-pack records. Pure; nothing throws.
 */
import type { Result } from '../../core/result';
import { hex4 } from './protocol-seplos-v2';
import { CELL_MV_MAX, cellVoltageProblem, kelvin10ToC, printableText, temperatureInRange } from './seplos-shared';

/** Bounds-checked big-endian reader: a short payload becomes a reason, not an exception. */
class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  get left(): number {
    return this.buf.length - this.pos;
  }
  has(n: number): boolean {
    return this.left >= n;
  }
  u8(): number {
    return this.buf[this.pos++];
  }
  u16(): number {
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  s16(): number {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  bytes(n: number): Buffer {
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  /** The next n bytes as a plain array (a loop: spreading a Buffer goes through its iterator). */
  byteList(n: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(this.buf[this.pos++]);
    return out;
  }
}

export interface V2Telemetry {
  dataFlag: number;
  commandGroup: number;
  cellsMv: number[];
  temperaturesRaw: number[];
  cellTemperatures: number[];
  ambientTemperature: number;
  powerTemperature: number;
  current: number;
  voltage: number;
  remainingAh: number;
  customCount: number;
  fullAh: number;
  soc: number;
  designAh: number;
  cycles: number;
  soh: number;
  portVoltage?: number;
  /** The four words after the port voltage (fw 16.x fills them), as 4 hex chars each. */
  reservedWordsHex?: string[];
}

/** Cell and sensor counts a real pack can have; anything else is a corrupt or foreign frame. */
const CELLS_MIN = 1;
const CELLS_MAX = 32;
const TEMPS_MIN = 2;
const TEMPS_MAX = 16;

/** CID2 0x42 answer (docs/protocols/seplos.md#v2-telemetry): parsed by the cell and sensor counts, never by fixed offsets. */
export function decodeTelemetry(info: Buffer): Result<V2Telemetry> {
  const r = new Reader(info);
  if (!r.has(3)) return { ok: false, reason: 'telemetry too short' };
  const dataFlag = r.u8();
  const commandGroup = r.u8();
  const m = r.u8();
  if (m < CELLS_MIN || m > CELLS_MAX) return { ok: false, reason: `cell count ${m} out of range` };
  if (!r.has(2 * m + 1)) return { ok: false, reason: 'telemetry too short for its cells' };
  const cellsMv: number[] = [];
  for (let i = 0; i < m; i++) cellsMv.push(r.u16());
  const n = r.u8();
  if (n < TEMPS_MIN || n > TEMPS_MAX) return { ok: false, reason: `temperature count ${n} out of range` };
  // Everything up to SOH is required; port voltage and reserved words are optional.
  if (!r.has(2 * n + 17)) return { ok: false, reason: 'telemetry too short for its fields' };
  const temperaturesRaw: number[] = [];
  for (let j = 0; j < n; j++) temperaturesRaw.push(r.u16());
  const current = r.s16() / 100;
  const voltage = r.u16() / 100;
  const remainingAh = r.u16() / 100;
  const customCount = r.u8();
  const fullAh = r.u16() / 100;
  const soc = r.u16() / 10;
  const designAh = r.u16() / 100;
  const cycles = r.u16();
  const soh = r.u16() / 10;
  const portVoltage = r.has(2) ? r.u16() / 100 : undefined;
  const reservedWordsHex = r.has(8) ? [0, 1, 2, 3].map(() => hex4(r.u16())) : undefined;

  const cellProblem = cellVoltageProblem(cellsMv);
  if (cellProblem) return { ok: false, reason: cellProblem };
  const temps = temperaturesRaw.map(kelvin10ToC);
  const badT = temps.findIndex((t) => !temperatureInRange(t));
  if (badT >= 0) return { ok: false, reason: `temperature ${badT + 1} (${temps[badT]} °C) out of range` };
  if (soc > 100) return { ok: false, reason: `SOC ${soc} % out of range` };
  if (soh > 100) return { ok: false, reason: `SOH ${soh} % out of range` };
  return {
    ok: true,
    value: {
      dataFlag,
      commandGroup,
      cellsMv,
      temperaturesRaw,
      cellTemperatures: temps.slice(0, n - 2),
      ambientTemperature: temps[n - 2],
      powerTemperature: temps[n - 1],
      current,
      voltage,
      remainingAh,
      customCount,
      fullAh,
      soc,
      designAh,
      cycles,
      soh,
      portVoltage,
      reservedWordsHex,
    },
  };
}

export interface V2AlarmInfo {
  dataFlag: number;
  commandGroup: number;
  cellLimitStates: number[];
  temperatureLimitStates: number[];
  currentLimitState: number;
  packVoltageLimitState: number;
  customCount: number;
  /** Alarm events 1–6. */
  events: number[];
  switchState: number;
  /** Bit k = cell k+1. */
  balancingBitmap: number;
  systemState: number;
  disconnectionBitmap: number;
  event7: number;
  event8: number;
  trailingBytes: number[];
}

/** CID2 0x44 answer (docs/protocols/seplos.md#v2-alarms). */
export function decodeAlarms(info: Buffer): Result<V2AlarmInfo> {
  const r = new Reader(info);
  if (!r.has(3)) return { ok: false, reason: 'alarm answer too short' };
  const dataFlag = r.u8();
  const commandGroup = r.u8();
  const m = r.u8();
  if (m < CELLS_MIN || m > CELLS_MAX) return { ok: false, reason: `cell count ${m} out of range` };
  if (!r.has(m + 1)) return { ok: false, reason: 'alarm answer too short for its cells' };
  const cellLimitStates = r.byteList(m);
  const n = r.u8();
  if (n < TEMPS_MIN || n > TEMPS_MAX) return { ok: false, reason: `temperature count ${n} out of range` };
  if (!r.has(n + 3)) return { ok: false, reason: 'alarm answer too short for its sensors' };
  const temperatureLimitStates = r.byteList(n);
  const currentLimitState = r.u8();
  const packVoltageLimitState = r.u8();
  const customCount = r.u8();
  // The 14 flag bytes up to alarm event 8 are required; the reserved tail varies by firmware.
  if (customCount < 14 || !r.has(14)) return { ok: false, reason: 'alarm answer too short for its flag bytes' };
  const events = r.byteList(6);
  const switchState = r.u8();
  const balancingBitmap = r.u8() | (r.u8() << 8);
  const systemState = r.u8();
  const disconnectionBitmap = r.u8() | (r.u8() << 8);
  const event7 = r.u8();
  const event8 = r.u8();
  const trailingBytes = r.byteList(r.left);
  return {
    ok: true,
    value: {
      dataFlag,
      commandGroup,
      cellLimitStates,
      temperatureLimitStates,
      currentLimitState,
      packVoltageLimitState,
      customCount,
      events,
      switchState,
      balancingBitmap,
      systemState,
      disconnectionBitmap,
      event7,
      event8,
      trailingBytes,
    },
  };
}

export interface V2DeviceInfo {
  deviceName: string;
  firmware: string;
  firmwareMajor: number;
  firmwareMinor: number;
  /** Manufacturer or the active CAN protocol, e.g. "CAN:PNG_DYE_Luxp_TBB". */
  manufacturer: string;
}

/** CID2 0x51 answer (docs/protocols/seplos.md#v2-device-info). */
export function decodeDeviceInfo(info: Buffer): Result<V2DeviceInfo> {
  if (info.length < 12) return { ok: false, reason: 'device info too short' };
  const firmwareMajor = info[10];
  const firmwareMinor = info[11];
  return {
    ok: true,
    value: {
      deviceName: printableText(info.subarray(0, 10)),
      firmwareMajor,
      firmwareMinor,
      firmware: `${firmwareMajor}.${String(firmwareMinor).padStart(2, '0')}`,
      manufacturer: printableText(info.subarray(12, 32)),
    },
  };
}

export type ParamUnit = 'mV' | '10mV' | 'K' | 'cA' | 'cAh' | 'raw';
/** Engineering value of a raw parameter word by its encoding (centiamperes are signed). */
const FROM_RAW: Record<ParamUnit, (raw: number) => number> = {
  mV: (raw) => raw / 1000,
  '10mV': (raw) => raw / 100,
  K: kelvin10ToC,
  cA: (raw) => (raw >= 0x8000 ? raw - 0x10000 : raw) / 100,
  cAh: (raw) => raw / 100,
  raw: (raw) => raw,
};
/** 0x47 u16 parameter table (docs/protocols/seplos.md#v2-parameters): index → [name, encoding]. */
export const U16_PARAMS: Array<[string, ParamUnit]> = [
  ['cellHighVoltageAlarmV', 'mV'],
  ['cellHighVoltageRecoveryV', 'mV'],
  ['cellLowVoltageAlarmV', 'mV'],
  ['cellLowVoltageRecoveryV', 'mV'],
  ['cellOverVoltageProtectionV', 'mV'],
  ['cellOverVoltageRecoveryV', 'mV'],
  ['cellUnderVoltageProtectionV', 'mV'],
  ['cellUnderVoltageRecoveryV', 'mV'],
  ['balancingStartVoltageV', 'mV'],
  ['cellChargeForbiddenBelowV', 'mV'],
  ['packHighVoltageAlarmV', '10mV'],
  ['packHighVoltageRecoveryV', '10mV'],
  ['packLowVoltageAlarmV', '10mV'],
  ['packLowVoltageRecoveryV', '10mV'],
  ['packOverVoltageProtectionV', '10mV'],
  ['packOverVoltageRecoveryV', '10mV'],
  ['packUnderVoltageProtectionV', '10mV'],
  ['packUnderVoltageRecoveryV', '10mV'],
  ['chargerOverVoltageProtectionV', '10mV'],
  ['chargerOverVoltageRecoveryV', '10mV'],
  ['chargeHighTempAlarmC', 'K'],
  ['chargeHighTempRecoveryC', 'K'],
  ['chargeLowTempAlarmC', 'K'],
  ['chargeLowTempRecoveryC', 'K'],
  ['chargeOverTempProtectionC', 'K'],
  ['chargeOverTempRecoveryC', 'K'],
  ['chargeUnderTempProtectionC', 'K'],
  ['chargeUnderTempRecoveryC', 'K'],
  ['dischargeHighTempAlarmC', 'K'],
  ['dischargeHighTempRecoveryC', 'K'],
  ['dischargeLowTempAlarmC', 'K'],
  ['dischargeLowTempRecoveryC', 'K'],
  ['dischargeOverTempProtectionC', 'K'],
  ['dischargeOverTempRecoveryC', 'K'],
  ['dischargeUnderTempProtectionC', 'K'],
  ['dischargeUnderTempRecoveryC', 'K'],
  ['cellHeatingOnBelowC', 'K'],
  ['cellHeatingOffAboveC', 'K'],
  ['ambientHighTempAlarmC', 'K'],
  ['ambientHighTempRecoveryC', 'K'],
  ['ambientLowTempAlarmC', 'K'],
  ['ambientLowTempRecoveryC', 'K'],
  ['ambientOverTempProtectionC', 'K'],
  ['ambientOverTempRecoveryC', 'K'],
  ['ambientUnderTempProtectionC', 'K'],
  ['ambientUnderTempRecoveryC', 'K'],
  ['powerHighTempAlarmC', 'K'],
  ['powerHighTempRecoveryC', 'K'],
  ['powerOverTempProtectionC', 'K'],
  ['powerOverTempRecoveryC', 'K'],
  ['chargeOverCurrentAlarmA', 'cA'],
  ['chargeOverCurrentRecoveryA', 'cA'],
  ['dischargeOverCurrentAlarmA', 'cA'],
  ['dischargeOverCurrentRecoveryA', 'cA'],
  ['chargeOverCurrentProtectionA', 'cA'],
  ['dischargeOverCurrentProtectionA', 'cA'],
  ['transientOverCurrentProtectionA', 'cA'],
  ['outputSoftStartDelayMs', 'raw'],
  ['ratedCapacityAh', 'cAh'],
  ['remainingCapacitySettingAh', 'cAh'],
];
/** 0x47 u8 parameters 0x3C…. */
export const U8_PARAMS = [
  'cellDifferenceFault10mV',
  'cellDifferenceRecovery10mV',
  'balancingStartDifferenceMv',
  'balancingStopDifferenceMv',
  'staticBalancingTimeH',
  'cellsInSeries',
  'chargeOverCurrentDelayS',
  'dischargeOverCurrentDelayS',
  'transientOverCurrentDelayMs',
  'overCurrentRecoveryDelayS',
  'overCurrentLockCount',
  'chargeCurrentLimitDurationMin',
  'chargeActivationDelayMin',
  'chargeActivationIntervalH',
  'chargeActivationAttempts',
  'workRecordIntervalMin',
  'standbyRecordIntervalMin',
  'standbyShutdownDelayH',
  'remainingCapacityAlarmPct',
  'remainingCapacityProtectionPct',
  'intermittentRechargePct',
  'cycleCumulativeCapacityPct',
  'connectionFaultImpedance0p1mOhm',
  'compensation1Cell',
  'compensation1Resistance0p1mOhm',
  'compensation2Cell',
  'compensation2Resistance0p1mOhm',
];

export interface V2Parameters {
  firstByte: number;
  /** Raw u16 words in order (index = parameter number). */
  u16Raw: number[];
  u8Raw: number[];
  /** Parameters by name in engineering units (V, A, °C, Ah) or their raw unit (name suffix). */
  values: Record<string, number>;
  functionSwitchBytesHex: string;
  deviceName: string;
}

/** CID2 0x47 answer (docs/protocols/seplos.md#v2-parameters), read-only. */
export function decodeParameters(info: Buffer): Result<V2Parameters> {
  const r = new Reader(info);
  if (!r.has(2)) return { ok: false, reason: 'parameter answer too short' };
  const firstByte = r.u8();
  const nWords = r.u8();
  if (!r.has(2 * nWords + 1)) return { ok: false, reason: 'parameter answer too short for its words' };
  const u16Raw: number[] = [];
  for (let i = 0; i < nWords; i++) u16Raw.push(r.u16());
  const nBytes = r.u8();
  if (!r.has(nBytes + 1)) return { ok: false, reason: 'parameter answer too short for its bytes' };
  const u8Raw = r.byteList(nBytes);
  const nSwitch = r.u8();
  if (!r.has(nSwitch)) return { ok: false, reason: 'parameter answer too short for its switch bytes' };
  const functionSwitchBytesHex = r.bytes(nSwitch).toString('hex').toUpperCase();
  const deviceName = printableText(r.bytes(r.left));
  const values: Record<string, number> = {};
  U16_PARAMS.forEach(([name, unit], i) => {
    if (i >= u16Raw.length) return;
    values[name] = FROM_RAW[unit](u16Raw[i]);
  });
  U8_PARAMS.forEach((name, k) => {
    if (k < u8Raw.length) values[name] = u8Raw[k];
  });
  return { ok: true, value: { firstByte, u16Raw, u8Raw, values, functionSwitchBytesHex, deviceName } };
}

export interface V2IntraPack {
  recordFlag: number;
  highestCellMv: number;
  lowestCellMv: number;
  highestCellTemperature: number;
  lowestCellTemperature: number;
  current: number;
  voltage: number;
  remainingAh: number;
  fullAh: number;
  soc: number;
  portVoltage: number;
  events: number[];
  switchState: number;
  event7: number;
  event8: number;
  systemState: number;
}

/** CID2 0x5A intra-pack record, sniffed on the RS485-1/2 parallel bus (docs/protocols/seplos.md#v2-intra-pack). */
export function decodeIntraPack(info: Buffer): Result<V2IntraPack> {
  if (info.length < 32) return { ok: false, reason: 'intra-pack record too short' };
  const r = new Reader(info);
  const v: V2IntraPack = {
    recordFlag: r.u16(),
    highestCellMv: r.u16(),
    lowestCellMv: r.u16(),
    highestCellTemperature: kelvin10ToC(r.u16()),
    lowestCellTemperature: kelvin10ToC(r.u16()),
    current: r.s16() / 100,
    voltage: r.u16() / 100,
    remainingAh: r.u16() / 100,
    fullAh: r.u16() / 100,
    soc: r.u16() / 10,
    portVoltage: r.u16() / 100,
    events: r.byteList(6),
    switchState: r.u8(),
    event7: r.u8(),
    event8: r.u8(),
    systemState: r.u8(),
  };
  if (v.highestCellMv > CELL_MV_MAX || v.lowestCellMv > CELL_MV_MAX)
    return { ok: false, reason: 'cell voltage out of range' };
  for (const t of [v.highestCellTemperature, v.lowestCellTemperature]) {
    if (!temperatureInRange(t)) return { ok: false, reason: `temperature ${t} °C out of range` };
  }
  if (v.soc > 100) return { ok: false, reason: `SOC ${v.soc} % out of range` };
  return { ok: true, value: v };
}
