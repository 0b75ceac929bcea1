/**
 * Seplos V2 (10C/10E/11E, "SEPLOS BMS Communication Protocol V2.0"): ASCII-hex frames
 * `~ VER ADR CID1 CID2 LENGTH INFO CHKSUM CR` (docs/protocols/seplos.md#v2-frames, #v2-payloads).
 * This file is the framing: frame codec, request builders, framer and return codes. The payloads are
 * decoded in seplos-v2-payload.ts and mapped to PackState in seplos-v2-pack-state.ts. Pure; nothing
 * throws: a bad frame comes back as `{ ok: false, reason }`.
 */
import type { Framer } from '../../transport/framer';
import type { Result } from '../../core/result';

export const V2_VERSION = 0x20;
export const V2_CID1 = 0x46;
const SOI = 0x7e;
const EOI = 0x0d;

export const CID2 = {
  telemetry: 0x42,
  alarms: 0x44,
  parameters: 0x47,
  protocolVersion: 0x4f,
  deviceInfo: 0x51,
  intraPack: 0x5a,
} as const;

export const RETURN_CODES: Record<number, string> = {
  0x00: 'OK',
  0x01: 'version error',
  0x02: 'checksum error',
  0x03: 'length checksum error',
  0x04: 'command not supported',
  0x05: 'command format error',
  0x06: 'invalid data',
  0x07: 'no data',
  0xe1: 'CID1 invalid',
  0xe2: 'command execution failed',
  0xe3: 'device fault',
  0xe4: 'no permission',
};

export interface V2Frame {
  ver: number;
  adr: number;
  cid1: number;
  /** CID2 in a request, RTN in an answer (0x5A in an intra-pack record). */
  code: number;
  /** INFO length in ASCII characters. */
  lenid: number;
  info: Buffer;
  /** The CHKSUM as sent, 4 hex chars. */
  chksum: string;
}

export const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');
export const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');

/** LCHKSUM: two's complement mod 16 of the sum of the three LENID nibbles (docs/protocols/seplos.md#v2-length-checksum). */
export function lengthChecksum(lenid: number): number {
  const sum = (lenid & 0xf) + ((lenid >> 4) & 0xf) + ((lenid >> 8) & 0xf);
  return (16 - (sum % 16)) % 16;
}

/** CHKSUM: 16-bit two's complement of the sum of all chars between `~` and the checksum (docs/protocols/seplos.md#v2-frame-checksum). */
export function frameChecksum(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += body.charCodeAt(i);
  return (0x10000 - (sum & 0xffff)) & 0xffff;
}

/** Builds a whole frame (request or, in the simulator, an answer). */
export function encodeFrame(adr: number, code: number, info: Buffer = Buffer.alloc(0), ver = V2_VERSION): string {
  const lenid = info.length * 2;
  const length = lenid === 0 ? 0 : (lengthChecksum(lenid) << 12) | lenid;
  const body = hex2(ver) + hex2(adr) + hex2(V2_CID1) + hex2(code) + hex4(length) + info.toString('hex').toUpperCase();
  return `~${body}${hex4(frameChecksum(body))}\r`;
}

/**
 * Request for one pack. INFO = the address for 0x42/0x44/0x47 (the BMS checks it against its DIP
 * address on RS485, docs/protocols/seplos.md#v2-requests); 0x51/0x4F/0x5A carry no INFO.
 */
export function buildRequest(adr: number, cid2: number): Buffer {
  const withAddress = cid2 === CID2.telemetry || cid2 === CID2.alarms || cid2 === CID2.parameters;
  return Buffer.from(encodeFrame(adr, cid2, withAddress ? Buffer.from([adr]) : undefined), 'latin1');
}

const isHexChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const MAX_FRAME = 18 + 0xfff;

/**
 * Framer for the bus and for listening: a frame runs from `~` to CR and holds only hex chars in
 * between; anything else is garbage and we resynchronise on the next `~` (docs/protocols/seplos.md#v2-layout).
 */
export const v2Framer: Framer = (buf) => {
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

/** Parses one frame (text or bytes, trailing CR optional) and checks both checksums. */
export function parseFrame(raw: string | Buffer): Result<V2Frame> {
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
  const ver = hexByte(t, 1);
  if (ver !== V2_VERSION) return { ok: false, reason: `unsupported VER 0x${hex2(ver)} (Seplos V2 is 0x20)` };
  const cid1 = hexByte(t, 5);
  if (cid1 !== V2_CID1) return { ok: false, reason: `unexpected CID1 0x${hex2(cid1)}` };
  return {
    ok: true,
    value: {
      ver,
      adr: hexByte(t, 3),
      cid1,
      code: hexByte(t, 7),
      lenid,
      info: Buffer.from(t.slice(13, 13 + lenid), 'hex'),
      chksum,
    },
  };
}

/** An answer with RTN ≠ 0 is an error report, not data (docs/protocols/seplos.md#v2-return-codes). */
export function checkReturnCode(frame: V2Frame): Result<V2Frame> {
  if (frame.code === 0x00) return { ok: true, value: frame };
  const what = RETURN_CODES[frame.code] ?? 'unknown return code';
  return { ok: false, reason: `BMS answered RTN 0x${hex2(frame.code)} (${what})` };
}
