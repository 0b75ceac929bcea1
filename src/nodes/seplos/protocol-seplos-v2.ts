/**
 * Seplos V2 (10C/10E/11E, "SEPLOS BMS Communication Protocol V2.0"): ASCII-hex frames
 * `~ VER ADR CID1 CID2 LENGTH INFO CHKSUM CR` (docs/protocols/seplos.md#v2-frames, #v2-payloads).
 * Pure: frame codec, payload decoders (0x42, 0x44, 0x47, 0x51, 0x5A), request builders, framer,
 * and the mapping to PackState. Decoders never throw: they return `{ ok: false, reason }`.
 */
import type { Framer } from '../../transport/framer';
import type { AlarmLevel, Alarms, PackState } from '../../core/pack-state';
import { type BitMeaning, applyBitTable } from './alarm-bits';

export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

export const V2_VERSION = 0x20;
export const V2_CID1 = 0x46;
const SOI = 0x7e;
const EOI = 0x0d;

export const CID2 = {
  telemetry: 0x42,
  alarms: 0x44,
  parameters: 0x47,
  protocolVersion: 0x4f,
  deviceInfo: 0x51,
  intraPack: 0x5a,
} as const;

export const RETURN_CODES: Record<number, string> = {
  0x00: 'OK',
  0x01: 'version error',
  0x02: 'checksum error',
  0x03: 'length checksum error',
  0x04: 'command not supported',
  0x05: 'command format error',
  0x06: 'invalid data',
  0x07: 'no data',
  0xe1: 'CID1 invalid',
  0xe2: 'command execution failed',
  0xe3: 'device fault',
  0xe4: 'no permission',
};

export interface V2Frame {
  ver: number;
  adr: number;
  cid1: number;
  /** CID2 in a request, RTN in an answer (0x5A in an intra-pack record). */
  code: number;
  /** INFO length in ASCII characters. */
  lenid: number;
  info: Buffer;
  /** The CHKSUM as sent, 4 hex chars. */
  chksum: string;
}

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');
const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');

/** LCHKSUM: two's complement mod 16 of the sum of the three LENID nibbles (docs/protocols/seplos.md#v2-length-checksum). */
export function lengthChecksum(lenid: number): number {
  const sum = (lenid & 0xf) + ((lenid >> 4) & 0xf) + ((lenid >> 8) & 0xf);
  return (16 - (sum % 16)) % 16;
}

/** CHKSUM: 16-bit two's complement of the sum of all chars between `~` and the checksum (docs/protocols/seplos.md#v2-frame-checksum). */
export function frameChecksum(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += body.charCodeAt(i);
  return (0x10000 - (sum & 0xffff)) & 0xffff;
}

/** Builds a whole frame (request or, in the simulator, an answer). */
export function encodeFrame(adr: number, code: number, info: Buffer = Buffer.alloc(0), ver = V2_VERSION): string {
  const lenid = info.length * 2;
  const length = lenid === 0 ? 0 : (lengthChecksum(lenid) << 12) | lenid;
  const body = hex2(ver) + hex2(adr) + hex2(V2_CID1) + hex2(code) + hex4(length) + info.toString('hex').toUpperCase();
  return `~${body}${hex4(frameChecksum(body))}\r`;
}

/**
 * Request for one pack. INFO = the address for 0x42/0x44/0x47 (the BMS checks it against its DIP
 * address on RS485, docs/protocols/seplos.md#v2-requests); 0x51/0x4F/0x5A carry no INFO.
 */
export function buildRequest(adr: number, cid2: number): Buffer {
  const withAddress = cid2 === CID2.telemetry || cid2 === CID2.alarms || cid2 === CID2.parameters;
  return Buffer.from(encodeFrame(adr, cid2, withAddress ? Buffer.from([adr]) : undefined), 'latin1');
}

const isHexChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const MAX_FRAME = 18 + 0xfff;

/**
 * Framer for the bus and for listening: a frame runs from `~` to CR and holds only hex chars in
 * between; anything else is garbage and we resynchronise on the next `~` (docs/protocols/seplos.md#v2-layout).
 */
export const v2Framer: Framer = (buf) => {
  if (buf[0] !== SOI) {
    const next = buf.indexOf(SOI);
    return { kind: 'garbage', skip: next < 0 ? buf.length : next };
  }
  for (let i = 1; i < buf.length; i++) {
    const c = buf[i];
    if (c === EOI) return i >= 17 ? { kind: 'complete', length: i + 1 } : { kind: 'garbage', skip: i + 1 };
    if (!isHexChar(c) || i >= MAX_FRAME) return { kind: 'garbage', skip: c === SOI ? i : i + 1 };
  }
  return { kind: 'incomplete' };
};

/** The byte written as two hex chars at position i of a frame text. */
function hexByte(t: string, i: number): number {
  return parseInt(t.slice(i, i + 2), 16);
}

/** Parses one frame (text or bytes, trailing CR optional) and checks both checksums. */
export function parseFrame(raw: string | Buffer): Result<V2Frame> {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const t = text.endsWith('\r') ? text.slice(0, -1) : text;
  if (t[0] !== '~') return { ok: false, reason: 'frame does not start with ~' };
  if (t.length < 17) return { ok: false, reason: `frame too short (${t.length + 1} chars)` };
  if (!/^[0-9A-Fa-f]+$/.test(t.slice(1))) return { ok: false, reason: 'frame holds non-hex characters' };
  const length = parseInt(t.slice(9, 13), 16);
  const lenid = length & 0xfff;
  if (t.length !== 17 + lenid)
    return { ok: false, reason: `length mismatch: LENID ${lenid} but ${t.length - 17} INFO chars` };
  if (lenid % 2 !== 0) return { ok: false, reason: `odd LENID ${lenid}` };
  const lchk = length >> 12;
  const lchkExpected = lenid === 0 ? 0 : lengthChecksum(lenid);
  if (lchk !== lchkExpected)
    return { ok: false, reason: `LCHKSUM mismatch (got ${lchk.toString(16)}, expected ${lchkExpected.toString(16)})` };
  const body = t.slice(1, 13 + lenid);
  const chksum = t.slice(13 + lenid, 17 + lenid);
  const expected = hex4(frameChecksum(body));
  if (chksum !== expected) return { ok: false, reason: `CHKSUM mismatch (got ${chksum}, expected ${expected})` };
  const ver = hexByte(t, 1);
  if (ver !== V2_VERSION) return { ok: false, reason: `unsupported VER 0x${hex2(ver)} (Seplos V2 is 0x20)` };
  const cid1 = hexByte(t, 5);
  if (cid1 !== V2_CID1) return { ok: false, reason: `unexpected CID1 0x${hex2(cid1)}` };
  return {
    ok: true,
    value: {
      ver,
      adr: hexByte(t, 3),
      cid1,
      code: hexByte(t, 7),
      lenid,
      info: Buffer.from(t.slice(13, 13 + lenid), 'hex'),
      chksum,
    },
  };
}

/** An answer with RTN ≠ 0 is an error report, not data (docs/protocols/seplos.md#v2-return-codes). */
export function checkReturnCode(frame: V2Frame): Result<V2Frame> {
  if (frame.code === 0x00) return { ok: true, value: frame };
  const what = RETURN_CODES[frame.code] ?? 'unknown return code';
  return { ok: false, reason: `BMS answered RTN 0x${hex2(frame.code)} (${what})` };
}

// ---------------------------------------------------------------------------------------------
// Payloads

/** 0.1 K → °C with the vendor offset 2731, rounded to 0.1 °C. */
export const kelvin10ToC = (raw: number): number => Math.round(raw - 2731) / 10;

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
const CELL_MV_MAX = 5000;
const TEMP_C_MIN = -50;
const TEMP_C_MAX = 150;

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

  const bad = cellsMv.findIndex((v) => v > CELL_MV_MAX);
  if (bad >= 0) return { ok: false, reason: `cell ${bad + 1} voltage ${cellsMv[bad]} mV out of range` };
  const temps = temperaturesRaw.map(kelvin10ToC);
  const badT = temps.findIndex((t) => t < TEMP_C_MIN || t > TEMP_C_MAX);
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

const ascii = (b: Buffer): string =>
  b
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '')
    .trim();

/** CID2 0x51 answer (docs/protocols/seplos.md#v2-device-info). */
export function decodeDeviceInfo(info: Buffer): Result<V2DeviceInfo> {
  if (info.length < 12) return { ok: false, reason: 'device info too short' };
  const firmwareMajor = info[10];
  const firmwareMinor = info[11];
  return {
    ok: true,
    value: {
      deviceName: ascii(info.subarray(0, 10)),
      firmwareMajor,
      firmwareMinor,
      firmware: `${firmwareMajor}.${String(firmwareMinor).padStart(2, '0')}`,
      manufacturer: ascii(info.subarray(12, 32)),
    },
  };
}

type ParamUnit = 'mV' | '10mV' | 'K' | 'cA' | 'cAh' | 'raw';
/** 0x47 u16 parameter table (docs/protocols/seplos.md#v2-parameters): index → [name, encoding]. */
const U16_PARAMS: Array<[string, ParamUnit]> = [
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
const U8_PARAMS = [
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
  const deviceName = ascii(r.bytes(r.left));
  const values: Record<string, number> = {};
  U16_PARAMS.forEach(([name, unit], i) => {
    if (i >= u16Raw.length) return;
    const raw = u16Raw[i];
    const signed = raw >= 0x8000 ? raw - 0x10000 : raw;
    values[name] =
      unit === 'mV'
        ? raw / 1000
        : unit === '10mV'
          ? raw / 100
          : unit === 'K'
            ? kelvin10ToC(raw)
            : unit === 'cA'
              ? signed / 100
              : unit === 'cAh'
                ? raw / 100
                : raw;
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
    if (t < TEMP_C_MIN || t > TEMP_C_MAX) return { ok: false, reason: `temperature ${t} °C out of range` };
  }
  if (v.soc > 100) return { ok: false, reason: `SOC ${v.soc} % out of range` };
  return { ok: true, value: v };
}

// ---------------------------------------------------------------------------------------------
// Alarm bits (docs/protocols/seplos.md#v2-alarm-bits) → AlarmName or extra flags. Every bit has a meaning here.

const W: AlarmLevel = 'warn';
const A: AlarmLevel = 'alarm';
const EVENT_BITS: BitMeaning[][] = [
  [
    // event 1: hardware faults
    { flag: 'voltageSensorFault', alarm: ['internal', A] },
    { flag: 'temperatureSensorFault', alarm: ['internal', A] },
    { flag: 'currentSensorFault', alarm: ['internal', A] },
    { flag: 'keySwitchFault', alarm: ['internal', W] },
    { flag: 'cellVoltageDifferenceFault', alarm: ['cellImbalance', A] },
    { flag: 'chargeFetFault', alarm: ['internal', A] },
    { flag: 'dischargeFetFault', alarm: ['internal', A] },
    { flag: 'currentLimitSwitchFault', alarm: ['internal', W] },
  ],
  [
    // event 2: voltages
    { flag: 'cellHighVoltageWarning', alarm: ['cellOverVoltage', W] },
    { flag: 'cellOverVoltageProtection', alarm: ['cellOverVoltage', A], blocks: 'charge' },
    { flag: 'cellLowVoltageWarning', alarm: ['cellUnderVoltage', W] },
    { flag: 'cellUnderVoltageProtection', alarm: ['cellUnderVoltage', A], blocks: 'discharge' },
    { flag: 'packHighVoltageWarning', alarm: ['packOverVoltage', W] },
    { flag: 'packOverVoltageProtection', alarm: ['packOverVoltage', A], blocks: 'charge' },
    { flag: 'packLowVoltageWarning', alarm: ['packUnderVoltage', W] },
    { flag: 'packUnderVoltageProtection', alarm: ['packUnderVoltage', A], blocks: 'discharge' },
  ],
  [
    // event 3: cell temperatures
    { flag: 'chargeHighTemperatureWarning', alarm: ['chargeOverTemperature', W] },
    { flag: 'chargeOverTemperatureProtection', alarm: ['chargeOverTemperature', A], blocks: 'charge' },
    { flag: 'chargeLowTemperatureWarning', alarm: ['chargeUnderTemperature', W] },
    { flag: 'chargeUnderTemperatureProtection', alarm: ['chargeUnderTemperature', A], blocks: 'charge' },
    { flag: 'dischargeHighTemperatureWarning', alarm: ['dischargeOverTemperature', W] },
    { flag: 'dischargeOverTemperatureProtection', alarm: ['dischargeOverTemperature', A], blocks: 'discharge' },
    { flag: 'dischargeLowTemperatureWarning', alarm: ['dischargeUnderTemperature', W] },
    { flag: 'dischargeUnderTemperatureProtection', alarm: ['dischargeUnderTemperature', A], blocks: 'discharge' },
  ],
  [
    // event 4: ambient and power temperatures (no AlarmName for ambient: extra flags only)
    { flag: 'ambientHighTemperatureWarning' },
    { flag: 'ambientOverTemperatureProtection', blocks: 'both' },
    { flag: 'ambientLowTemperatureWarning' },
    { flag: 'ambientUnderTemperatureProtection', blocks: 'both' },
    { flag: 'powerOverTemperatureProtection', alarm: ['mosOverTemperature', A], blocks: 'both' },
    { flag: 'powerHighTemperatureWarning', alarm: ['mosOverTemperature', W] },
    { flag: 'cellHeatingActive' },
    { flag: 'event4Bit7' },
  ],
  [
    // event 5: currents
    { flag: 'chargeOverCurrentWarning', alarm: ['chargeOverCurrent', W] },
    { flag: 'chargeOverCurrentProtection', alarm: ['chargeOverCurrent', A], blocks: 'charge' },
    { flag: 'dischargeOverCurrentWarning', alarm: ['dischargeOverCurrent', W] },
    { flag: 'dischargeOverCurrentProtection', alarm: ['dischargeOverCurrent', A], blocks: 'discharge' },
    { flag: 'transientOverCurrentProtection', alarm: ['dischargeOverCurrent', A], blocks: 'both' },
    { flag: 'shortCircuitProtection', alarm: ['shortCircuit', A], blocks: 'both' },
    { flag: 'transientOverCurrentLockout', alarm: ['dischargeOverCurrent', A], blocks: 'both' },
    { flag: 'shortCircuitLockout', alarm: ['shortCircuit', A], blocks: 'both' },
  ],
  [
    // event 6
    { flag: 'chargerHighVoltageProtection', alarm: ['packOverVoltage', A], blocks: 'charge' },
    { flag: 'intermittentRechargeWaiting' },
    { flag: 'remainingCapacityWarning' },
    { flag: 'remainingCapacityProtection', blocks: 'discharge' },
    { flag: 'cellTooLowToChargeProtection', alarm: ['cellUnderVoltage', A], blocks: 'charge' },
    { flag: 'outputReversePolarityProtection', alarm: ['internal', A], blocks: 'both' },
    { flag: 'outputConnectionFault', alarm: ['internal', A] },
    { flag: 'event6Bit7' },
  ],
];
const EVENT7_BITS: BitMeaning[] = [
  { flag: 'event7Bit0' },
  { flag: 'event7Bit1' },
  { flag: 'event7Bit2' },
  { flag: 'event7Bit3' },
  { flag: 'autoChargeActivationWaiting' },
  { flag: 'manualChargeActivationWaiting' },
  { flag: 'event7Bit6' },
  { flag: 'event7Bit7' },
];
const EVENT8_BITS: BitMeaning[] = [
  { flag: 'eepromFault', alarm: ['internal', A] },
  { flag: 'rtcFault' },
  { flag: 'voltageNotCalibrated', alarm: ['internal', W] },
  { flag: 'currentNotCalibrated', alarm: ['internal', W] },
  { flag: 'zeroPointNotCalibrated', alarm: ['internal', W] },
  { flag: 'calendarNotSynchronised' },
  { flag: 'event8Bit6' },
  { flag: 'event8Bit7' },
];

export const SYSTEM_STATES: Record<number, string> = {
  0x01: 'discharging',
  0x02: 'charging',
  0x04: 'floating',
  0x08: 'full',
  0x10: 'standby',
  0x20: 'off',
};

/** Names of the set bits of a system-state byte (bit 7 of 0x5A records = current ≥ 3 A). */
export function systemStateName(state: number): string {
  const names = [1, 2, 4, 8, 16, 32].filter((b) => state & b).map((b) => SYSTEM_STATES[b]);
  return names.length > 0 ? names.join('+') : state === 0 ? 'none' : `0x${hex2(state)}`;
}

/** Common result of the event and switch bytes, shared by 0x44 answers and 0x5A records. */
export interface V2Status {
  alarms: Alarms;
  flags: string[];
  chargeFetOn: boolean;
  dischargeFetOn: boolean;
  chargeAllowed: boolean;
  dischargeAllowed: boolean;
}

export function decodeStatus(events: number[], switchState: number, event7: number, event8: number): V2Status {
  const acc = { alarms: {} as Alarms, flags: [] as string[], blocksCharge: false, blocksDischarge: false };
  EVENT_BITS.forEach((table, i) => applyBitTable(events[i] ?? 0, table, acc));
  applyBitTable(event7, EVENT7_BITS, acc);
  applyBitTable(event8, EVENT8_BITS, acc);
  const dischargeFetOn = (switchState & 0x01) !== 0;
  const chargeFetOn = (switchState & 0x02) !== 0;
  // Fail safe: the FET must be on AND no protection that blocks that direction may be active.
  return {
    alarms: acc.alarms,
    flags: acc.flags,
    chargeFetOn,
    dischargeFetOn,
    chargeAllowed: chargeFetOn && !acc.blocksCharge,
    dischargeAllowed: dischargeFetOn && !acc.blocksDischarge,
  };
}

// ---------------------------------------------------------------------------------------------
// PackState mapping (docs/protocols/seplos.md#mapping-to-packstate)

export interface PackContext {
  id: string;
  address: number;
  time: number;
}

const bitList = (bitmap: number, count: number): number[] => {
  const out: number[] = [];
  for (let k = 0; k < count; k++) if (bitmap & (1 << k)) out.push(k + 1);
  return out;
};

/** One PackState from a 0x42 telemetry answer and the 0x44 alarm answer of the same cycle. */
export function toPackState(
  t: V2Telemetry,
  a: V2AlarmInfo,
  ctx: PackContext,
  extra: Record<string, unknown> = {},
): PackState {
  const status = decodeStatus(a.events, a.switchState, a.event7, a.event8);
  const alarms = { ...status.alarms };
  const disconnected = bitList(a.disconnectionBitmap, t.cellsMv.length);
  // A disconnected cell wire makes the cell readings untrustworthy.
  if (disconnected.length > 0) alarms.internal = 'alarm';
  const balancingCells = bitList(a.balancingBitmap, 16);
  return {
    kind: 'pack',
    id: ctx.id,
    protocol: 'seplos-v2',
    address: ctx.address,
    time: ctx.time,
    voltage: t.voltage,
    current: t.current,
    soc: t.soc,
    soh: t.soh,
    cells: t.cellsMv.map((mv) => mv / 1000),
    temperatures: t.cellTemperatures,
    mosTemperature: t.powerTemperature,
    ambientTemperature: t.ambientTemperature,
    remainingAh: t.remainingAh,
    fullAh: t.fullAh,
    designAh: t.designAh,
    cycles: t.cycles,
    chargeAllowed: status.chargeAllowed,
    dischargeAllowed: status.dischargeAllowed,
    balancing: balancingCells.length > 0,
    alarms,
    extra: {
      ...extra,
      portVoltage: t.portVoltage,
      systemState: systemStateName(a.systemState),
      chargeFetOn: status.chargeFetOn,
      dischargeFetOn: status.dischargeFetOn,
      currentLimiterOn: (a.switchState & 0x04) !== 0,
      heaterOn: (a.switchState & 0x08) !== 0,
      balancingCells,
      disconnectedCells: disconnected,
      flags: status.flags,
      cellLimitStates: a.cellLimitStates,
      temperatureLimitStates: a.temperatureLimitStates,
      currentLimitState: a.currentLimitState,
      packVoltageLimitState: a.packVoltageLimitState,
      reservedWordsHex: t.reservedWordsHex,
    },
  };
}

/**
 * A PackState from a sniffed 0x5A record: the master only exchanges extremes, so `cells` is empty
 * and the highest/lowest cell are in `extra`; temperatures are [highest, lowest].
 */
export function intraPackToPackState(p: V2IntraPack, ctx: PackContext): PackState {
  const status = decodeStatus(p.events, p.switchState, p.event7, p.event8);
  return {
    kind: 'pack',
    id: ctx.id,
    protocol: 'seplos-v2',
    address: ctx.address,
    time: ctx.time,
    voltage: p.voltage,
    current: p.current,
    soc: p.soc,
    cells: [],
    temperatures: [p.highestCellTemperature, p.lowestCellTemperature],
    remainingAh: p.remainingAh,
    fullAh: p.fullAh,
    chargeAllowed: status.chargeAllowed,
    dischargeAllowed: status.dischargeAllowed,
    alarms: status.alarms,
    extra: {
      source: 'intra-pack',
      highestCell: p.highestCellMv / 1000,
      lowestCell: p.lowestCellMv / 1000,
      portVoltage: p.portVoltage,
      systemState: systemStateName(p.systemState & 0x7f),
      chargeCurrentAbove3A: (p.systemState & 0x80) !== 0,
      chargeFetOn: status.chargeFetOn,
      dischargeFetOn: status.dischargeFetOn,
      flags: status.flags,
    },
  };
}
