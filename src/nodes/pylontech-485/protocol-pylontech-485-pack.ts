/**
 * Pylontech RS485 per-pack payloads (0x42, 0x44, 0x47, 0x51, 0x92, 0x93, 0x96) in engineering units:
 * volts, amps, °C, ampere-hours. Encoders clamp each value into its wire field; decoders never throw
 * and refuse an INFO that is too short (docs/protocols/pylontech-485.md#per-pack-answers). Pure.
 */
import type { Result } from '../../core/result';
import { InfoReader, InfoWriter } from './protocol-info-bytes';

/** Temperatures travel as 0.1 K with the vendor offset 2731. */
const KELVIN_OFFSET = 2731;
export const toKelvin10 = (celsius: number): number => celsius * 10 + KELVIN_OFFSET;
export const fromKelvin10 = (raw: number): number => (raw - KELVIN_OFFSET) / 10;

function shortInfo<T>(reader: InfoReader, value: T, what: string): Result<T> {
  return reader.short ? { ok: false, reason: `INFO too short for ${what}` } : { ok: true, value };
}

// ---- 0x92 / 0x63 charge and discharge management ----

export interface Management {
  /** Charge voltage limit, V. */
  cvl: number;
  /** Discharge voltage limit, V. */
  dvl: number;
  /** Charge current limit, A. */
  ccl: number;
  /** Discharge current limit, A, signed as on the wire (real packs send it negative in 0x92). */
  dcl: number;
  chargeEnable: boolean;
  dischargeEnable: boolean;
  chargeImmediately1: boolean;
  chargeImmediately2: boolean;
  fullChargeRequest: boolean;
}

const STATUS_BITS: [keyof Management, number][] = [
  ['chargeEnable', 0x80],
  ['dischargeEnable', 0x40],
  ['chargeImmediately1', 0x20],
  ['chargeImmediately2', 0x10],
  ['fullChargeRequest', 0x08],
];

/** The current unit of 0x92 (always) and 0x63 (by default); some 0x63 readers use 0.01 A. */
export type CurrentLsb = 0.1 | 0.01;

/** 0x92 INFO with the command value first; 0x63 INFO (no command value) when it is undefined. */
export function encodeManagement(management: Management, commandValue?: number, currentLsb: CurrentLsb = 0.1): Buffer {
  const writer = new InfoWriter();
  if (commandValue !== undefined) writer.u8(commandValue);
  let status = 0;
  for (const [flag, bit] of STATUS_BITS) if (management[flag]) status |= bit;
  const perAmp = Math.round(1 / currentLsb);
  return writer
    .u16(management.cvl * 1000)
    .u16(management.dvl * 1000)
    .s16(management.ccl * perAmp)
    .s16(management.dcl * perAmp)
    .u8(status)
    .toBuffer();
}

export function decodeManagement(
  info: Buffer,
  withCommandValue: boolean,
  currentLsb: CurrentLsb = 0.1,
): Result<Management & { commandValue?: number; status: number }> {
  const reader = new InfoReader(info);
  const commandValue = withCommandValue ? reader.u8() : undefined;
  const cvl = reader.u16() / 1000;
  const dvl = reader.u16() / 1000;
  // multiply by the unit's inverse, an integer, so 0.01 A steps decode without binary fractions
  const perAmp = Math.round(1 / currentLsb);
  const ccl = reader.s16() / perAmp;
  const dcl = reader.s16() / perAmp;
  const status = reader.u8();
  const flag = (bit: number): boolean => (status & bit) !== 0;
  const value = {
    ...(commandValue === undefined ? {} : { commandValue }),
    cvl,
    dvl,
    ccl,
    dcl,
    status,
    chargeEnable: flag(0x80),
    dischargeEnable: flag(0x40),
    chargeImmediately1: flag(0x20),
    chargeImmediately2: flag(0x10),
    fullChargeRequest: flag(0x08),
  };
  return shortInfo(reader, value, 'charge/discharge management');
}

// ---- 0x42 analog values ----

export interface AnalogBlock {
  cellsMv: number[];
  temperaturesC: number[];
  /** A, + = charging. */
  current: number;
  /** V. */
  voltage: number;
  remainingAh: number;
  totalAh: number;
  cycles: number;
  /** 2: 16-bit mAh capacities (≤ 65 Ah); 4: 24-bit mAh capacities, 16-bit fields 0xFFFF. */
  userItems: 2 | 4;
}

export interface PackAnswer<T> {
  dataFlag: number;
  /** The pack's ADR; the pack count in an answer to a group (0xFF) request. */
  commandValue: number;
  packs: T[];
  /** Bytes after the last block (newer firmware appends one to 0x44). */
  trailing: number[];
}

function writeAnalogBlock(writer: InfoWriter, block: AnalogBlock): void {
  writer.u8(block.cellsMv.length);
  for (const mv of block.cellsMv) writer.s16(mv);
  writer.u8(block.temperaturesC.length);
  for (const celsius of block.temperaturesC) writer.s16(toKelvin10(celsius));
  writer.s16(block.current * 10).u16(block.voltage * 1000);
  if (block.userItems === 4) {
    writer.u16(0xffff).u8(4).u16(0xffff).u16(block.cycles);
    writer.u24(block.remainingAh * 1000).u24(block.totalAh * 1000);
  } else {
    writer
      .u16(block.remainingAh * 1000)
      .u8(2)
      .u16(block.totalAh * 1000)
      .u16(block.cycles);
  }
}

export function encodeAnalog(answer: Omit<PackAnswer<AnalogBlock>, 'trailing'>): Buffer {
  const writer = new InfoWriter().u8(answer.dataFlag).u8(answer.commandValue);
  for (const block of answer.packs) writeAnalogBlock(writer, block);
  return writer.toBuffer();
}

function readAnalogBlock(reader: InfoReader): Result<AnalogBlock> {
  const cellsMv = Array.from({ length: reader.u8() }, () => reader.s16());
  const temperaturesC = Array.from({ length: reader.u8() }, () => fromKelvin10(reader.s16()));
  const current = reader.s16() / 10;
  const voltage = reader.u16() / 1000;
  const remaining16 = reader.u16();
  const userItems = reader.u8();
  const total16 = reader.u16();
  const cycles = reader.u16();
  if (userItems !== 2 && userItems !== 4) return { ok: false, reason: `unknown user-defined item count ${userItems}` };
  const remainingMah = userItems === 4 ? reader.u24() : remaining16;
  const totalMah = userItems === 4 ? reader.u24() : total16;
  const block = {
    cellsMv,
    temperaturesC,
    current,
    voltage,
    remainingAh: remainingMah / 1000,
    totalAh: totalMah / 1000,
  };
  return shortInfo(reader, { ...block, cycles, userItems }, 'analog values');
}

/** Blocks follow each other to the end of the INFO (one per pack of a group answer). */
export function decodeAnalog(info: Buffer): Result<PackAnswer<AnalogBlock>> {
  const reader = new InfoReader(info);
  const dataFlag = reader.u8();
  const commandValue = reader.u8();
  const packs: AnalogBlock[] = [];
  do {
    const block = readAnalogBlock(reader);
    if (!block.ok) return block;
    packs.push(block.value);
  } while (reader.remaining > 0);
  return { ok: true, value: { dataFlag, commandValue, packs, trailing: [] } };
}

// ---- 0x44 alarm info ----

export interface AlarmBlock {
  /** Per cell: 0 normal, 1 below lower limit, 2 above upper limit, 0xF0 other error. */
  cellStates: number[];
  temperatureStates: number[];
  chargeCurrentState: number;
  moduleVoltageState: number;
  dischargeCurrentState: number;
  /** Status bytes 1…5 (protection flags, switches, current direction, cell errors). */
  status: number[];
}

export const ALARM_STATE = { normal: 0x00, belowLimit: 0x01, aboveLimit: 0x02, otherError: 0xf0 } as const;

/** Status 1 bits (0x44). */
export const STATUS1 = {
  moduleOverVoltage: 0x01,
  cellUnderVoltage: 0x02,
  chargeOverCurrent: 0x04,
  dischargeOverCurrent: 0x10,
  dischargeOverTemperature: 0x20,
  chargeOverTemperature: 0x40,
  moduleUnderVoltage: 0x80,
} as const;

/** Status 2 and 3 bits (0x44). */
export const STATUS2 = { preMosfet: 0x01, chargeMosfet: 0x02, dischargeMosfet: 0x04, usingModulePower: 0x08 } as const;
export const STATUS3 = { buzzer: 0x01, fullyCharged: 0x08, effectiveDischarge: 0x40, effectiveCharge: 0x80 } as const;

export function encodeAlarms(answer: PackAnswer<AlarmBlock>): Buffer {
  const writer = new InfoWriter().u8(answer.dataFlag).u8(answer.commandValue);
  for (const block of answer.packs) {
    writer.u8(block.cellStates.length).raw(block.cellStates);
    writer.u8(block.temperatureStates.length).raw(block.temperatureStates);
    writer.u8(block.chargeCurrentState).u8(block.moduleVoltageState).u8(block.dischargeCurrentState);
    writer.raw(block.status);
  }
  return writer.raw(answer.trailing).toBuffer();
}

function readAlarmBlock(reader: InfoReader): AlarmBlock {
  const cellStates = reader.bytes(reader.u8());
  const temperatureStates = reader.bytes(reader.u8());
  return {
    cellStates,
    temperatureStates,
    chargeCurrentState: reader.u8(),
    moduleVoltageState: reader.u8(),
    dischargeCurrentState: reader.u8(),
    status: reader.bytes(5),
  };
}

/** Another block fits when the rest holds at least one more of the first block's size; else it is trailing. */
export function decodeAlarms(info: Buffer): Result<PackAnswer<AlarmBlock>> {
  const reader = new InfoReader(info);
  const dataFlag = reader.u8();
  const commandValue = reader.u8();
  const packs = [readAlarmBlock(reader)];
  const blockSize = 10 + packs[0].cellStates.length + packs[0].temperatureStates.length;
  while (!reader.short && reader.remaining >= blockSize) packs.push(readAlarmBlock(reader));
  const trailing = reader.bytes(reader.remaining);
  return shortInfo(reader, { dataFlag, commandValue, packs, trailing }, 'alarm info');
}

// ---- 0x47 system parameters ----

export interface SystemParameters {
  dataFlag: number;
  cellHighVoltage: number;
  cellLowVoltage: number;
  cellUnderVoltage: number;
  chargeHighTemperature: number;
  chargeLowTemperature: number;
  chargeCurrentLimit: number;
  moduleHighVoltage: number;
  moduleLowVoltage: number;
  moduleUnderVoltage: number;
  dischargeHighTemperature: number;
  dischargeLowTemperature: number;
  /** Negative on real packs. */
  dischargeCurrentLimit: number;
}

type ParameterName = Exclude<keyof SystemParameters, 'dataFlag'>;
/** Wire units: mV for volts, 0.1 A for amps, 0.1 K for °C. */
type WireUnit = 'mV' | 'dA' | 'dK';
const TO_WIRE: Record<WireUnit, (value: number) => number> = {
  mV: (volts) => volts * 1000,
  dA: (amps) => amps * 10,
  dK: toKelvin10,
};
const FROM_WIRE: Record<WireUnit, (raw: number) => number> = {
  mV: (raw) => raw / 1000,
  dA: (raw) => raw / 10,
  dK: fromKelvin10,
};

/** The 0x47 words after DATA FLAG, in wire order; one table for the encoder and the decoder. */
const SYSTEM_PARAMETER_WORDS: ReadonlyArray<[ParameterName, 'u16' | 's16', WireUnit]> = [
  ['cellHighVoltage', 'u16', 'mV'],
  ['cellLowVoltage', 'u16', 'mV'],
  ['cellUnderVoltage', 's16', 'mV'],
  ['chargeHighTemperature', 's16', 'dK'],
  ['chargeLowTemperature', 's16', 'dK'],
  ['chargeCurrentLimit', 's16', 'dA'],
  ['moduleHighVoltage', 'u16', 'mV'],
  ['moduleLowVoltage', 'u16', 'mV'],
  ['moduleUnderVoltage', 'u16', 'mV'],
  ['dischargeHighTemperature', 's16', 'dK'],
  ['dischargeLowTemperature', 's16', 'dK'],
  ['dischargeCurrentLimit', 's16', 'dA'],
];

export function encodeSystemParameters(parameters: SystemParameters): Buffer {
  const writer = new InfoWriter().u8(parameters.dataFlag);
  for (const [name, kind, unit] of SYSTEM_PARAMETER_WORDS) writer[kind](TO_WIRE[unit](parameters[name]));
  return writer.toBuffer();
}

export function decodeSystemParameters(info: Buffer): Result<SystemParameters> {
  const reader = new InfoReader(info);
  const value = { dataFlag: reader.u8() } as SystemParameters;
  for (const [name, kind, unit] of SYSTEM_PARAMETER_WORDS) value[name] = FROM_WIRE[unit](reader[kind]());
  return shortInfo(reader, value, 'system parameters');
}

// ---- 0x51 manufacturer info, 0x93 serial number, 0x96 firmware ----

export interface ManufacturerInfo {
  deviceName: string;
  softwareVersion: [number, number];
  manufacturer: string;
}

/** Device name NUL padded to 10, manufacturer padded with "-" to 20, as real packs send them. */
export function encodeManufacturer(info: ManufacturerInfo): Buffer {
  return new InfoWriter()
    .text(info.deviceName, 10, '\0')
    .raw(info.softwareVersion)
    .text(info.manufacturer, 20, '-')
    .toBuffer();
}

const text = (bytes: number[], pad: RegExp): string =>
  Buffer.from(bytes)
    .toString('latin1')
    .replace(pad, '')
    .replace(/[^\x20-\x7e]/g, '');

export function decodeManufacturer(info: Buffer): Result<ManufacturerInfo> {
  const reader = new InfoReader(info);
  const deviceName = text(reader.bytes(10), /\0+$/);
  const softwareVersion: [number, number] = [reader.u8(), reader.u8()];
  const manufacturer = text(reader.bytes(20), /-+$/);
  return shortInfo(reader, { deviceName, softwareVersion, manufacturer }, 'manufacturer info');
}

export function encodeSerialNumber(commandValue: number, serial: string): Buffer {
  return new InfoWriter().u8(commandValue).text(serial, 16, ' ').toBuffer();
}

export function decodeSerialNumber(info: Buffer): Result<{ commandValue: number; serial: string }> {
  const reader = new InfoReader(info);
  const commandValue = reader.u8();
  const serial = text(reader.bytes(16), / +$/);
  return shortInfo(reader, { commandValue, serial }, 'serial number');
}

export interface FirmwareInfo {
  commandValue: number;
  manufactureVersion: [number, number];
  mainLineVersion: [number, number, number];
}

export function encodeFirmware(info: FirmwareInfo): Buffer {
  return new InfoWriter().u8(info.commandValue).raw(info.manufactureVersion).raw(info.mainLineVersion).toBuffer();
}

export function decodeFirmware(info: Buffer): Result<FirmwareInfo> {
  const reader = new InfoReader(info);
  const commandValue = reader.u8();
  const manufactureVersion: [number, number] = [reader.u8(), reader.u8()];
  const mainLineVersion: [number, number, number] = [reader.u8(), reader.u8(), reader.u8()];
  return shortInfo(reader, { commandValue, manufactureVersion, mainLineVersion }, 'firmware info');
}
