/**
 * 123\SmartBMS serial "extended data output" (gen2 OUT board, gen3 End Board): one 58-byte frame
 * per cycle, 9600 8N1, big-endian, no header, 8-bit additive checksum in the last byte.
 * Layout: docs/protocols/smartbms.md#frame-layout. Pure: no Node-RED import.
 */
import type { Result } from '../../core/result';

export const FRAME_LENGTH = 58;

/** Scales of the raw fields. */
const VOLT_PER_BIT = 0.005;
const AMP_PER_BIT = 0.125;
const KWH_PER_CAPACITY_BIT = 0.1;
/** Bytes 47/48 carry "key + 25" on firmware ≥ 3.3.6 (docs/protocols/smartbms.md#rotating-keyvalue-pair). */
export const KEY_OFFSET = 25;
export const KEY_COUNT = 19;

export type SignByte = '+' | '-' | 'X';

/** Everything a simulator chooses for one frame, in engineering units (the values the frame carries). */
export interface FrameFields {
  packVoltage: number;
  /** Current sensor 1 (charge side), A; null when the BMS marks it not available ('X'). */
  current1: number | null;
  /** Current sensor 2 (load side), A; null when not available. */
  current2: number | null;
  /** I1 − I2, A, + = charging; null when not available. */
  batteryCurrent: number | null;
  lowestCellVoltage: number;
  lowestCellVoltageCell: number;
  highestCellVoltage: number;
  highestCellVoltageCell: number;
  lowestCellTempRaw: number;
  lowestCellTempCell: number;
  highestCellTempRaw: number;
  highestCellTempCell: number;
  /** Rotating cell record: the 1-based cell this frame describes. */
  cellInfoIndex: number;
  cellCount: number;
  cellInfoVoltage: number;
  cellInfoTempRaw: number;
  status1: number;
  todayEnergyCollectedWh: number;
  energyStoredWh: number;
  todayEnergyConsumedWh: number;
  soc: number;
  totalEnergyCollectedKWh: number;
  totalEnergyConsumedKWh: number;
  byte47: number;
  byte48: number;
  capacityKWh: number;
  vMinSetting: number;
  vMaxSetting: number;
  vBalanceSetting: number;
}

/** A decoded frame: the carried values plus the sign bytes, the status bits and what bytes 47/48 mean. */
export interface SmartBmsFrame extends FrameFields {
  current1Sign: SignByte;
  current2Sign: SignByte;
  batteryCurrentSign: SignByte;
  allowedToCharge: boolean;
  allowedToDischarge: boolean;
  commError: boolean;
  vMinExceeded: boolean;
  vMaxExceeded: boolean;
  tMinExceeded: boolean;
  tMaxExceeded: boolean;
  socNotCalibrated: boolean;
  /** What bytes 47/48 hold: a rotating key/value pair, the legacy device clock, or neither. */
  frameKind: 'key-value' | 'legacy-clock' | 'unknown';
  kvKey?: number;
  kvValue?: number;
  legacyClockHours?: number;
  legacyClockMinutes?: number;
}

export const STATUS1 = {
  allowedToCharge: 0x01,
  allowedToDischarge: 0x02,
  commError: 0x04,
  vMinExceeded: 0x08,
  vMaxExceeded: 0x10,
  tMinExceeded: 0x20,
  tMaxExceeded: 0x40,
  socNotCalibrated: 0x80,
} as const;

/** Status byte 2 (key 16), DOC3311 bit order. */
export const STATUS2 = {
  earlyWarning: 0x02,
  tMinChargeExceeded: 0x04,
  tMinDischargeExceeded: 0x08,
  chargeRelayClosed: 0x10,
  loadRelayClosed: 0x20,
} as const;

export function checksum(frame: Uint8Array, length = FRAME_LENGTH - 1): number {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += frame[i];
  return sum & 0xff;
}

const u16 = (b: Buffer, o: number): number => b.readUInt16BE(o);
const u24 = (b: Buffer, o: number): number => (b[o] << 16) | (b[o + 1] << 8) | b[o + 2];
/** Values scaled by 0.005 V are rounded to the 1 mV grid to keep float noise out of comparisons. */
const volts = (raw: number): number => Math.round(raw * VOLT_PER_BIT * 1000) / 1000;

function signOf(byte: number): SignByte | undefined {
  if (byte === 0x2b) return '+';
  if (byte === 0x2d) return '-';
  if (byte === 0x58) return 'X';
  return undefined;
}

function signedCurrent(sign: SignByte, raw: number): number | null {
  if (sign === 'X') return null;
  const a = raw * AMP_PER_BIT;
  return sign === '-' ? -a : a;
}

/** °C by 123electric's own readers and app (formula A, docs/protocols/smartbms.md#temperatures); the default. */
export function temperatureVenus(raw: number): number {
  return Math.round((raw * 0.857 - 232) * 1000) / 1000;
}

/** °C by the written protocol documents (formula B). */
export function temperatureDoc(raw: number): number {
  return raw - 276;
}

export type TemperatureFormula = 'venus' | 'doc';

export function temperature(raw: number, formula: TemperatureFormula): number {
  return formula === 'doc' ? temperatureDoc(raw) : temperatureVenus(raw);
}

/** Inverse of formula A (simulator): the raw count whose reading is closest to `celsius`. */
export function temperatureRawVenus(celsius: number): number {
  return Math.round((celsius + 232) / 0.857);
}

/** Bytes holding a cell number, which must not exceed the cell count. */
const CELL_NUMBER_BYTES = [
  [14, 'lowest cell'],
  [17, 'highest cell'],
  [20, 'coldest cell'],
  [23, 'warmest cell'],
] as const;
const isSet = (byte: number, mask: number): boolean => (byte & mask) !== 0;

/**
 * Checks checksum, length and ranges, then decodes. Never throws: a frame that cannot be fully
 * trusted comes back as `{ ok: false, reason }`.
 */
export function decodeFrame(buf: Uint8Array): Result<SmartBmsFrame> {
  if (buf.length !== FRAME_LENGTH) return { ok: false, reason: `length ${buf.length}, expected ${FRAME_LENGTH}` };
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const sum = checksum(b);
  if (sum !== b[57]) {
    return { ok: false, reason: `checksum 0x${hex2(b[57])}, computed 0x${hex2(sum)}` };
  }
  const s1 = signOf(b[3]);
  const s2 = signOf(b[6]);
  const s3 = signOf(b[9]);
  if (!s1 || !s2 || !s3) return { ok: false, reason: 'current sign byte is not +, - or X' };
  const cellCount = b[25];
  if (cellCount < 1) return { ok: false, reason: 'cell count 0' };
  for (const [o, what] of CELL_NUMBER_BYTES) {
    if (b[o] > cellCount) return { ok: false, reason: `${what} number ${b[o]} above cell count ${cellCount}` };
  }
  if (u16(b, 12) > u16(b, 15)) return { ok: false, reason: 'lowest cell voltage above highest' };
  if (u16(b, 18) > u16(b, 21)) return { ok: false, reason: 'lowest temperature above highest' };
  const soc = b[40];
  if (soc > 100) return { ok: false, reason: `SoC ${soc} above 100` };

  const status1 = b[30];
  const frame: SmartBmsFrame = {
    packVoltage: volts(u24(b, 0)),
    current1Sign: s1,
    current1: signedCurrent(s1, u16(b, 4)),
    current2Sign: s2,
    current2: signedCurrent(s2, u16(b, 7)),
    batteryCurrentSign: s3,
    batteryCurrent: signedCurrent(s3, u16(b, 10)),
    lowestCellVoltage: volts(u16(b, 12)),
    lowestCellVoltageCell: b[14],
    highestCellVoltage: volts(u16(b, 15)),
    highestCellVoltageCell: b[17],
    lowestCellTempRaw: u16(b, 18),
    lowestCellTempCell: b[20],
    highestCellTempRaw: u16(b, 21),
    highestCellTempCell: b[23],
    cellInfoIndex: b[24],
    cellCount,
    cellInfoVoltage: volts(u16(b, 26)),
    cellInfoTempRaw: u16(b, 28),
    status1,
    allowedToCharge: isSet(status1, STATUS1.allowedToCharge),
    allowedToDischarge: isSet(status1, STATUS1.allowedToDischarge),
    commError: isSet(status1, STATUS1.commError),
    vMinExceeded: isSet(status1, STATUS1.vMinExceeded),
    vMaxExceeded: isSet(status1, STATUS1.vMaxExceeded),
    tMinExceeded: isSet(status1, STATUS1.tMinExceeded),
    tMaxExceeded: isSet(status1, STATUS1.tMaxExceeded),
    socNotCalibrated: isSet(status1, STATUS1.socNotCalibrated),
    todayEnergyCollectedWh: u24(b, 31),
    energyStoredWh: u24(b, 34),
    todayEnergyConsumedWh: u24(b, 37),
    soc,
    totalEnergyCollectedKWh: u24(b, 41),
    totalEnergyConsumedKWh: u24(b, 44),
    byte47: b[47],
    byte48: b[48],
    frameKind: 'unknown',
    capacityKWh: Math.round(u16(b, 49) * KWH_PER_CAPACITY_BIT * 10) / 10,
    vMinSetting: volts(u16(b, 51)),
    vMaxSetting: volts(u16(b, 53)),
    vBalanceSetting: volts(u16(b, 55)),
  };
  // Keys are stored +25, legacy hours are ≤ 23: the two ranges cannot be confused.
  if (b[47] >= KEY_OFFSET && b[47] < KEY_OFFSET + KEY_COUNT) {
    frame.frameKind = 'key-value';
    frame.kvKey = b[47] - KEY_OFFSET;
    frame.kvValue = b[48];
  } else if (b[47] <= 23 && b[48] <= 59) {
    frame.frameKind = 'legacy-clock';
    frame.legacyClockHours = b[47];
    frame.legacyClockMinutes = b[48];
  }
  return { ok: true, value: frame };
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** Meaning of one rotating key (DOC3311 key table, docs/protocols/smartbms.md#rotating-keyvalue-pair), for display and vector checks. */
export interface KeyValueMeaning {
  meaning: string;
  /** Fields this single pair decodes to on its own (multi-byte values need the assembler). */
  fields: Record<string, number | boolean>;
}

const KEY_NAMES = [
  'stateOfHealthPct',
  'chargeEfficiencyPct',
  'vLowMsb',
  'vLowLsb',
  'vNominalMsb',
  'vNominalLsb',
  'firmwareMajorMinor',
  'firmwarePatch',
  'chargeCyclesMsb',
  'chargeCyclesLsb',
  'totalChargedKWhMsb',
  'totalChargedKWhMid',
  'totalChargedKWhLsb',
  'totalDischargedKWhMsb',
  'totalDischargedKWhMid',
  'totalDischargedKWhLsb',
  'status2',
  'vFullMsb',
  'vFullLsb',
] as const;

export function decodeStatus2(value: number): Record<keyof typeof STATUS2, boolean> {
  return {
    earlyWarning: (value & STATUS2.earlyWarning) !== 0,
    tMinChargeExceeded: (value & STATUS2.tMinChargeExceeded) !== 0,
    tMinDischargeExceeded: (value & STATUS2.tMinDischargeExceeded) !== 0,
    chargeRelayClosed: (value & STATUS2.chargeRelayClosed) !== 0,
    loadRelayClosed: (value & STATUS2.loadRelayClosed) !== 0,
  };
}

export function keyValueMeaning(key: number, value: number): KeyValueMeaning | undefined {
  const meaning = KEY_NAMES[key];
  if (!meaning) return undefined;
  switch (key) {
    case 0:
      return { meaning, fields: { soh: value } };
    case 1:
      return { meaning, fields: { chargeEfficiency: value } };
    case 6:
      return { meaning, fields: { fwMajor: value >> 4, fwMinor: value & 0x0f } };
    case 7:
      return { meaning, fields: { fwPatch: value } };
    case 16:
      return { meaning, fields: { status2: value, ...decodeStatus2(value) } };
    default:
      return { meaning, fields: { [meaning]: value } };
  }
}

const clampU = (v: number, bits: number): number => Math.min(2 ** bits - 1, Math.max(0, Math.round(v)));

/** Builds a frame with a correct checksum (the simulator's side of decodeFrame). */
export function encodeFrame(f: FrameFields): Buffer {
  const b = Buffer.alloc(FRAME_LENGTH);
  const w24 = (o: number, v: number): void => {
    b[o] = (v >> 16) & 0xff;
    b[o + 1] = (v >> 8) & 0xff;
    b[o + 2] = v & 0xff;
  };
  const current = (o: number, a: number | null): void => {
    b[o] = a === null ? 0x58 : a < 0 ? 0x2d : 0x2b;
    b.writeUInt16BE(a === null ? 0 : clampU(Math.abs(a) / AMP_PER_BIT, 16), o + 1);
  };
  const v16 = (o: number, v: number): void => {
    b.writeUInt16BE(clampU(v / VOLT_PER_BIT, 16), o);
  };
  w24(0, clampU(f.packVoltage / VOLT_PER_BIT, 24));
  current(3, f.current1);
  current(6, f.current2);
  current(9, f.batteryCurrent);
  v16(12, f.lowestCellVoltage);
  b[14] = f.lowestCellVoltageCell;
  v16(15, f.highestCellVoltage);
  b[17] = f.highestCellVoltageCell;
  b.writeUInt16BE(clampU(f.lowestCellTempRaw, 16), 18);
  b[20] = f.lowestCellTempCell;
  b.writeUInt16BE(clampU(f.highestCellTempRaw, 16), 21);
  b[23] = f.highestCellTempCell;
  b[24] = f.cellInfoIndex;
  b[25] = f.cellCount;
  v16(26, f.cellInfoVoltage);
  b.writeUInt16BE(clampU(f.cellInfoTempRaw, 16), 28);
  b[30] = f.status1;
  w24(31, clampU(f.todayEnergyCollectedWh, 24));
  w24(34, clampU(f.energyStoredWh, 24));
  w24(37, clampU(f.todayEnergyConsumedWh, 24));
  b[40] = Math.min(100, clampU(f.soc, 8));
  w24(41, clampU(f.totalEnergyCollectedKWh, 24));
  w24(44, clampU(f.totalEnergyConsumedKWh, 24));
  b[47] = f.byte47;
  b[48] = f.byte48;
  b.writeUInt16BE(clampU(f.capacityKWh / KWH_PER_CAPACITY_BIT, 16), 49);
  v16(51, f.vMinSetting);
  v16(53, f.vMaxSetting);
  v16(55, f.vBalanceSetting);
  b[57] = checksum(b);
  return b;
}
