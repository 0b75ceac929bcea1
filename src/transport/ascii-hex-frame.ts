/**
 * The `~ VER ADR CID1 CID2 LENGTH INFO CHKSUM CR` ASCII-hex frame shared by Seplos V2 and the
 * Pylontech RS485 protocol (docs/protocols/seplos.md#v2-frames, docs/protocols/pylontech-485.md):
 * checksums, frame builder, stream framer and a parser that checks both checksums. Which VER and
 * CID1 a protocol accepts is the protocol's business. Pure; nothing throws.
 */
import type { Framer } from './framer';
import type { Result } from '../core/result';

const SOI = 0x7e;
const EOI = 0x0d;

export interface AsciiHexFrame {
  ver: number;
  adr: number;
  cid1: number;
  /** CID2 in a request, RTN in an answer. */
  code: number;
  /** INFO length in ASCII characters. */
  lenid: number;
  info: Buffer;
  /** The CHKSUM as sent, 4 hex chars. */
  chksum: string;
}

/** VER both protocols send, and CID1 0x46: battery data. */
export const BATTERY_VERSION = 0x20;
export const BATTERY_CID1 = 0x46;

/** The commands (CID2) Seplos V2 and Pylontech share, with the same meaning and number. */
export const BATTERY_COMMAND = {
  analog: 0x42,
  alarms: 0x44,
  systemParameters: 0x47,
  protocolVersion: 0x4f,
  manufacturer: 0x51,
} as const;

export const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');
export const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');

/** LCHKSUM: two's complement mod 16 of the sum of the three LENID nibbles. */
export function lengthChecksum(lenid: number): number {
  const sum = (lenid & 0xf) + ((lenid >> 4) & 0xf) + ((lenid >> 8) & 0xf);
  return (16 - (sum % 16)) % 16;
}

/** CHKSUM: 16-bit two's complement of the sum of all chars between `~` and the checksum. */
export function frameChecksum(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += body.charCodeAt(i);
  return (0x10000 - (sum & 0xffff)) & 0xffff;
}

/** A whole frame as text, `~` to CR. */
export function encodeAsciiHexFrame(frame: {
  ver: number;
  adr: number;
  cid1: number;
  code: number;
  info?: Buffer;
}): string {
  const info = frame.info ?? Buffer.alloc(0);
  const lenid = info.length * 2;
  const length = lenid === 0 ? 0 : (lengthChecksum(lenid) << 12) | lenid;
  const body =
    hex2(frame.ver) + hex2(frame.adr) + hex2(frame.cid1) + hex2(frame.code) + hex4(length) + info.toString('hex');
  const upper = body.toUpperCase();
  return `~${upper}${hex4(frameChecksum(upper))}\r`;
}

const isHexChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const MAX_FRAME = 18 + 0xfff;

/**
 * Framer for a byte stream: a frame runs from `~` to CR and holds only hex chars in between;
 * anything else is garbage and we resynchronise on the next `~`.
 */
export const asciiHexFramer: Framer = (buf) => {
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

/** Parses one frame (text or bytes, trailing CR optional) and checks LENGTH, LCHKSUM and CHKSUM. */
export function parseAsciiHexFrame(raw: string | Buffer): Result<AsciiHexFrame> {
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
  return {
    ok: true,
    value: {
      ver: hexByte(t, 1),
      adr: hexByte(t, 3),
      cid1: hexByte(t, 5),
      code: hexByte(t, 7),
      lenid,
      info: Buffer.from(t.slice(13, 13 + lenid), 'hex'),
      chksum,
    },
  };
}
