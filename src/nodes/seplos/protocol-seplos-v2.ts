/**
 * Seplos V2 (10C/10E/11E, "SEPLOS BMS Communication Protocol V2.0"): ASCII-hex frames
 * `~ VER ADR CID1 CID2 LENGTH INFO CHKSUM CR` (docs/protocols/seplos.md#v2-frames, #v2-payloads).
 * This file is the Seplos side of the shared ASCII-hex framing (transport/ascii-hex-frame.ts): VER/CID1
 * checks, request builders and return codes. The payloads are
 * decoded in seplos-v2-payload.ts and mapped to PackState in seplos-v2-pack-state.ts. Pure; nothing
 * throws: a bad frame comes back as `{ ok: false, reason }`.
 */
import type { Framer } from '../../transport/framer';
import type { Result } from '../../core/result';
import {
  BATTERY_CID1,
  BATTERY_COMMAND,
  BATTERY_VERSION,
  asciiHexFramer,
  encodeAsciiHexFrame,
  frameChecksum,
  hex2,
  hex4,
  parseAsciiHexFrame,
  type AsciiHexFrame,
} from '../../transport/ascii-hex-frame';

export const V2_VERSION = BATTERY_VERSION;
export const V2_CID1 = BATTERY_CID1;

export const CID2 = {
  telemetry: BATTERY_COMMAND.analog,
  alarms: BATTERY_COMMAND.alarms,
  parameters: BATTERY_COMMAND.systemParameters,
  protocolVersion: BATTERY_COMMAND.protocolVersion,
  deviceInfo: BATTERY_COMMAND.manufacturer,
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

/** A parsed frame: CID2 in a request, RTN in an answer (0x5A in an intra-pack record). */
export type V2Frame = AsciiHexFrame;

export { hex2, hex4, frameChecksum };

/** Builds a whole frame (request or, in the simulator, an answer). */
export function encodeFrame(adr: number, code: number, info: Buffer = Buffer.alloc(0), ver = V2_VERSION): string {
  return encodeAsciiHexFrame({ ver, adr, cid1: V2_CID1, code, info });
}

/**
 * Request for one pack. INFO = the address for 0x42/0x44/0x47 (the BMS checks it against its DIP
 * address on RS485, docs/protocols/seplos.md#v2-requests); 0x51/0x4F/0x5A carry no INFO.
 */
export function buildRequest(adr: number, cid2: number): Buffer {
  const withAddress = cid2 === CID2.telemetry || cid2 === CID2.alarms || cid2 === CID2.parameters;
  return Buffer.from(encodeFrame(adr, cid2, withAddress ? Buffer.from([adr]) : undefined), 'latin1');
}

/**
 * Framer for the bus and for listening: a frame runs from `~` to CR and holds only hex chars in
 * between; anything else is garbage and we resynchronise on the next `~` (docs/protocols/seplos.md#v2-layout).
 */
export const v2Framer: Framer = asciiHexFramer;

/** Parses one frame (text or bytes, trailing CR optional), checks both checksums, VER and CID1. */
export function parseFrame(raw: string | Buffer): Result<V2Frame> {
  const parsed = parseAsciiHexFrame(raw);
  if (!parsed.ok) return parsed;
  const { ver, cid1 } = parsed.value;
  if (ver !== V2_VERSION) return { ok: false, reason: `unsupported VER 0x${hex2(ver)} (Seplos V2 is 0x20)` };
  if (cid1 !== V2_CID1) return { ok: false, reason: `unexpected CID1 0x${hex2(cid1)}` };
  return parsed;
}

/** An answer with RTN ≠ 0 is an error report, not data (docs/protocols/seplos.md#v2-return-codes). */
export function checkReturnCode(frame: V2Frame): Result<V2Frame> {
  if (frame.code === 0x00) return { ok: true, value: frame };
  const what = RETURN_CODES[frame.code] ?? 'unknown return code';
  return { ok: false, reason: `BMS answered RTN 0x${hex2(frame.code)} (${what})` };
}
