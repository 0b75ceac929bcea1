/**
 * Big-endian INFO fields for the Pylontech RS485 payloads: a writer that clamps every value into its
 * field (a limit beyond the range is sent as the range end, never wrapped) and a reader that never
 * throws (reading past the end marks the reader short and yields 0). Pure.
 */

/** Rounds and clamps into [min, max]; NaN and infinities become 0 before clamping. */
export function fitInt(value: number, min: number, max: number): number {
  const rounded = Number.isFinite(value) ? Math.round(value) : 0;
  return Math.min(max, Math.max(min, rounded));
}

export class InfoWriter {
  private readonly bytes: number[] = [];

  u8(value: number): this {
    this.bytes.push(fitInt(value, 0, 0xff));
    return this;
  }

  u16(value: number): this {
    return this.word(fitInt(value, 0, 0xffff), 2);
  }

  s16(value: number): this {
    return this.word(fitInt(value, -0x8000, 0x7fff) & 0xffff, 2);
  }

  u24(value: number): this {
    return this.word(fitInt(value, 0, 0xffffff), 3);
  }

  /** Text in a fixed-width field: cut to `width`, padded with `pad`. */
  text(value: string, width: number, pad: string): this {
    const bytes = Buffer.from(value.slice(0, width).padEnd(width, pad), 'latin1').subarray(0, width);
    for (const byte of bytes) this.bytes.push(byte);
    return this;
  }

  raw(bytes: readonly number[]): this {
    for (const byte of bytes) this.u8(byte);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.bytes);
  }

  private word(value: number, width: number): this {
    for (let shift = (width - 1) * 8; shift >= 0; shift -= 8) this.bytes.push((value >> shift) & 0xff);
    return this;
  }
}

export class InfoReader {
  private position = 0;
  /** Set once a read ran past the end of the INFO. */
  short = false;

  constructor(private readonly info: Buffer) {}

  get remaining(): number {
    return Math.max(0, this.info.length - this.position);
  }

  u8(): number {
    return this.unsigned(1);
  }

  u16(): number {
    return this.unsigned(2);
  }

  s16(): number {
    const value = this.unsigned(2);
    return value >= 0x8000 ? value - 0x10000 : value;
  }

  u24(): number {
    return this.unsigned(3);
  }

  bytes(count: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(this.u8());
    return out;
  }

  private unsigned(width: number): number {
    if (this.position + width > this.info.length) {
      this.short = true;
      this.position = this.info.length;
      return 0;
    }
    let value = 0;
    for (let i = 0; i < width; i++) value = value * 256 + this.info[this.position + i];
    this.position += width;
    return value;
  }
}
