/**
 * Pylontech RS485 system-level payloads polled by newer inverters (SRNE, Vevor, Deye): 0x61 system
 * analog data and 0x62 system alarms; 0x63 is the 0x92 layout without the command value
 * (protocol-pylontech-485-pack.ts). No DATA FLAG or command-value byte. Layouts come from emulators
 * that work with real inverters (docs/protocols/pylontech-485.md#system-commands). Pure.
 */
import type { Result } from '../../core/result';
import { InfoReader, InfoWriter } from './protocol-info-bytes';
import { fromKelvin10, toKelvin10 } from './protocol-pylontech-485-pack';

/** Average, highest (and where), lowest (and where); ids are pack (high byte) / cell or sensor (low byte). */
export interface TemperatureSummary {
  avg: number;
  max: number;
  maxId: number;
  min: number;
  minId: number;
}

export interface SystemAnalog {
  voltage: number;
  /** A, + = charging; 0.01 A on the wire. */
  current: number;
  soc: number;
  averageCycles: number;
  maxCycles: number;
  averageSoh: number;
  minSoh: number;
  maxCellMv: number;
  maxCellId: number;
  minCellMv: number;
  minCellId: number;
  cellTemperature: TemperatureSummary;
  mosfetTemperature: TemperatureSummary;
  bmsTemperature: TemperatureSummary;
}

function writeTemperatures(writer: InfoWriter, t: TemperatureSummary): void {
  writer.u16(toKelvin10(t.avg)).u16(toKelvin10(t.max)).u16(t.maxId).u16(toKelvin10(t.min)).u16(t.minId);
}

function readTemperatures(reader: InfoReader): TemperatureSummary {
  return {
    avg: fromKelvin10(reader.u16()),
    max: fromKelvin10(reader.u16()),
    maxId: reader.u16(),
    min: fromKelvin10(reader.u16()),
    minId: reader.u16(),
  };
}

export function encodeSystemAnalog(s: SystemAnalog): Buffer {
  const writer = new InfoWriter()
    .u16(s.voltage * 1000)
    .s16(s.current * 100)
    .u8(s.soc)
    .u16(s.averageCycles)
    .u16(s.maxCycles)
    .u8(s.averageSoh)
    .u8(s.minSoh)
    .u16(s.maxCellMv)
    .u16(s.maxCellId)
    .u16(s.minCellMv)
    .u16(s.minCellId);
  writeTemperatures(writer, s.cellTemperature);
  writeTemperatures(writer, s.mosfetTemperature);
  writeTemperatures(writer, s.bmsTemperature);
  return writer.toBuffer();
}

export function decodeSystemAnalog(info: Buffer): Result<SystemAnalog> {
  const reader = new InfoReader(info);
  const value: SystemAnalog = {
    voltage: reader.u16() / 1000,
    current: reader.s16() / 100,
    soc: reader.u8(),
    averageCycles: reader.u16(),
    maxCycles: reader.u16(),
    averageSoh: reader.u8(),
    minSoh: reader.u8(),
    maxCellMv: reader.u16(),
    maxCellId: reader.u16(),
    minCellMv: reader.u16(),
    minCellId: reader.u16(),
    cellTemperature: readTemperatures(reader),
    mosfetTemperature: readTemperatures(reader),
    bmsTemperature: readTemperatures(reader),
  };
  return reader.short ? { ok: false, reason: 'INFO too short for system analog data' } : { ok: true, value };
}

/** 0x62 bytes: alarm status 1 and 2 (warnings), protection status 1 and 2. */
export interface SystemAlarms {
  alarm1: number;
  alarm2: number;
  protection1: number;
  protection2: number;
}

/** Alarm status 1 / protection status 1 share the bit positions for the same quantity. */
export const SYSTEM_BITS_1 = {
  moduleHighVoltage: 0x80,
  moduleLowVoltage: 0x40,
  cellHighVoltage: 0x20,
  cellLowVoltage: 0x10,
  cellHighTemperature: 0x08,
  cellLowTemperature: 0x04,
  mosfetHighTemperature: 0x02,
  cellImbalance: 0x01,
} as const;

/** Alarm status 2 / protection status 2. */
export const SYSTEM_BITS_2 = {
  temperatureImbalance: 0x80,
  chargeOverCurrent: 0x40,
  dischargeOverCurrent: 0x20,
  communicationError: 0x10,
  systemFault: 0x08,
} as const;

export function encodeSystemAlarms(a: SystemAlarms): Buffer {
  return new InfoWriter().u8(a.alarm1).u8(a.alarm2).u8(a.protection1).u8(a.protection2).toBuffer();
}

export function decodeSystemAlarms(info: Buffer): Result<SystemAlarms> {
  const reader = new InfoReader(info);
  const value = { alarm1: reader.u8(), alarm2: reader.u8(), protection1: reader.u8(), protection2: reader.u8() };
  return reader.short ? { ok: false, reason: 'INFO too short for system alarms' } : { ok: true, value };
}
