/**
 * JK-B "NW" frames on the GPS/UART-TTL port (docs/protocols/jk-bms.md#nw-frames): envelope `4E 57`, length, command, id-tagged
 * big-endian items, end flag 0x68, 16-bit sum. Pure codec both ways (the simulator encodes with the
 * same item table the decoder reads).
 */
import type { Result } from '../../core/result';
import type { Framer } from '../../transport/framer';
import { BlockView, fieldValue, writeFields, type FieldSpec } from './jk-blocks';

export const NW_COMMANDS = { activate: 0x01, write: 0x02, read: 0x03, password: 0x05, readAll: 0x06 } as const;
/** Frame source byte of our requests ("PC"). */
const SOURCE_PC = 0x03;
const END_FLAG = 0x68;
const MIN_LENGTH = 0x13;
/** Longest sane length field: 32 cells and every item is 0x151. */
const MAX_LENGTH = 0x200;

/** Item id → value length (0x79 is variable: its first byte says how many bytes follow). */
export const NW_ITEM_LENGTHS: Record<number, number> = {
  0x80: 2,
  0x81: 2,
  0x82: 2,
  0x83: 2,
  0x84: 2,
  0x85: 1,
  0x86: 1,
  0x87: 2,
  0x89: 4,
  0x8a: 2,
  0x8b: 2,
  0x8c: 2,
  0x8e: 2,
  0x8f: 2,
  0x90: 2,
  0x91: 2,
  0x92: 2,
  0x93: 2,
  0x94: 2,
  0x95: 2,
  0x96: 2,
  0x97: 2,
  0x98: 2,
  0x99: 2,
  0x9a: 2,
  0x9b: 2,
  0x9c: 2,
  0x9d: 1,
  0x9e: 2,
  0x9f: 2,
  0xa0: 2,
  0xa1: 2,
  0xa2: 2,
  0xa3: 2,
  0xa4: 2,
  0xa5: 2,
  0xa6: 2,
  0xa7: 2,
  0xa8: 2,
  0xa9: 1,
  0xaa: 4,
  0xab: 1,
  0xac: 1,
  0xad: 2,
  0xae: 1,
  0xaf: 1,
  0xb0: 2,
  0xb1: 1,
  0xb2: 10,
  0xb3: 1,
  0xb4: 8,
  0xb5: 4,
  0xb6: 4,
  0xb7: 15,
  0xb8: 1,
  0xb9: 4,
  0xba: 24,
  0xbb: 1,
  0xbc: 1,
  0xbd: 1,
  0xbe: 2,
  0xbf: 2,
  0xc0: 1,
};

export const NW_ITEMS = {
  cells: 0x79,
  mos: 0x80,
  t1: 0x81,
  t2: 0x82,
  current: 0x84,
  chargeSwitch: 0xab,
  dischargeSwitch: 0xac,
  balancerSwitch: 0x9d,
} as const;

/** Plain numeric items (value = raw × scale); temperatures, current and cells are special. */
export const NUMERIC: Record<number, Omit<FieldSpec, 'off'>> = {
  0x83: { key: 'packVoltage', type: 'u16', scale: 0.01 },
  0x85: { key: 'soc', type: 'u8' },
  0x86: { key: 'temperatureSensorCount', type: 'u8' },
  0x87: { key: 'cycles', type: 'u16' },
  0x89: { key: 'totalCycleCapacityAh', type: 'u32' },
  0x8a: { key: 'cellCountReported', type: 'u16' },
  0x8b: { key: 'warningsRaw', type: 'u16' },
  0x8c: { key: 'statusRaw', type: 'u16' },
  0x8e: { key: 'packOvpV', type: 'u16', scale: 0.01 },
  0x8f: { key: 'packUvpV', type: 'u16', scale: 0.01 },
  0x90: { key: 'cellOvpV', type: 'u16', scale: 0.001 },
  0x91: { key: 'cellOvprV', type: 'u16', scale: 0.001 },
  0x92: { key: 'cellOvpDelaySeconds', type: 'u16' },
  0x93: { key: 'cellUvpV', type: 'u16', scale: 0.001 },
  0x94: { key: 'cellUvprV', type: 'u16', scale: 0.001 },
  0x95: { key: 'cellUvpDelaySeconds', type: 'u16' },
  0x96: { key: 'cellDeltaProtectionV', type: 'u16', scale: 0.001 },
  0x97: { key: 'dischargeOcpA', type: 'u16' },
  0x98: { key: 'dischargeOcpDelaySeconds', type: 'u16' },
  0x99: { key: 'chargeOcpA', type: 'u16' },
  0x9a: { key: 'chargeOcpDelaySeconds', type: 'u16' },
  0x9b: { key: 'balanceStartV', type: 'u16', scale: 0.001 },
  0x9c: { key: 'balanceTriggerDeltaV', type: 'u16', scale: 0.001 },
  0x9d: { key: 'balancerSwitch', type: 'u8', bool: true },
  0x9e: { key: 'mosOverTempProtectionC', type: 'u16' },
  0x9f: { key: 'mosOverTempRecoveryC', type: 'u16' },
  0xa0: { key: 'boxOverTempProtectionC', type: 'u16' },
  0xa1: { key: 'boxOverTempRecoveryC', type: 'u16' },
  0xa2: { key: 'temperatureDeltaProtectionC', type: 'u16' },
  0xa3: { key: 'chargeOverTempProtectionC', type: 'u16' },
  0xa4: { key: 'dischargeOverTempProtectionC', type: 'u16' },
  0xa5: { key: 'chargeUnderTempProtectionC', type: 'i16' },
  0xa6: { key: 'chargeUnderTempRecoveryC', type: 'i16' },
  0xa7: { key: 'dischargeUnderTempProtectionC', type: 'i16' },
  0xa8: { key: 'dischargeUnderTempRecoveryC', type: 'i16' },
  0xa9: { key: 'cellCountSetting', type: 'u8' },
  0xaa: { key: 'nominalCapacityAh', type: 'u32' },
  0xab: { key: 'chargeSwitch', type: 'u8', bool: true },
  0xac: { key: 'dischargeSwitch', type: 'u8', bool: true },
  0xad: { key: 'currentCalibrationMilliAmp', type: 'u16' },
  0xae: { key: 'boardAddress', type: 'u8' },
  0xaf: { key: 'batteryType', type: 'u8' },
  0xb0: { key: 'sleepWaitSeconds', type: 'u16' },
  0xb1: { key: 'lowSocAlarmPercent', type: 'u8' },
  0xb3: { key: 'dedicatedChargerSwitch', type: 'u8', bool: true },
  0xb6: { key: 'runtimeMinutes', type: 'u32' },
  0xb8: { key: 'startCurrentCalibration', type: 'u8' },
  0xb9: { key: 'actualCapacityAh', type: 'u32' },
  0xbe: { key: 'gpsPowerOffV', type: 'u16', scale: 0.001 },
  0xbf: { key: 'gpsPowerOnV', type: 'u16', scale: 0.001 },
  0xc0: { key: 'protocolVersion', type: 'u8' },
};
/** Text items. 0xB2 (the parameter password) is a secret and never decoded. */
const TEXT: Record<number, string> = {
  0xb4: 'deviceId',
  0xb5: 'manufacturingDate',
  0xb7: 'softwareVersion',
  0xba: 'manufacturerId',
};

export function nwChecksum(frame: Uint8Array, end: number): number {
  let s = 0;
  for (let i = 0; i < end; i++) s += frame[i];
  return s & 0xffff;
}

/** Builds a frame around an information field (terminal id 0, record number 0). */
export function nwFrame(command: number, source: number, transport: number, info: Buffer): Buffer {
  const length = info.length + 18;
  const frame = Buffer.alloc(length + 2);
  frame.write('NW', 0, 'latin1');
  frame.writeUInt16BE(length, 2);
  frame[8] = command;
  frame[9] = source;
  frame[10] = transport;
  info.copy(frame, 11);
  frame[length - 3] = END_FLAG;
  frame.writeUInt16BE(nwChecksum(frame, length - 2), length);
  return frame;
}

export const readAllRequest = (): Buffer => nwFrame(NW_COMMANDS.readAll, SOURCE_PC, 0x00, Buffer.from([0x00]));
export const passwordRequest = (): Buffer => nwFrame(NW_COMMANDS.password, SOURCE_PC, 0x00, Buffer.from([0x00, 0x00]));
export const writeItemRequest = (id: number, value: number): Buffer =>
  nwFrame(NW_COMMANDS.write, SOURCE_PC, 0x00, Buffer.from([id, value & 0xff]));

/** The id of the numeric item a key names (NUMERIC), if any. */
export function nwItemId(key: string): number | undefined {
  const id = Object.keys(NUMERIC).find((k) => NUMERIC[Number(k)].key === key);
  return id === undefined ? undefined : Number(id);
}

/** Write of a numeric item: the engineering value encoded as the item is read (length, type, scale). */
export function writeNumericItemRequest(id: number, value: number): Buffer {
  const data = Buffer.alloc(1 + NW_ITEM_LENGTHS[id]);
  data[0] = id;
  writeFields(data.subarray(1), false, [{ ...NUMERIC[id], off: 0 }], { [NUMERIC[id].key]: value });
  return nwFrame(NW_COMMANDS.write, SOURCE_PC, 0x00, data);
}

/** Completes at length + 2 bytes; anything that cannot start a frame is garbage. */
export const nwFramer: Framer = (buf) => {
  if (buf[0] !== 0x4e) return { kind: 'garbage', skip: 1 };
  if (buf.length < 2) return { kind: 'incomplete', need: 3 };
  if (buf[1] !== 0x57) return { kind: 'garbage', skip: 1 };
  if (buf.length < 4) return { kind: 'incomplete', need: 4 - buf.length };
  const length = buf.readUInt16BE(2);
  if (length < MIN_LENGTH || length > MAX_LENGTH) return { kind: 'garbage', skip: 1 };
  return buf.length >= length + 2
    ? { kind: 'complete', length: length + 2 }
    : { kind: 'incomplete', need: length + 2 - buf.length };
};

/** docs/protocols/jk-bms.md#nw-temperatures: 0..99 are °C, above 100 is the negative offset code (101 = −1 °C). */
export function nwTemperature(raw: number): number | undefined {
  if (raw > 140) return undefined;
  return raw <= 99 ? raw : -(raw - 100);
}

/** docs/protocols/jk-bms.md#nw-current: version 1 = sign-magnitude, bit 15 set = charging; version 0 = 10000-offset. Amperes, + = charge. */
export function nwCurrent(raw: number, protocolVersion: number): number {
  const a = protocolVersion === 1 ? ((raw & 0x8000 ? 1 : -1) * (raw & 0x7fff)) / 100 : (10000 - raw) / 100;
  return Math.round(a * 100) / 100 + 0;
}

export function encodeNwCurrent(amps: number, protocolVersion: number): number {
  const c = Math.round(amps * 100);
  if (protocolVersion === 1) return (c > 0 ? 0x8000 : 0) | Math.min(0x7fff, Math.abs(c));
  return Math.min(0xffff, Math.max(0, 10000 - c));
}

export interface NwReading {
  lengthField: number;
  command: number;
  frameSource: number;
  transportType: number;
  checksumValid: boolean;
  checksum: number;
  checksumComputed: number;
  recordNumber: number;
  cellCount: number;
  cellVoltages: number[];
  packVoltage: number;
  current: number;
  currentRaw: number;
  protocolVersion: number;
  soc: number;
  temperatures: { mos: number; t1: number; t2: number };
  warningsRaw: number;
  statusRaw: number;
  chargeFetOn: boolean;
  dischargeFetOn: boolean;
  balancerOn: boolean;
  manufacturerId: string | null;
  /** Every other item by the vector key names. */
  [key: string]: unknown;
}

/** The items a PackState cannot do without. */
const REQUIRED = [0x79, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x8b, 0x8c];

/**
 * Where each item's value lies in the information field, looked up by item id (a byte), and the ids
 * in the order the frame first names them. A repeated id keeps its first place and its last value.
 */
class ItemIndex {
  readonly ids: number[] = [];
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];

  set(id: number, off: number, len: number): void {
    if (!this.has(id)) this.ids.push(id);
    this.offsets[id] = off;
    this.lengths[id] = len;
  }

  has(id: number): boolean {
    return this.offsets[id] !== undefined;
  }
  /** Offset of the value (after the id byte). */
  off(id: number): number {
    return this.offsets[id];
  }
  len(id: number): number {
    return this.lengths[id];
  }
}

/** Splits the information field into items; an unknown id cannot be skipped, so it ends the frame. */
function parseItems(info: Buffer): Result<ItemIndex> {
  const items = new ItemIndex();
  let p = 0;
  while (p < info.length) {
    const id = info[p];
    const len = id === NW_ITEMS.cells ? (p + 1 < info.length ? 1 + info[p + 1] : 1) : NW_ITEM_LENGTHS[id];
    if (len === undefined) return { ok: false, reason: `unknown item id 0x${id.toString(16)} at byte ${11 + p}` };
    if (p + 1 + len > info.length)
      return { ok: false, reason: `item 0x${id.toString(16)} runs past the end of the data` };
    items.set(id, p + 1, len);
    p += 1 + len;
  }
  return { ok: true, value: items };
}

const TEMPERATURE_ITEMS = [NW_ITEMS.mos, NW_ITEMS.t1, NW_ITEMS.t2];

export interface NwDecodeOptions {
  /** Default true; false only to inspect a frame known to carry a wrong checksum. */
  verifyChecksum?: boolean;
  /** The command of the request (06 or 03): the answer must echo it. */
  expectCommand?: number;
}

/** The envelope of a read answer: start, length, end flag, checksum, response type, echoed command. */
interface NwEnvelope {
  length: number;
  command: number;
  frameSource: number;
  transportType: number;
  checksumValid: boolean;
  checksum: number;
  checksumComputed: number;
}

function checkEnvelope(frame: Buffer, opts: NwDecodeOptions): Result<NwEnvelope> {
  if (frame.length < MIN_LENGTH + 2) return { ok: false, reason: `frame too short (${frame.length} bytes)` };
  if (frame[0] !== 0x4e || frame[1] !== 0x57) return { ok: false, reason: 'no 4E 57 start' };
  const length = frame.readUInt16BE(2);
  if (length + 2 !== frame.length)
    return { ok: false, reason: `length field ${length} does not match ${frame.length} bytes` };
  if (frame[length - 3] !== END_FLAG) return { ok: false, reason: 'end flag 0x68 missing' };
  const checksum = frame.readUInt16BE(length);
  const checksumComputed = nwChecksum(frame, length - 2);
  const checksumValid = checksum === checksumComputed && frame.readUInt16BE(length - 2) === 0;
  if (!checksumValid && opts.verifyChecksum !== false) {
    return {
      ok: false,
      reason: `checksum mismatch (stored 0x${checksum.toString(16)}, computed 0x${checksumComputed.toString(16)})`,
    };
  }
  const command = frame[8];
  const transportType = frame[10];
  if (transportType !== 0x01) return { ok: false, reason: `not a response (transport type ${transportType})` };
  if (opts.expectCommand !== undefined && command !== opts.expectCommand) {
    return { ok: false, reason: `answer to command ${command}, expected ${opts.expectCommand}` };
  }
  const envelope = { length, command, frameSource: frame[9], transportType, checksumValid, checksum, checksumComputed };
  return { ok: true, value: envelope };
}

/** The cell list item: 3 bytes per cell (number from 1, then millivolts). */
function decodeCells(info: BlockView, items: ItemIndex): Result<number[]> {
  const cellBytes = items.len(NW_ITEMS.cells) - 1;
  const n = cellBytes / 3;
  if (!Number.isInteger(n) || n === 0)
    return { ok: false, reason: `cell list of ${cellBytes} bytes is not whole cells` };
  const cellVoltages: number[] = [];
  for (let i = 0, p = items.off(NW_ITEMS.cells) + 1; i < n; i++, p += 3) {
    if (info.buf[p] !== i + 1) return { ok: false, reason: `cell list entry ${i + 1} is numbered ${info.buf[p]}` };
    cellVoltages.push(info.read(p + 1, 'u16')! / 1000);
  }
  return { ok: true, value: cellVoltages };
}

/** Numeric and text items by key, in the order the frame names them. */
function itemValues(info: BlockView, items: ItemIndex): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const id of items.ids) {
    const spec = NUMERIC[id];
    if (spec) values[spec.key] = fieldValue(spec, info.read(items.off(id), spec.type)!);
    else if (TEXT[id]) values[TEXT[id]] = info.ascii(items.off(id), items.len(id));
  }
  return values;
}

/** Decodes one read answer (one whole frame, as the framer delivers it). */
export function decodeNw(frame: Buffer, opts: NwDecodeOptions = {}): Result<NwReading> {
  const envelope = checkEnvelope(frame, opts);
  if (!envelope.ok) return envelope;
  const { length, ...header } = envelope.value;
  const info = new BlockView(frame.subarray(11, length - 7), 0, false);
  const parsed = parseItems(info.buf);
  if (!parsed.ok) return parsed;
  const items = parsed.value;
  for (const id of REQUIRED) {
    if (!items.has(id)) return { ok: false, reason: `item 0x${id.toString(16)} is missing` };
  }
  const cells = decodeCells(info, items);
  if (!cells.ok) return cells;
  const values = itemValues(info, items);
  const temps: number[] = [];
  for (const id of TEMPERATURE_ITEMS) {
    const raw = info.read(items.off(id), 'u16')!;
    const t = nwTemperature(raw);
    if (t === undefined)
      return { ok: false, reason: `temperature item 0x${id.toString(16)} raw ${raw} is out of range` };
    temps.push(t);
  }
  if ((values.soc as number) > 100) return { ok: false, reason: `SOC ${String(values.soc)} % is out of range` };
  const protocolVersion = (values.protocolVersion as number | undefined) ?? 0;
  const currentRaw = info.read(items.off(NW_ITEMS.current), 'u16')!;
  const status = values.statusRaw as number;
  // Added to the item record rather than spread into a new one: copying ~75 keys per frame is slow.
  const reading: NwReading = Object.assign(values, {
    lengthField: length,
    ...header,
    recordNumber: frame.readUInt32BE(length - 7),
    cellCount: cells.value.length,
    cellVoltages: cells.value,
    packVoltage: values.packVoltage as number,
    current: nwCurrent(currentRaw, protocolVersion),
    currentRaw,
    protocolVersion,
    soc: values.soc as number,
    temperatures: { mos: temps[0], t1: temps[1], t2: temps[2] },
    warningsRaw: values.warningsRaw as number,
    statusRaw: status,
    chargeFetOn: (status & 1) !== 0,
    dischargeFetOn: (status & 2) !== 0,
    balancerOn: (status & 4) !== 0,
    manufacturerId: (values.manufacturerId as string | undefined) ?? null,
  });
  return { ok: true, value: reading };
}

/** Answer to a write item request: command 02, first data byte is the item id (docs/protocols/jk-bms.md#nw-requests). */
export function checkNwWriteAnswer(frame: Buffer, id: number): Result<true> {
  if (frame.length < MIN_LENGTH + 2 || frame.readUInt16BE(2) + 2 !== frame.length)
    return { ok: false, reason: 'malformed answer' };
  const length = frame.readUInt16BE(2);
  if (nwChecksum(frame, length - 2) !== frame.readUInt16BE(length)) return { ok: false, reason: 'checksum mismatch' };
  if (frame[8] !== NW_COMMANDS.write || frame[11] !== id)
    return { ok: false, reason: `the BMS did not confirm item 0x${id.toString(16)}` };
  return { ok: true, value: true };
}

export interface NwEncodeInput {
  cells: number[];
  /** Engineering values by the decoder's key names (numeric items); missing items encode as 0. */
  values: Record<string, number | boolean>;
  text?: Record<string, string>;
  temperatures: { mos: number; t1: number; t2: number };
  current: number;
  protocolVersion?: number;
}

function encodeTemperature(t: number): number {
  const r = Math.round(t);
  return r >= 0 ? Math.min(99, r) : Math.min(140, 100 - r);
}

/** A read-all answer with every item 0x79…0xC0 in ascending order, as current firmware sends it. */
export function encodeNwReadAll(input: NwEncodeInput): Buffer {
  const version = input.protocolVersion ?? 1;
  const parts: Buffer[] = [];
  const cells = Buffer.alloc(2 + 3 * input.cells.length);
  cells[0] = NW_ITEMS.cells;
  cells[1] = 3 * input.cells.length;
  input.cells.forEach((v, i) => {
    cells[2 + 3 * i] = i + 1;
    cells.writeUInt16BE(Math.round(v * 1000), 3 + 3 * i);
  });
  parts.push(cells);
  const special: Record<number, number> = {
    [NW_ITEMS.mos]: encodeTemperature(input.temperatures.mos),
    [NW_ITEMS.t1]: encodeTemperature(input.temperatures.t1),
    [NW_ITEMS.t2]: encodeTemperature(input.temperatures.t2),
    [NW_ITEMS.current]: encodeNwCurrent(input.current, version),
  };
  const ids = Object.keys(NW_ITEM_LENGTHS)
    .map(Number)
    .sort((a, b) => a - b);
  for (const id of ids) {
    const item = Buffer.alloc(1 + NW_ITEM_LENGTHS[id]);
    item[0] = id;
    const value = item.subarray(1);
    if (special[id] !== undefined) value.writeUInt16BE(special[id]);
    else if (id === 0xc0) value[0] = version;
    else if (NUMERIC[id]) writeFields(value, false, [{ ...NUMERIC[id], off: 0 }], input.values);
    else if (TEXT[id]) value.write((input.text?.[TEXT[id]] ?? '').slice(0, value.length), 'latin1');
    parts.push(item);
  }
  return nwFrame(NW_COMMANDS.readAll, 0x00, 0x01, Buffer.concat(parts));
}

export function encodeNwWriteAnswer(id: number, value: number | Buffer): Buffer {
  const bytes = typeof value === 'number' ? Buffer.from([value & 0xff]) : value;
  return nwFrame(NW_COMMANDS.write, 0x00, 0x01, Buffer.concat([Buffer.from([id]), bytes]));
}
