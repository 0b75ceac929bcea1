/**
 * Byte-level helpers shared by every inverter protocol: scaled integer fields that clamp instead
 * of wrapping, readers that never throw on short frames, ASCII text fields and bit maps.
 */
import { canFrame, type CanFrame } from '../../transport/can-frame';

export type ByteOrder = 'le' | 'be';

export const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

const RAW_RANGE = {
  u8: [0, 0xff],
  u16: [0, 0xffff],
  s16: [-0x8000, 0x7fff],
  u32: [0, 0xffffffff],
} as const;
type RawType = keyof typeof RAW_RANGE;

/** `value` in units of `lsb`, rounded to nearest and clamped to the field type (non-finite → 0). */
export function toRaw(value: number, lsb: number, type: RawType): number {
  const [lo, hi] = RAW_RANGE[type];
  return clamp(Number.isFinite(value) ? Math.round(value / lsb) : 0, lo, hi);
}

/** Decimal places of an lsb such as 0.1 or 0.01, so decoded values carry no float noise. */
const decimals = (lsb: number): number => Math.max(0, Math.ceil(-Math.log10(lsb) - 1e-9));
export const fromRaw = (raw: number, lsb: number): number => Number((raw * lsb).toFixed(decimals(lsb)));

/** Builds one frame's payload; every setter takes the engineering value and its lsb. */
export class FrameWriter {
  readonly data: Buffer;
  constructor(
    length: number,
    private readonly order: ByteOrder = 'le',
    fill = 0,
  ) {
    this.data = Buffer.alloc(length, fill);
  }

  u8(offset: number, value: number, lsb = 1): this {
    this.data.writeUInt8(toRaw(value, lsb, 'u8'), offset);
    return this;
  }

  u16(offset: number, value: number, lsb = 1): this {
    const raw = toRaw(value, lsb, 'u16');
    if (this.order === 'le') this.data.writeUInt16LE(raw, offset);
    else this.data.writeUInt16BE(raw, offset);
    return this;
  }

  s16(offset: number, value: number, lsb = 1): this {
    const raw = toRaw(value, lsb, 's16');
    if (this.order === 'le') this.data.writeInt16LE(raw, offset);
    else this.data.writeInt16BE(raw, offset);
    return this;
  }

  u32(offset: number, value: number, lsb = 1): this {
    const raw = toRaw(value, lsb, 'u32');
    if (this.order === 'le') this.data.writeUInt32LE(raw, offset);
    else this.data.writeUInt32BE(raw, offset);
    return this;
  }

  /** ASCII text, cut to `length`, padded with `pad`; non-ASCII characters become '?'. */
  ascii(offset: number, text: string, length: number, pad: number): this {
    const clean = text.replace(/[^\x20-\x7e]/g, '?').slice(0, length);
    this.data.fill(pad, offset, offset + length);
    this.data.write(clean, offset, 'latin1');
    return this;
  }

  frame(id: number): CanFrame {
    return canFrame(id, this.data);
  }
}

/** Reads fields of a received payload; a field beyond the frame's length reads as undefined. */
export class FrameReader {
  constructor(
    readonly data: Buffer,
    private readonly order: ByteOrder = 'le',
  ) {}

  private has(offset: number, size: number): boolean {
    return offset + size <= this.data.length;
  }

  u8(offset: number, lsb = 1): number | undefined {
    return this.has(offset, 1) ? fromRaw(this.data.readUInt8(offset), lsb) : undefined;
  }

  u16(offset: number, lsb = 1): number | undefined {
    if (!this.has(offset, 2)) return undefined;
    return fromRaw(this.order === 'le' ? this.data.readUInt16LE(offset) : this.data.readUInt16BE(offset), lsb);
  }

  s16(offset: number, lsb = 1): number | undefined {
    if (!this.has(offset, 2)) return undefined;
    return fromRaw(this.order === 'le' ? this.data.readInt16LE(offset) : this.data.readInt16BE(offset), lsb);
  }

  u32(offset: number, lsb = 1): number | undefined {
    if (!this.has(offset, 4)) return undefined;
    return fromRaw(this.order === 'le' ? this.data.readUInt32LE(offset) : this.data.readUInt32BE(offset), lsb);
  }

  /** Text up to `length` bytes, trailing NUL/spaces trimmed, non-printable bytes as '?'. */
  ascii(offset: number, length: number): string | undefined {
    if (!this.has(offset, 1)) return undefined;
    const text = this.data
      .subarray(offset, offset + length)
      .toString('latin1')
      .replace(/[\0 ]+$/, '');
    return text.replace(/[^\x20-\x7e]/g, '?');
  }
}

/** Bit position → name, for flag bytes such as the Pylon 0x359 tables. */
export type BitMap = ReadonlyArray<readonly [bit: number, name: string]>;

export function bitsOf(active: ReadonlySet<string>, map: BitMap): number {
  let byte = 0;
  for (const [bit, name] of map) if (active.has(name)) byte |= 1 << bit;
  return byte;
}

export function namesOf(byte: number | undefined, map: BitMap): string[] {
  if (byte === undefined) return [];
  return map.filter(([bit]) => (byte & (1 << bit)) !== 0).map(([, name]) => name);
}

/** "0x351"-style id text, as in the vectors and the CLI output. */
export const canIdText = (id: number): string => `0x${id.toString(16).toUpperCase()}`;

/** Sets `view.fields[key]` only when the value was present in the frame. */
export function put(fields: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) fields[key] = value;
}
