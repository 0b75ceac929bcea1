/**
 * JK02 300-byte frames (docs/protocols/jk-bms.md#jk02-frames): what a JK BMS sends over BLE and what a JK PB pack answers to a
 * trigger write on RS485. Envelope `55 AA EB 90`, frame type at byte 4 (byte 5 is a counter,
 * never part of the type), little-endian payload = block offset + 6, 8-bit sum at byte 299.
 */
import type { Result } from '../../core/result';
import {
  BlockView,
  SETTINGS_FIELDS,
  decodeDeviceInfo,
  decodeLive,
  encodeDeviceInfo,
  encodeLive,
  readFields,
  writeFields,
  type LiveLayoutName,
  type LiveReading,
} from './jk-blocks';

export const JK02_LENGTH = 300;
export const JK02_HEADER = Buffer.from([0x55, 0xaa, 0xeb, 0x90]);
/** Payload byte p of a frame is block byte p − 6. */
const OFFSET = 6;

export const JK02_TYPES = { settings: 0x01, cellInfo: 0x02, deviceInfo: 0x03 } as const;

export type Jk02Content =
  | { type: 'cellInfo'; live: LiveReading }
  | { type: 'settings'; settings: Record<string, number | boolean> }
  | { type: 'deviceInfo'; info: Record<string, string | number> };

export type Jk02Frame = Jk02Content & { frameType: number; frameCounter: number; checksumValid: true };

export function sum8(buf: Uint8Array, end: number): number {
  let s = 0;
  for (let i = 0; i < end; i++) s += buf[i];
  return s & 0xff;
}

/** Length, header and checksum of a frame: undefined when they are sound, else the reason. */
export function checkJk02Envelope(frame: Buffer): string | undefined {
  if (frame.length < JK02_LENGTH) return `JK02 frame too short (${frame.length} of ${JK02_LENGTH} bytes)`;
  if (frame.compare(JK02_HEADER, 0, 4, 0, 4) !== 0) return 'no 55 AA EB 90 header';
  const sum = sum8(frame, JK02_LENGTH - 1);
  if (sum !== frame[JK02_LENGTH - 1])
    return `checksum mismatch (stored 0x${frame[299].toString(16)}, computed 0x${sum.toString(16)})`;
  return undefined;
}

/** Decodes one frame starting at byte 0 (extra bytes after 300, as BLE sometimes sends, are ignored). */
export function decodeJk02(frame: Buffer, layout: LiveLayoutName = 'JK02_32S'): Result<Jk02Frame> {
  const bad = checkJk02Envelope(frame);
  return bad === undefined ? decodeJk02Body(frame, layout) : { ok: false, reason: bad };
}

/** The payload of a frame whose envelope checkJk02Envelope has passed. */
export function decodeJk02Body(frame: Buffer, layout: LiveLayoutName): Result<Jk02Frame> {
  const view = new BlockView(frame.subarray(OFFSET, JK02_LENGTH - 1), 0, true);
  const frameType = frame[4],
    frameCounter = frame[5],
    checksumValid = true;
  switch (frameType) {
    case JK02_TYPES.cellInfo: {
      const live = decodeLive(view, layout);
      return live.ok
        ? { ok: true, value: { frameType, frameCounter, checksumValid, type: 'cellInfo', live: live.value } }
        : live;
    }
    case JK02_TYPES.settings:
      return {
        ok: true,
        value: {
          frameType,
          frameCounter,
          checksumValid,
          type: 'settings',
          settings: readFields(view, SETTINGS_FIELDS),
        },
      };
    case JK02_TYPES.deviceInfo:
      return {
        ok: true,
        value: { frameType, frameCounter, checksumValid, type: 'deviceInfo', info: decodeDeviceInfo(view) },
      };
    default:
      return { ok: false, reason: `unsupported JK02 frame type 0x${frame[4].toString(16)}` };
  }
}

/** Wraps a little-endian block image (≥ 293 bytes are used) into a frame with header and checksum. */
export function jk02Frame(frameType: number, block: Buffer, counter = 0): Buffer {
  const frame = Buffer.alloc(JK02_LENGTH);
  JK02_HEADER.copy(frame, 0);
  frame[4] = frameType;
  frame[5] = counter & 0xff;
  block.copy(frame, OFFSET, 0, Math.min(block.length, JK02_LENGTH - 1 - OFFSET));
  frame[JK02_LENGTH - 1] = sum8(frame, JK02_LENGTH - 1);
  return frame;
}

const BLOCK_SIZE = JK02_LENGTH - 1 - OFFSET;

/** The encoders the simulator uses; 32S layout. */
export function encodeJk02CellInfo(
  values: Record<string, number | boolean>,
  cells: number[],
  resistances: number[],
  counter = 0,
): Buffer {
  return jk02Frame(JK02_TYPES.cellInfo, encodeLive(values, cells, resistances, true, BLOCK_SIZE), counter);
}

export function encodeJk02Settings(values: Record<string, number | boolean>, counter = 0): Buffer {
  const block = Buffer.alloc(BLOCK_SIZE);
  writeFields(block, true, SETTINGS_FIELDS, values);
  return jk02Frame(JK02_TYPES.settings, block, counter);
}

export function encodeJk02DeviceInfo(values: Record<string, string | number>, counter = 0): Buffer {
  return jk02Frame(JK02_TYPES.deviceInfo, encodeDeviceInfo(values, true, BLOCK_SIZE), counter);
}
