/**
 * Seplos V3 (Modbus-RTU, "BMS3.0 Modbus-RTU Protocol"): blocks PIA (0x1000), PIB (0x1100), PIC
 * (coils 0x1200), VIA (0x1700), and the listen-only stream decoder for a bank whose master polls the
 * slaves (docs/protocols/seplos.md#v3-modbus). Pure; decoders never throw.
 */
import type { Framer } from '../../transport/framer';
import { crcValid, parseAnswer, readRequest } from '../../transport/modbus-rtu';
import type { AlarmLevel, PackState } from '../../core/pack-state';
import { type BitMeaning, applyBitTable } from './alarm-bits';
import type { Result } from '../../core/result';
import {
  CELL_TEMPERATURE_BITS,
  type PackContext,
  VOLTAGE_BITS,
  bitList,
  cellVoltageProblem,
  kelvin10ToC,
  printableText,
  temperatureInRange,
} from './seplos-shared';

export const FC_READ_COILS = 0x01;
export const FC_READ_INPUT = 0x04;

export interface BlockSpec {
  name: 'pia' | 'pib' | 'pic' | 'via';
  fn: number;
  start: number;
  quantity: number;
}
export const BLOCKS = {
  pia: { name: 'pia', fn: FC_READ_INPUT, start: 0x1000, quantity: 0x12 },
  pib: { name: 'pib', fn: FC_READ_INPUT, start: 0x1100, quantity: 0x1a },
  pic: { name: 'pic', fn: FC_READ_COILS, start: 0x1200, quantity: 0x90 },
  via: { name: 'via', fn: FC_READ_INPUT, start: 0x1700, quantity: 0x33 },
} as const satisfies Record<string, BlockSpec>;

export function buildBlockRequest(id: number, block: BlockSpec): Buffer {
  return readRequest(id, block.fn, block.start, block.quantity);
}

/** Checks an answer frame for `block` and returns its data bytes (exceptions come back as reasons). */
export function parseBlockAnswer(frame: Buffer, id: number, block: BlockSpec): Result<Buffer> {
  const a = parseAnswer(frame, id, block.fn);
  if (!a.ok) return { ok: false, reason: a.reason };
  const expected = block.fn === FC_READ_COILS ? Math.ceil(block.quantity / 8) : block.quantity * 2;
  // PIA is read as 17 or 18 registers in the field; every other block must be whole.
  const minimum = block.name === 'pia' ? 34 : expected;
  if (a.data.length < minimum || a.data.length > expected) {
    return { ok: false, reason: `${block.name.toUpperCase()} answer has ${a.data.length} bytes, expected ${expected}` };
  }
  return { ok: true, value: a.data };
}

const words = (data: Buffer): number[] => {
  const out: number[] = [];
  for (let i = 0; i + 1 < data.length; i += 2) out.push(data.readUInt16BE(i));
  return out;
};
const s16 = (v: number): number => (v >= 0x8000 ? v - 0x10000 : v);

const UNUSED_SENSOR = 2731;

export interface PiaBlock {
  voltage: number;
  current: number;
  remainingAh: number;
  fullAh: number;
  /** 0x1004 cumulative discharged capacity, raw (vendor: 10 Ah units). */
  dischargedRaw: number;
  soc: number;
  soh: number;
  cycles: number;
  avgCellMv: number;
  avgCellTemperature: number;
  maxCellMv: number;
  minCellMv: number;
  maxCellTemperature: number;
  minCellTemperature: number;
  reg100E: number;
  maxDischargeCurrent: number;
  maxChargeCurrent: number;
  reg1011?: number;
}

/** PIA, 17 or 18 registers (docs/protocols/seplos.md#v3-pia). */
export function decodePia(data: Buffer): Result<PiaBlock> {
  if (data.length !== 34 && data.length !== 36)
    return { ok: false, reason: `PIA must be 34 or 36 bytes (got ${data.length})` };
  const r = words(data);
  const v: PiaBlock = {
    voltage: r[0] / 100,
    current: s16(r[1]) / 100,
    remainingAh: r[2] / 100,
    fullAh: r[3] / 100,
    dischargedRaw: r[4],
    soc: r[5] / 10,
    soh: r[6] / 10,
    cycles: r[7],
    avgCellMv: r[8],
    avgCellTemperature: kelvin10ToC(r[9]),
    maxCellMv: r[10],
    minCellMv: r[11],
    maxCellTemperature: kelvin10ToC(r[12]),
    minCellTemperature: kelvin10ToC(r[13]),
    reg100E: r[14],
    maxDischargeCurrent: r[15],
    maxChargeCurrent: r[16],
    reg1011: r[17],
  };
  if (v.soc > 100) return { ok: false, reason: `SOC ${v.soc} % out of range` };
  if (v.soh > 100) return { ok: false, reason: `SOH ${v.soh} % out of range` };
  return { ok: true, value: v };
}

export interface PibBlock {
  /** Cells 1–16 in mV; trailing zero cells (fewer than 16 in series) removed. */
  cellsMv: number[];
  /** Sensors 1–4 always, 5–8 where used (raw ≠ 2731). */
  cellTemperatures: number[];
  cellTemperatures5to8Raw: number[];
  ambientTemperature: number;
  powerTemperature: number;
}

/** PIB, 26 registers (docs/protocols/seplos.md#v3-pib). */
export function decodePib(data: Buffer): Result<PibBlock> {
  if (data.length !== 52) return { ok: false, reason: `PIB must be 52 bytes (got ${data.length})` };
  const r = words(data);
  const cellsMv = r.slice(0, 16);
  while (cellsMv.length > 0 && cellsMv[cellsMv.length - 1] === 0) cellsMv.pop();
  if (cellsMv.length === 0) return { ok: false, reason: 'PIB holds no cell voltage' };
  const cellProblem = cellVoltageProblem(cellsMv);
  if (cellProblem) return { ok: false, reason: cellProblem };
  const extraSensors = r.slice(20, 24);
  const temps = [...r.slice(16, 20), ...extraSensors.filter((t) => t !== UNUSED_SENSOR), r[24], r[25]].map(kelvin10ToC);
  const badT = temps.findIndex((t) => !temperatureInRange(t));
  if (badT >= 0) return { ok: false, reason: `temperature ${temps[badT]} °C out of range` };
  return {
    ok: true,
    value: {
      cellsMv,
      cellTemperatures: temps.slice(0, temps.length - 2),
      cellTemperatures5to8Raw: extraSensors,
      ambientTemperature: kelvin10ToC(r[24]),
      powerTemperature: kelvin10ToC(r[25]),
    },
  };
}

export interface PicBlock {
  bytes: number[];
  cellLowVoltageBitmap: number;
  cellHighVoltageBitmap: number;
  cellTempLowBitmap: number;
  cellTempHighBitmap: number;
  balancingBitmap: number;
  systemState: number;
  fetState: number;
  batteryStateCode: number;
  chargeFetOn: boolean;
  dischargeFetOn: boolean;
  alarms: PackState['alarms'];
  flags: string[];
  blocksCharge: boolean;
  blocksDischarge: boolean;
}

const W: AlarmLevel = 'warn';
const A: AlarmLevel = 'alarm';
const bits = (names: string[]): BitMeaning[] => names.map((flag) => ({ flag }));
/** PIC bytes 8–17 (docs/protocols/seplos.md#v3-pic). Voltage and cell-temperature bits match V2; the others do not. */
const PIC_BITS: Record<number, BitMeaning[]> = {
  8: bits([
    'stateDischarging',
    'stateCharging',
    'stateFloating',
    'stateFull',
    'stateStandby',
    'stateOff',
    'state6',
    'state7',
  ]),
  9: VOLTAGE_BITS,
  10: CELL_TEMPERATURE_BITS,
  11: [
    { flag: 'ambientHighTemperatureWarning' },
    { flag: 'ambientOverTemperatureProtection', blocks: 'both' },
    { flag: 'ambientLowTemperatureWarning' },
    { flag: 'ambientUnderTemperatureProtection', blocks: 'both' },
    { flag: 'powerHighTemperatureWarning', alarm: ['mosOverTemperature', W] },
    { flag: 'powerOverTemperatureProtection', alarm: ['mosOverTemperature', A], blocks: 'both' },
    { flag: 'heatingActive' },
    { flag: 'temperature7' },
  ],
  12: [
    { flag: 'chargeOverCurrentWarning', alarm: ['chargeOverCurrent', W] },
    { flag: 'chargeOverCurrentProtection', alarm: ['chargeOverCurrent', A], blocks: 'charge' },
    { flag: 'chargeOverCurrent2Protection', alarm: ['chargeOverCurrent', A], blocks: 'charge' },
    { flag: 'dischargeOverCurrentWarning', alarm: ['dischargeOverCurrent', W] },
    { flag: 'dischargeOverCurrentProtection', alarm: ['dischargeOverCurrent', A], blocks: 'discharge' },
    { flag: 'dischargeOverCurrent2Protection', alarm: ['dischargeOverCurrent', A], blocks: 'discharge' },
    { flag: 'shortCircuitProtection', alarm: ['shortCircuit', A], blocks: 'both' },
    { flag: 'current1Bit7' },
  ],
  13: [
    { flag: 'shortCircuitLatch', alarm: ['shortCircuit', A], blocks: 'both' },
    { flag: 'current2Bit1' },
    { flag: 'chargeOverCurrent2Latch', alarm: ['chargeOverCurrent', A], blocks: 'charge' },
    { flag: 'dischargeOverCurrent2Latch', alarm: ['dischargeOverCurrent', A], blocks: 'discharge' },
    { flag: 'current2Bit4' },
    { flag: 'current2Bit5' },
    { flag: 'current2Bit6' },
    { flag: 'current2Bit7' },
  ],
  14: [
    { flag: 'capacity0' },
    { flag: 'capacity1' },
    { flag: 'socLowWarning' },
    { flag: 'socLowProtection', blocks: 'discharge' },
    { flag: 'cellDifferenceWarning', alarm: ['cellImbalance', W] },
    { flag: 'capacity5' },
    { flag: 'capacity6' },
    { flag: 'capacity7' },
  ],
  15: bits(['dischargeFetOn', 'chargeFetOn', 'currentLimitFetOn', 'heaterOn', 'fet4', 'fet5', 'fet6', 'fet7']),
  16: bits([
    'lowSoc',
    'intermittentCharge',
    'externalSwitch',
    'staticStandby',
    'historyRecording',
    'underSocProtect',
    'activeCurrentLimiting',
    'passiveCurrentLimiting',
  ]),
  17: [
    { flag: 'ntcFault', alarm: ['internal', A] },
    { flag: 'afeFault', alarm: ['internal', A] },
    { flag: 'chargeMosfetFault', alarm: ['internal', A] },
    { flag: 'dischargeMosfetFault', alarm: ['internal', A] },
    { flag: 'cellDifferenceFault', alarm: ['cellImbalance', A] },
    { flag: 'wireBreakFault', alarm: ['internal', A] },
    { flag: 'keyFault', alarm: ['internal', W] },
    { flag: 'aerosolFault', alarm: ['internal', A], blocks: 'both' },
  ],
};

/** PIC, 144 coils = 18 bytes. */
export function decodePic(data: Buffer): Result<PicBlock> {
  if (data.length !== 18) return { ok: false, reason: `PIC must be 18 bytes (got ${data.length})` };
  const b = [...data];
  const acc = { alarms: {} as PicBlock['alarms'], flags: [] as string[], blocksCharge: false, blocksDischarge: false };
  for (const [i, table] of Object.entries(PIC_BITS)) applyBitTable(b[Number(i)], table, acc);
  // Per-cell limit bytes 0–5 have their own alarm meaning on top of the event bytes.
  if (b[0] | b[1]) acc.alarms.cellUnderVoltage ??= 'warn';
  if (b[2] | b[3]) acc.alarms.cellOverVoltage ??= 'warn';
  return {
    ok: true,
    value: {
      bytes: b,
      cellLowVoltageBitmap: b[0] | (b[1] << 8),
      cellHighVoltageBitmap: b[2] | (b[3] << 8),
      cellTempLowBitmap: b[4],
      cellTempHighBitmap: b[5],
      balancingBitmap: b[6] | (b[7] << 8),
      systemState: b[8],
      fetState: b[15],
      batteryStateCode: b[16],
      dischargeFetOn: (b[15] & 0x01) !== 0,
      chargeFetOn: (b[15] & 0x02) !== 0,
      ...acc,
    },
  };
}

export interface ViaBlock {
  manufacturer: string;
  deviceName: string;
  firmware: string;
  bmsSerial: string;
  packSerial: string;
}

const ascii = (data: Buffer, reg: number, count: number): string =>
  printableText(data.subarray(reg * 2, (reg + count) * 2));

/** VIA identity block, 51 registers (docs/protocols/seplos.md#v3-via). */
export function decodeVia(data: Buffer): Result<ViaBlock> {
  if (data.length < 0x24 * 2) return { ok: false, reason: `VIA too short (${data.length} bytes)` };
  return {
    ok: true,
    value: {
      manufacturer: ascii(data, 0, 10),
      deviceName: ascii(data, 0x0a, 10),
      firmware: ascii(data, 0x14, 1),
      bmsSerial: ascii(data, 0x15, 15),
      packSerial: ascii(data, 0x24, 15),
    },
  };
}

/** One PackState from the PIA, PIB and PIC of one pack (docs/protocols/seplos.md#mapping-to-packstate). */
export function toPackState(
  a: PiaBlock,
  b: PibBlock,
  c: PicBlock,
  ctx: PackContext,
  extra: Record<string, unknown> = {},
): PackState {
  const balancingCells = bitList(c.balancingBitmap);
  return {
    kind: 'pack',
    id: ctx.id,
    protocol: 'seplos-v3',
    address: ctx.address,
    time: ctx.time,
    voltage: a.voltage,
    current: a.current,
    soc: a.soc,
    soh: a.soh,
    cells: b.cellsMv.map((mv) => mv / 1000),
    temperatures: b.cellTemperatures,
    mosTemperature: b.powerTemperature,
    ambientTemperature: b.ambientTemperature,
    remainingAh: a.remainingAh,
    fullAh: a.fullAh,
    cycles: a.cycles,
    // Fail safe: the FET must be on AND no protection that blocks that direction may be active.
    chargeAllowed: c.chargeFetOn && !c.blocksCharge,
    dischargeAllowed: c.dischargeFetOn && !c.blocksDischarge,
    balancing: balancingCells.length > 0,
    alarms: { ...c.alarms },
    limits: { ccl: a.maxChargeCurrent, dcl: a.maxDischargeCurrent },
    extra: {
      ...extra,
      systemState: c.systemState,
      chargeFetOn: c.chargeFetOn,
      dischargeFetOn: c.dischargeFetOn,
      balancingCells,
      cellLowVoltageCells: bitList(c.cellLowVoltageBitmap),
      cellHighVoltageCells: bitList(c.cellHighVoltageBitmap),
      cellTempLowSensors: bitList(c.cellTempLowBitmap),
      cellTempHighSensors: bitList(c.cellTempHighBitmap),
      batteryStateCode: c.batteryStateCode,
      flags: c.flags,
      dischargedCapacityRaw: a.dischargedRaw,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Listen-only: a bank master polls its slaves and publishes its own blocks unsolicited (docs/protocols/seplos.md#v3-listening).

const BMS_ID_MAX = 0x7f;

/**
 * Stream framer for sniffing: a CRC-valid 8-byte read request, a read answer or an exception.
 * Anything that is none of these is dropped one byte at a time (resynchronisation).
 */
export const v3ListenFramer: Framer = (buf) => {
  if (buf.length < 2) return { kind: 'incomplete' };
  const fn = buf[1];
  if (buf[0] > BMS_ID_MAX) return { kind: 'garbage', skip: 1 };
  const candidates: number[] = [];
  if (fn === FC_READ_COILS || fn === FC_READ_INPUT || fn === 0x03) {
    candidates.push(8); // request
    if (buf.length < 3) return { kind: 'incomplete' };
    candidates.push(5 + buf[2]); // answer
  } else if (fn === (FC_READ_COILS | 0x80) || fn === (FC_READ_INPUT | 0x80) || fn === 0x83) {
    candidates.push(5);
  } else {
    return { kind: 'garbage', skip: 1 };
  }
  let pending = false;
  for (const len of candidates) {
    if (buf.length < len) {
      pending = true;
      continue;
    }
    if (crcValid(buf.subarray(0, len))) return { kind: 'complete', length: len };
  }
  return pending ? { kind: 'incomplete' } : { kind: 'garbage', skip: 1 };
};

export type ListenEvent =
  | { kind: 'block'; id: number; block: 'pia' | 'pib' | 'pic'; data: Buffer }
  | { kind: 'request'; id: number }
  | { kind: 'other' };

/**
 * Classifies one frame of the sniffed stream. `lastRequest` is the request seen just before (the
 * answer to a master poll follows it); the master's own blocks come without a request, so the byte
 * count tells the block: 34/36 = PIA, 52 = PIB, 18 coil bytes = PIC.
 */
export function classifyListenFrame(
  frame: Buffer,
  lastRequest?: { id: number; fn: number; start: number },
): ListenEvent {
  const id = frame[0];
  const fn = frame[1];
  // An 8-byte frame is a request, except a 3-byte coil answer (5 + 3 bytes).
  if (frame.length === 8 && !(fn === FC_READ_COILS && frame[2] === 3)) return { kind: 'request', id };
  if (fn & 0x80 || frame.length !== 5 + frame[2]) return { kind: 'other' };
  const n = frame[2];
  const data = frame.subarray(3, 3 + n);
  const start = lastRequest && lastRequest.id === id && lastRequest.fn === fn ? lastRequest.start : undefined;
  if (fn === FC_READ_INPUT && (start ?? 0x1000) === 0x1000 && (n === 34 || n === 36))
    return { kind: 'block', id, block: 'pia', data };
  if (fn === FC_READ_INPUT && (start ?? 0x1100) === 0x1100 && n === 52)
    return { kind: 'block', id, block: 'pib', data };
  if (fn === FC_READ_COILS && (start ?? 0x1200) === 0x1200 && n === 18)
    return { kind: 'block', id, block: 'pic', data };
  return { kind: 'other' };
}

/** Start register of a sniffed request (for matching its answer). */
export function requestStart(frame: Buffer): { id: number; fn: number; start: number } {
  return { id: frame[0], fn: frame[1], start: frame.readUInt16BE(2) };
}

// ---------------------------------------------------------------------------------------------
// Identification: the VIA text fields peers read one by one to find a pack (docs/protocols/seplos.md).

/** Manufacturer text of every V3 pack at 0x1700 (10 registers); dbus-serialbattery detects a pack by it. */
export const V3_MANUFACTURER = 'XZH-ElecTech Co.,Ltd';

/** The VIA text fields: first register and length in registers (2 ASCII characters each, NUL padded). */
export const VIA_FIELDS = {
  manufacturer: { start: 0x1700, quantity: 10 },
  deviceName: { start: 0x170a, quantity: 10 },
  firmware: { start: 0x1714, quantity: 1 },
  bmsSerial: { start: 0x1715, quantity: 15 },
  packSerial: { start: 0x1724, quantity: 15 },
} as const;

/** Text of a register read (any VIA field read on its own); odd byte counts are rejected. */
export function decodeRegisterText(data: Buffer): Result<string> {
  if (data.length === 0 || data.length % 2 !== 0)
    return { ok: false, reason: `text read must be whole registers (got ${data.length} bytes)` };
  return { ok: true, value: ascii(data, 0, data.length / 2) };
}

/** Firmware register "15" means version 1.5; anything else is shown as sent. */
export function firmwareVersion(raw: string): string {
  return /^\d\d$/.test(raw) ? `${raw[0]}.${raw[1]}` : raw;
}

export interface V3Identification extends ViaBlock {
  /** `firmware` as a version, e.g. "1.5". */
  firmwareVersion: string;
}

/** Identity of a pack from its VIA block; a block without manufacturer and device name is rejected. */
export function decodeIdentification(data: Buffer): Result<V3Identification> {
  const via = decodeVia(data);
  if (!via.ok) return via;
  if (!via.value.manufacturer && !via.value.deviceName)
    return { ok: false, reason: 'VIA holds no manufacturer and no device name' };
  return { ok: true, value: { ...via.value, firmwareVersion: firmwareVersion(via.value.firmware) } };
}
