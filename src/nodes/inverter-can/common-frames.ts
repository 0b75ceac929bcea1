/**
 * Little-endian frames that several protocols share (docs/protocols/inverter-can.md#shared-frames): 0x351 limits, 0x355
 * SOC, 0x356 battery, 0x35A alarm pairs, 0x35E/text, 0x35F product, 0x372 modules, 0x373 cell
 * extremes, 0x379 capacity. Each encoder has its decoder next to it.
 */
import type { BankState } from '../../core/pack-state';
import type { CanFrame } from '../../transport/can-frame';
import { activeItems, type AlarmItem } from './alarm-items';
import { FrameReader, FrameWriter, put } from './can-encoding';
import type { BatteryIdentity, EncodeOptions, InverterView } from '../../transport/can-inverter-api';
import { socPercent, type WireValues } from './wire-values';

export const NUL = 0x00;
export const SPACE = 0x20;

/** Frame decoders by CAN id; decodeWith runs them over standard-id frames (29-bit frames are ignored). */
export type FrameDecoder = (r: FrameReader, view: InverterView) => void;
export type FrameDecoders = Map<number, FrameDecoder>;

export function decodeWith(frames: CanFrame[], decoders: FrameDecoders): InverterView {
  const view: InverterView = { alarms: [], warnings: [], fields: {} };
  for (const f of frames) {
    const decode = f.ext || f.rtr ? undefined : decoders.get(f.id);
    if (decode && Buffer.isBuffer(f.data)) decode(new FrameReader(f.data), view);
  }
  return view;
}

/** Adds decoded alarm/warning item names to the view (a protocol may carry them in several frames). */
export function addItems(view: InverterView, alarms: string[], warnings: string[]): void {
  view.alarms = [...new Set([...view.alarms, ...alarms])];
  view.warnings = [...new Set([...view.warnings, ...warnings])];
}

// ---- 0x351: CVL u16 0.1 V, CCL s16 0.1 A, DCL s16 0.1 A, DVL u16 0.1 V

export function limitsFrame(v: WireValues, length = 8): CanFrame {
  return new FrameWriter(length)
    .u16(0, v.cvl, 0.1)
    .s16(2, v.ccl, 0.1)
    .s16(4, v.dcl, 0.1)
    .u16(6, v.dvl, 0.1)
    .frame(0x351);
}

export function readLimits(r: FrameReader, view: InverterView): void {
  view.cvl = r.u16(0, 0.1);
  view.ccl = r.s16(2, 0.1);
  view.dcl = r.s16(4, 0.1);
  view.dvl = r.u16(6, 0.1);
}

// ---- 0x355: SOC u16 1 %, SOH u16 1 %, [HiRes SOC u16 0.01 %]

export function socFrame(v: WireValues, length: number, hiRes: boolean, fill = 0): CanFrame {
  const w = new FrameWriter(length, 'le', fill).u16(0, socPercent(v)).u16(2, v.soh);
  if (hiRes) w.u16(4, v.soc, 0.01);
  return w.frame(0x355);
}

export function readSoc(r: FrameReader, view: InverterView, hiRes: boolean): void {
  view.soc = r.u16(0);
  view.soh = r.u16(2);
  if (!hiRes) return;
  const raw = r.u16(4);
  put(view.fields, 'socHiResRaw', raw);
  if (raw !== undefined && raw !== 0xffff) view.fields.socHiRes = raw / 100;
}

// ---- 0x356: voltage s16 (0.01 V, Sol-Ark 0.1 V), current s16 0.1 A (+ = charge), temperature s16 0.1 °C

export function batteryFrame(v: WireValues, voltageLsb: number, length: number, fill = 0): CanFrame {
  return new FrameWriter(length, 'le', fill)
    .s16(0, v.voltage, voltageLsb)
    .s16(2, v.current, 0.1)
    .s16(4, v.temperature, 0.1)
    .frame(0x356);
}

export function readBattery(r: FrameReader, view: InverterView, voltageLsb: number): void {
  view.voltage = r.s16(0, voltageLsb);
  view.current = r.s16(2, 0.1);
  view.temperature = r.s16(4, 0.1);
}

// ---- 0x35A: 2-bit pairs, bytes 0-3 alarms, 4-7 warnings. 1 = active, 2 = OK, 0 = not supported.

/** Pair slots in wire order; slots 13-15 are reserved (Victron uses slot 13 of the warning half for system status). */
export const PAIR_ITEMS: readonly AlarmItem[] = [
  { name: 'general', from: [] },
  { name: 'overVoltage', from: ['cellOverVoltage', 'packOverVoltage'] },
  { name: 'underVoltage', from: ['cellUnderVoltage', 'packUnderVoltage'] },
  { name: 'overTemperature', from: ['dischargeOverTemperature', 'mosOverTemperature'] },
  { name: 'underTemperature', from: ['dischargeUnderTemperature'] },
  { name: 'overTemperatureCharge', from: ['chargeOverTemperature'] },
  { name: 'underTemperatureCharge', from: ['chargeUnderTemperature'] },
  // A short circuit also shows as discharge over-current where the short-circuit item is not supported.
  { name: 'dischargeOverCurrent', from: ['dischargeOverCurrent', 'shortCircuit'] },
  { name: 'chargeOverCurrent', from: ['chargeOverCurrent'] },
  { name: 'contactor', from: [] },
  { name: 'shortCircuit', from: ['shortCircuit'] },
  { name: 'bmsInternal', from: ['internal', 'communication', 'bmsCommLost', 'packOffline'] },
  { name: 'cellImbalance', from: ['cellImbalance'] },
];
const STATUS_SLOT = 13;

/** The items we supervise and report as OK when inactive (docs/protocols/inverter-can.md#0x35a-alarm-pairs). */
export const SUPERVISED_PAIRS: ReadonlySet<string> = new Set([
  'general',
  'overVoltage',
  'underVoltage',
  'overTemperature',
  'underTemperature',
  'overTemperatureCharge',
  'underTemperatureCharge',
  'dischargeOverCurrent',
  'chargeOverCurrent',
  'bmsInternal',
  'cellImbalance',
]);

export interface PairPolicy {
  /** ok-supported: 2 for supervised items, 0 otherwise; ok-all: 2 in every slot (BYD); zero: 0 (Pylontech new firmware). */
  inactive: 'ok-supported' | 'ok-all' | 'zero';
  /** SMA: raise "general" with any alarm-level item. */
  generalOnAlarm: boolean;
  /** Victron: warning byte 7 bits 2-3 = 2 (system online). */
  systemStatus: boolean;
}

export function pairsFrame(alarms: BankState['alarms'], policy: PairPolicy): CanFrame {
  const active = activeItems(alarms, PAIR_ITEMS);
  if (policy.generalOnAlarm && active.alarm.size > 0) active.alarm.add('general');
  const w = new FrameWriter(8);
  const slots = (set: Set<string>, status: boolean): number => {
    let bits = 0;
    for (let slot = 0; slot < 16; slot++) {
      const name = PAIR_ITEMS[slot]?.name;
      const supported = policy.inactive !== 'ok-supported' || (name !== undefined && SUPERVISED_PAIRS.has(name));
      let pair = policy.inactive === 'ok-all' || (policy.inactive === 'ok-supported' && supported) ? 2 : 0;
      if (name !== undefined && supported && set.has(name)) pair = 1;
      if (status && slot === STATUS_SLOT) pair = 2;
      bits += pair * 4 ** slot;
    }
    return bits;
  };
  w.u32(0, slots(active.alarm, false)).u32(4, slots(active.warn, policy.systemStatus));
  return w.frame(0x35a);
}

/** Decodes 0x35A; keys are suffixed where a protocol also has 0x359 lists (Goodwe "Pylon+"). */
export function readPairs(r: FrameReader, view: InverterView, suffix = ''): void {
  const lo = r.u32(0);
  const hi = r.u32(4);
  if (lo === undefined) return;
  const names = (bits: number): string[] =>
    PAIR_ITEMS.filter((_, slot) => Math.floor(bits / 4 ** slot) % 4 === 1).map((i) => i.name);
  const alarms = names(lo);
  const warnings = hi === undefined ? [] : names(hi);
  view.fields[`alarmsActive${suffix}`] = alarms;
  view.fields[`warningsActive${suffix}`] = warnings;
  addItems(view, alarms, warnings);
  const pairs: number[] = [];
  for (const bits of [lo, hi ?? 0]) for (let s = 0; s < 16; s++) pairs.push(Math.floor(bits / 4 ** s) % 4);
  const idle = pairs.filter((p) => p !== 1);
  view.fields[`alarmInactiveEncoding${suffix}`] = idle.every((p) => p === 2)
    ? 'ok-all'
    : idle.every((p) => p === 0)
      ? 'zero'
      : 'ok-supported';
  if (hi !== undefined) {
    const status = pairs[16 + STATUS_SLOT];
    if (status === 0) view.fields.systemStatusPair = 'unsupported';
    else view.fields.systemOnline = status === 2;
  }
}

// ---- text frames (0x35E manufacturer, 0x370/0x371 name, 0x374-0x377 ids, 0x382 product)

export function textFrame(id: number, text: string, pad: number, length = 8): CanFrame {
  return new FrameWriter(length).ascii(0, text, length, pad).frame(id);
}

// ---- 0x35F: product id u16, firmware major/minor u8, capacity u16 Ah, bytes 6-7 u16

/** "1.23" → [1, 23]; anything unparsable → [0, 0]. */
export function firmwareBytes(version: string | undefined): [number, number] {
  const m = /^(\d{1,3})\.(\d{1,3})$/.exec(version ?? '');
  return m ? [Math.min(255, Number(m[1])), Math.min(255, Number(m[2]))] : [0, 0];
}

export function productFrame(identity: BatteryIdentity, capacityAh: number, tail = 0): CanFrame {
  const [major, minor] = firmwareBytes(identity.firmwareVersion);
  return new FrameWriter(8)
    .u16(0, identity.productId ?? 0)
    .u8(2, major)
    .u8(3, minor)
    .u16(4, capacityAh)
    .u16(6, tail)
    .frame(0x35f);
}

export interface ProductFields {
  id?: number;
  firmware?: string;
  capacityAh?: number;
  tail?: number;
}

export function readProduct(r: FrameReader): ProductFields {
  const major = r.u8(2);
  const minor = r.u8(3);
  return {
    id: r.u16(0),
    firmware: major !== undefined && minor !== undefined ? `${major}.${minor}` : undefined,
    capacityAh: r.u16(4),
    tail: r.u16(6),
  };
}

// ---- 0x372 module counts, 0x373 cell extremes, 0x379 installed capacity

export function modulesFrame(bank: BankState): CanFrame {
  const p = bank.packs;
  return new FrameWriter(8)
    .u16(0, p.online)
    .u16(2, p.blockingCharge)
    .u16(4, p.blockingDischarge)
    .u16(6, p.offline)
    .frame(0x372);
}

export function readModules(r: FrameReader, view: InverterView): void {
  put(view.fields, 'modulesOnline', r.u16(0));
  put(view.fields, 'modulesBlockingCharge', r.u16(2));
  put(view.fields, 'modulesBlockingDischarge', r.u16(4));
  put(view.fields, 'modulesOffline', r.u16(6));
}

/** Whole Kelvin as Victron sends it: °C rounded, + 273. */
const KELVIN = 273;

export function cellExtremesFrame(bank: BankState): CanFrame {
  return new FrameWriter(8)
    .u16(0, bank.cellMin.v, 0.001)
    .u16(2, bank.cellMax.v, 0.001)
    .u16(4, Math.round(bank.temperature.min) + KELVIN)
    .u16(6, Math.round(bank.temperature.max) + KELVIN)
    .frame(0x373);
}

export function readCellExtremes(r: FrameReader, view: InverterView): void {
  put(view.fields, 'minCellVoltage', r.u16(0, 0.001));
  put(view.fields, 'maxCellVoltage', r.u16(2, 0.001));
  const minK = r.u16(4);
  const maxK = r.u16(6);
  put(view.fields, 'minCellTempK', minK);
  put(view.fields, 'maxCellTempK', maxK);
  if (minK !== undefined) view.fields.minCellTemp = minK - KELVIN;
  if (maxK !== undefined) view.fields.maxCellTemp = maxK - KELVIN;
}

export function capacityFrame(bank: BankState): CanFrame {
  return new FrameWriter(8).u16(0, bank.capacityAh.installed).frame(0x379);
}

export function readCapacity(r: FrameReader, view: InverterView): void {
  put(view.fields, 'installedCapacityAh', r.u16(0));
}

export function readManufacturer(r: FrameReader, view: InverterView): void {
  put(view.fields, 'manufacturer', r.ascii(0, 8));
}

/** Identity with the protocol's defaults filled in. */
export function identityOf(options: EncodeOptions | undefined, defaults: BatteryIdentity): BatteryIdentity {
  const given = options?.identity ?? {};
  const out: BatteryIdentity = { ...defaults };
  for (const [k, v] of Object.entries(given)) if (v !== undefined && v !== '') (out as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * The frames SMA and the Victron-style sets decode alike: 0x351 limits, 0x355 SoC/SoH (0.01 % in
 * bytes 4-5), 0x35A alarm pairs, 0x35B events, 0x35E manufacturer. Each protocol adds its own 0x356/0x35F.
 */
export const SMA_VICTRON_DECODERS: ReadonlyArray<[number, FrameDecoder]> = [
  [0x351, readLimits],
  [0x355, (r, view) => readSoc(r, view, true)],
  [0x35a, (r, view) => readPairs(r, view)],
  [0x35b, (r, view) => put(view.fields, 'events35B', r.u8(0))],
  [0x35e, readManufacturer],
];
