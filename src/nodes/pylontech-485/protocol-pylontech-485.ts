/**
 * Pylontech low-voltage RS485 protocol ("PYL"), the frame level: the `~…` ASCII-hex frames Seplos V2
 * also uses (transport/ascii-hex-frame.ts) with VER 0x20, CID1 0x46, the command (CID2) set, return
 * codes, requests as an inverter sends them and answers as a pack sends them
 * (docs/protocols/pylontech-485.md). The payloads are in protocol-pylontech-485-pack.ts and
 * protocol-pylontech-485-system.ts. Pure; nothing throws.
 */
import {
  BATTERY_CID1,
  BATTERY_COMMAND,
  BATTERY_VERSION,
  encodeAsciiHexFrame,
  hex2,
  parseAsciiHexFrame,
  type AsciiHexFrame,
} from '../../transport/ascii-hex-frame';
import type { Result } from '../../core/result';

/** VER of every real pack's answer; on receive VER is ignored, as real packs do. */
export const PYLON_VERSION = BATTERY_VERSION;
export const PYLON_CID1 = BATTERY_CID1;
/** The first (master) pack of a group answers at ADR 2; inverters poll that address. */
export const FIRST_PACK_ADDRESS = 2;
/** Request INFO 0xFF to the first pack: the whole group (0x42/0x44). */
export const GROUP_COMMAND = 0xff;

export const COMMAND = {
  ...BATTERY_COMMAND,
  management: 0x92,
  serialNumber: 0x93,
  firmware: 0x96,
  systemAnalog: 0x61,
  systemAlarms: 0x62,
  systemManagement: 0x63,
} as const;

export type PylonCommand = (typeof COMMAND)[keyof typeof COMMAND];

/** Per-pack commands whose request INFO names the pack (its ADR, or 0xFF for the group). */
export const PACK_COMMANDS: readonly number[] = [
  COMMAND.analog,
  COMMAND.alarms,
  COMMAND.management,
  COMMAND.serialNumber,
  COMMAND.firmware,
];

export const RTN = {
  normal: 0x00,
  versionError: 0x01,
  checksumError: 0x02,
  lengthChecksumError: 0x03,
  commandInvalid: 0x04,
  formatError: 0x05,
  invalidData: 0x06,
  addressError: 0x90,
  internalError: 0x91,
} as const;

const RTN_TEXT: Record<number, string> = {
  0x00: 'normal',
  0x01: 'VER error',
  0x02: 'CHKSUM error',
  0x03: 'LCHKSUM error',
  0x04: 'CID2 invalid',
  0x05: 'command format error',
  0x06: 'invalid data',
  0x90: 'ADR error',
  0x91: 'internal communication error',
};

export const returnCodeText = (rtn: number): string => RTN_TEXT[rtn] ?? 'unknown return code';

export const commandHex = (cid2: number): string => `0x${hex2(cid2)}`;

export interface PylonRequest {
  adr: number;
  cid2: number;
  info: Buffer;
}

/** A request as an inverter sends it: per-pack commands carry the pack's ADR (or 0xFF) as INFO. */
export function buildRequest(adr: number, cid2: number, commandValue?: number): Buffer {
  const value = commandValue ?? (PACK_COMMANDS.includes(cid2) ? adr : undefined);
  const info = value === undefined ? undefined : Buffer.from([value]);
  return Buffer.from(encodeAsciiHexFrame({ ver: PYLON_VERSION, adr, cid1: PYLON_CID1, code: cid2, info }), 'latin1');
}

/** A request the battery side received: checksums checked, VER ignored, CID1 must be 0x46. */
export function parseRequest(raw: string | Buffer): Result<PylonRequest> {
  const parsed = parseAsciiHexFrame(raw);
  if (!parsed.ok) return parsed;
  const { adr, cid1, code, info } = parsed.value;
  if (cid1 !== PYLON_CID1) return { ok: false, reason: `CID1 0x${hex2(cid1)} is not the battery-data group 0x46` };
  return { ok: true, value: { adr, cid2: code, info } };
}

/** An answer frame: VER 0x20, CID1 0x46, RTN in the CID2 slot (never the request's command). */
export function encodeAnswer(adr: number, rtn: number, info?: Buffer): string {
  return encodeAsciiHexFrame({ ver: PYLON_VERSION, adr, cid1: PYLON_CID1, code: rtn, info });
}

/** An answer the inverter side received: checksums checked, CID1 0x46; RTN ≠ 0 is an error report, not data. */
export function parseAnswer(raw: string | Buffer): Result<AsciiHexFrame> {
  const parsed = parseAsciiHexFrame(raw);
  if (!parsed.ok) return parsed;
  const frame = parsed.value;
  if (frame.cid1 !== PYLON_CID1) return { ok: false, reason: `unexpected CID1 0x${hex2(frame.cid1)}` };
  if (frame.code !== RTN.normal) {
    return { ok: false, reason: `battery answered RTN 0x${hex2(frame.code)} (${returnCodeText(frame.code)})` };
  }
  return parsed;
}
