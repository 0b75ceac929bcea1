/**
 * The three JK data blocks (live, settings, device info) as layouts of typed fields. One layout
 * serves both wire forms: PB Modbus FC 0x03 answers (big-endian, starting at any byte offset of the
 * block, docs/protocols/jk-bms.md#pb-blocks) and JK02 300-byte frames (little-endian, block offset + 6, docs/protocols/jk-bms.md#jk02-frames). The same
 * tables decode and encode (the simulator), so the two directions cannot drift apart.
 */
import type { Result } from '../../core/result';

export type FieldType = 'u8' | 'u16' | 'i16' | 'u32' | 'i32';
export interface FieldSpec {
  key: string;
  off: number;
  type: FieldType;
  /** Engineering value = raw × scale. */
  scale?: number;
  bool?: boolean;
}
const SIZE: Record<FieldType, number> = { u8: 1, u16: 2, i16: 2, u32: 4, i32: 4 };

/** A window on a block: `buf[0]` is block byte `base`. Reads outside the window give undefined. */
export class BlockView {
  /** DataView reads take the byte order as an argument and skip Buffer's per-call argument checks. */
  private readonly data: DataView;

  constructor(
    readonly buf: Buffer,
    readonly base: number,
    readonly le: boolean,
  ) {
    this.data = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  covers(off: number, size: number): boolean {
    return off >= this.base && off + size <= this.base + this.buf.length;
  }

  read(off: number, type: FieldType): number | undefined {
    if (!this.covers(off, SIZE[type])) return undefined;
    const p = off - this.base;
    switch (type) {
      case 'u8':
        return this.data.getUint8(p);
      case 'u16':
        return this.data.getUint16(p, this.le);
      case 'i16':
        return this.data.getInt16(p, this.le);
      case 'u32':
        return this.data.getUint32(p, this.le);
      case 'i32':
        return this.data.getInt32(p, this.le);
    }
  }

  /** NUL-terminated ASCII; non-printable bytes are dropped so a garbled field stays a plain string. */
  ascii(off: number, len: number): string | undefined {
    if (!this.covers(off, len)) return undefined;
    let text = '';
    for (let p = off - this.base, end = p + len; p < end && this.buf[p] !== 0; p++) {
      const c = this.buf[p];
      if (c >= 0x20 && c < 0x7f) text += String.fromCharCode(c);
    }
    return text.trim();
  }
}

/** 10^decimals of a scale (0.001 → 1000): raw × scale is rounded to the decimals the scale has. */
function roundingFactor(scale: number): number {
  return 10 ** Math.max(0, Math.round(-Math.log10(scale)));
}

/** raw × scale without float noise such as 3.3000000000000003. */
export function scaled(raw: number, scale = 1): number {
  if (scale === 1) return raw;
  const factor = roundingFactor(scale);
  return Math.round(raw * scale * factor) / factor;
}

/** A field's engineering value from its raw reading. */
export function fieldValue(spec: Omit<FieldSpec, 'off'>, raw: number): number | boolean {
  return spec.bool ? raw !== 0 : scaled(raw, spec.scale);
}

/** Reads every field the view covers, in table order. */
export function readFields(view: BlockView, specs: FieldSpec[]): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  for (const spec of specs) {
    const raw = view.read(spec.off, spec.type);
    if (raw !== undefined) out[spec.key] = fieldValue(spec, raw);
  }
  return out;
}

/** Writes the given fields into a block image (engineering values; missing keys stay 0). */
export function writeFields(
  block: Buffer,
  le: boolean,
  specs: FieldSpec[],
  values: Record<string, number | boolean>,
): void {
  for (const s of specs) {
    const v = values[s.key];
    if (v === undefined) continue;
    const raw = typeof v === 'boolean' ? Number(v) : Math.round(v / (s.scale ?? 1));
    const max = 2 ** (8 * SIZE[s.type]);
    const signed = s.type[0] === 'i';
    const clamped = Math.min(signed ? max / 2 - 1 : max - 1, Math.max(signed ? -max / 2 : 0, raw));
    switch (s.type) {
      case 'u8':
        block.writeUInt8(clamped, s.off);
        break;
      case 'u16':
        if (le) block.writeUInt16LE(clamped, s.off);
        else block.writeUInt16BE(clamped, s.off);
        break;
      case 'i16':
        if (le) block.writeInt16LE(clamped, s.off);
        else block.writeInt16BE(clamped, s.off);
        break;
      case 'u32':
        if (le) block.writeUInt32LE(clamped, s.off);
        else block.writeUInt32BE(clamped, s.off);
        break;
      case 'i32':
        if (le) block.writeInt32LE(clamped, s.off);
        else block.writeInt32BE(clamped, s.off);
        break;
    }
  }
}

// ---- live block (Modbus 0x1200; JK02 cell-info frame type 0x02) ----

export type LiveLayoutName = 'JK02_32S' | 'JK02_24S';
export interface LiveLayout {
  maxCells: number;
  cells: number;
  mask: number;
  resistances: number;
  fields: FieldSpec[];
}

const f = (key: string, off: number, type: FieldType, scale?: number): FieldSpec => ({ key, off, type, scale });
const b = (key: string, off: number): FieldSpec => ({ key, off, type: 'u8', bool: true });

/** Block offsets (JK02 frame offset − 6) for each cell-info layout (docs/protocols/jk-bms.md#jk02-cell-info). */
export const LIVE_LAYOUTS: Record<LiveLayoutName, LiveLayout> = {
  JK02_32S: {
    maxCells: 32,
    cells: 0,
    mask: 64,
    resistances: 74,
    fields: [
      f('averageCellVoltageReported', 68, 'u16', 0.001),
      f('deltaCellVoltageReported', 70, 'u16', 0.001),
      f('maxCellIndexReported', 72, 'u8'),
      f('minCellIndexReported', 73, 'u8'),
      f('mos', 138, 'i16', 0.1),
      f('wireResistanceAlarmMask', 140, 'u32'),
      f('packVoltage', 144, 'u32', 0.001),
      f('powerRawW', 148, 'u32', 0.001),
      f('current', 152, 'i32', 0.001),
      f('t1', 156, 'i16', 0.1),
      f('t2', 158, 'i16', 0.1),
      f('alarmsRaw', 160, 'u32'),
      f('balanceCurrent', 164, 'i16', 0.001),
      f('balancerState', 166, 'u8'),
      f('soc', 167, 'u8'),
      f('remainingCapacityAh', 168, 'i32', 0.001),
      f('fullChargeCapacityAh', 172, 'u32', 0.001),
      f('cycles', 176, 'u32'),
      f('totalCycleCapacityAh', 180, 'u32', 0.001),
      f('soh', 184, 'u8'),
      b('prechargeOn', 185),
      f('userAlarm', 186, 'u16'),
      f('runtimeSeconds', 188, 'u32'),
      b('chargeFetOn', 192),
      b('dischargeFetOn', 193),
      f('userAlarm2', 194, 'u16'),
      f('temperatureSensorPresentMask', 208, 'u8'),
      b('heatingOn', 209),
      f('packVoltageAlt', 228, 'u16', 0.01),
      f('heaterCurrent', 230, 'i16', 0.001),
      f('t3', 248, 'i16', 0.1),
      f('t4', 250, 'i16', 0.1),
      f('t5', 252, 'i16', 0.1),
    ],
  },
  JK02_24S: {
    maxCells: 24,
    cells: 0,
    mask: 48,
    resistances: 58,
    fields: [
      f('averageCellVoltageReported', 52, 'u16', 0.001),
      f('deltaCellVoltageReported', 54, 'u16', 0.001),
      f('maxCellIndexReported', 56, 'u8'),
      f('minCellIndexReported', 57, 'u8'),
      f('wireResistanceAlarmMask', 108, 'u32'),
      f('packVoltage', 112, 'u32', 0.001),
      f('powerRawW', 116, 'u32', 0.001),
      f('current', 120, 'i32', 0.001),
      f('t1', 124, 'i16', 0.1),
      f('t2', 126, 'i16', 0.1),
      f('mos', 128, 'i16', 0.1),
      f('alarmsRaw', 130, 'u16'),
      f('balanceCurrent', 132, 'i16', 0.001),
      f('balancerState', 134, 'u8'),
      f('soc', 135, 'u8'),
      f('remainingCapacityAh', 136, 'u32', 0.001),
      f('fullChargeCapacityAh', 140, 'u32', 0.001),
      f('cycles', 144, 'u32'),
      f('totalCycleCapacityAh', 148, 'u32', 0.001),
      f('soh', 152, 'u8'),
      b('prechargeOn', 153),
      f('userAlarm', 154, 'u16'),
      f('runtimeSeconds', 156, 'u32'),
      b('chargeFetOn', 160),
      b('dischargeFetOn', 161),
    ],
  },
};

/** Fields without which a live reading cannot become a PackState. */
const LIVE_REQUIRED = [
  'packVoltage',
  'current',
  'soc',
  'mos',
  't1',
  't2',
  'alarmsRaw',
  'chargeFetOn',
  'dischargeFetOn',
];

/** The temperatures go into their own record of the reading. */
const TEMPERATURE_KEYS = new Set(['mos', 't1', 't2', 't3', 't4', 't5']);

export interface LiveReading {
  layout: LiveLayoutName;
  enabledCellsMask: number;
  cellCount: number;
  cellVoltages: number[];
  cellResistancesMilliOhm: number[];
  packVoltage: number;
  current: number;
  soc: number;
  alarmsRaw: number;
  chargeFetOn: boolean;
  dischargeFetOn: boolean;
  temperatures: { mos: number; t1: number; t2: number; t3?: number; t4?: number; t5?: number };
  /** Every other field the read covered, by the vector key names. */
  [key: string]: unknown;
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v; v >>>= 1) n += v & 1;
  return n;
}

export function decodeLive(view: BlockView, layoutName: LiveLayoutName): Result<LiveReading> {
  const layout = LIVE_LAYOUTS[layoutName];
  const fields = readFields(
    view,
    layout.fields.filter((spec) => !TEMPERATURE_KEYS.has(spec.key)),
  );
  const temps = readFields(
    view,
    layout.fields.filter((spec) => TEMPERATURE_KEYS.has(spec.key)),
  ) as Record<string, number>;
  for (const k of LIVE_REQUIRED) {
    if ((fields[k] ?? temps[k]) === undefined) return { ok: false, reason: `the read does not cover the ${k} field` };
  }
  const mask = view.read(layout.mask, 'u32');
  if (mask === undefined || !view.covers(layout.cells, 2 * layout.maxCells)) {
    return { ok: false, reason: 'the read does not cover the cell voltages and cell mask' };
  }
  const cellCount = popcount(mask);
  if (cellCount === 0 || cellCount > layout.maxCells)
    return { ok: false, reason: `cell mask 0x${mask.toString(16)} enables ${cellCount} cells` };
  // (>>> 32 would shift by 0: only a layout narrower than the mask can have bits beyond it.)
  if (layout.maxCells < 32 && mask >>> layout.maxCells !== 0)
    return {
      ok: false,
      reason: `cell mask 0x${mask.toString(16)} enables cells beyond ${layoutName}'s ${layout.maxCells}`,
    };
  if ((fields.soc as number) > 100) return { ok: false, reason: `SOC ${String(fields.soc)} % is out of range` };
  const cellVoltages: number[] = [];
  const cellResistancesMilliOhm: number[] = [];
  for (let i = 0; i < cellCount; i++) {
    cellVoltages.push(scaled(view.read(layout.cells + 2 * i, 'u16')!, 0.001));
    const r = view.read(layout.resistances + 2 * i, 'u16');
    if (r !== undefined) cellResistancesMilliOhm.push(r);
  }
  const temperatures: LiveReading['temperatures'] = { mos: temps.mos, t1: temps.t1, t2: temps.t2 };
  if (temps.t3 !== undefined) Object.assign(temperatures, { t3: temps.t3, t4: temps.t4, t5: temps.t5 });
  // The required fields were checked above; added to the field record rather than copied into a new one.
  const reading = Object.assign(fields, {
    layout: layoutName,
    enabledCellsMask: mask,
    cellCount,
    cellVoltages,
    cellResistancesMilliOhm,
    temperatures,
  }) as LiveReading;
  return { ok: true, value: reading };
}

/** Block image of a live reading (what the simulator serves), `size` bytes long. */
export function encodeLive(
  values: Record<string, number | boolean>,
  cells: number[],
  resistances: number[],
  le: boolean,
  size: number,
): Buffer {
  const layout = LIVE_LAYOUTS.JK02_32S;
  const block = Buffer.alloc(size);
  const n = Math.min(cells.length, layout.maxCells);
  for (let i = 0; i < n; i++) {
    const mv = Math.round(cells[i] * 1000);
    const r = Math.round(resistances[i] ?? 0);
    if (le) {
      block.writeUInt16LE(mv, 2 * i);
      block.writeUInt16LE(r, layout.resistances + 2 * i);
    } else {
      block.writeUInt16BE(mv, 2 * i);
      block.writeUInt16BE(r, layout.resistances + 2 * i);
    }
  }
  const mask = n === 32 ? 0xffffffff : (1 << n) - 1;
  if (le) block.writeUInt32LE(mask >>> 0, layout.mask);
  else block.writeUInt32BE(mask >>> 0, layout.mask);
  writeFields(block, le, layout.fields, values);
  return block;
}

// ---- settings block (Modbus 0x1000; JK02 frame type 0x01), docs/protocols/jk-bms.md#jk02-settings ----

const bu32 = (key: string, off: number): FieldSpec => ({ key, off, type: 'u32', bool: true });
export const SETTINGS_FIELDS: FieldSpec[] = [
  f('smartSleepVoltage', 0, 'u32', 0.001),
  f('cellUvpV', 4, 'u32', 0.001),
  f('cellUvprV', 8, 'u32', 0.001),
  f('cellOvpV', 12, 'u32', 0.001),
  f('cellOvprV', 16, 'u32', 0.001),
  f('balanceTriggerDeltaV', 20, 'u32', 0.001),
  f('soc100V', 24, 'u32', 0.001),
  f('soc0V', 28, 'u32', 0.001),
  f('requestChargeV', 32, 'u32', 0.001),
  f('requestFloatV', 36, 'u32', 0.001),
  f('powerOffV', 40, 'u32', 0.001),
  f('maxChargeCurrentA', 44, 'u32', 0.001),
  f('chargeOcpDelaySeconds', 48, 'u32'),
  f('chargeOcpRecoverySeconds', 52, 'u32'),
  f('maxDischargeCurrentA', 56, 'u32', 0.001),
  f('dischargeOcpDelaySeconds', 60, 'u32'),
  f('dischargeOcpRecoverySeconds', 64, 'u32'),
  f('scpRecoverySeconds', 68, 'u32'),
  f('maxBalanceCurrentA', 72, 'u32', 0.001),
  f('chargeOtpC', 76, 'i32', 0.1),
  f('chargeOtprC', 80, 'i32', 0.1),
  f('dischargeOtpC', 84, 'i32', 0.1),
  f('dischargeOtprC', 88, 'i32', 0.1),
  f('chargeUtpC', 92, 'i32', 0.1),
  f('chargeUtprC', 96, 'i32', 0.1),
  f('mosOtpC', 100, 'i32', 0.1),
  f('mosOtprC', 104, 'i32', 0.1),
  f('cellCountSetting', 108, 'u32'),
  bu32('chargeEnabled', 112),
  bu32('dischargeEnabled', 116),
  bu32('balancerEnabled', 120),
  f('nominalCapacityAh', 124, 'u32', 0.001),
  f('scpDelayMicroseconds', 128, 'u32'),
  f('balanceStartV', 132, 'u32', 0.001),
  f('deviceAddress', 264, 'u32'),
  f('preDischargeSeconds', 268, 'u32'),
  f('controlBits', 276, 'u16'),
];

// ---- device-info block (Modbus 0x1400; JK02 frame type 0x03), docs/protocols/jk-bms.md#jk02-device-info ----
// Passcodes (block 56 and 112) are secrets: never decoded.
const DEVICE_TEXT: Array<[string, number, number]> = [
  ['model', 0, 16],
  ['hardwareVersion', 16, 8],
  ['softwareVersion', 24, 8],
  ['deviceName', 40, 16],
  ['manufacturingDate', 72, 8],
  ['serialNumber', 80, 16],
  ['userData', 96, 16],
];
export const DEVICE_FIELDS: FieldSpec[] = [f('uptimeSeconds', 32, 'u32'), f('powerOnCount', 36, 'u32')];

export function decodeDeviceInfo(view: BlockView): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, off, len] of DEVICE_TEXT) {
    const s = view.ascii(off, len);
    if (s !== undefined) out[key] = s;
  }
  Object.assign(out, readFields(view, DEVICE_FIELDS));
  return out;
}

export function encodeDeviceInfo(values: Record<string, string | number>, le: boolean, size: number): Buffer {
  const block = Buffer.alloc(size);
  for (const [key, off, len] of DEVICE_TEXT) {
    const v = values[key];
    if (typeof v === 'string') block.write(v.slice(0, len - 1), off, 'latin1');
  }
  writeFields(block, le, DEVICE_FIELDS, values as Record<string, number>);
  return block;
}
