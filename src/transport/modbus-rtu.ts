/**
 * Modbus RTU framing shared by every Modbus BMS protocol (JK PB, Seplos V3): CRC-16/MODBUS,
 * request builders, answer framers for the bus, answer parsing and a request framer for simulators.
 * Pure: no Node-RED, no I/O. Nothing here throws on bad input; bad frames come back as reasons.
 */
import type { Framer } from './framer';

// Byte-wise lookup table for the reflected polynomial 0xA001 (decode speed: the CRC was a third of it).
const CRC_TABLE = Uint16Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let b = 0; b < 8; b++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
  return c;
});

/** CRC-16/MODBUS: init 0xFFFF, reflected polynomial 0xA001. */
export function crc16Modbus(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ buf[i]) & 0xff];
  return crc;
}

/** Appends the CRC, low byte first as on the wire. */
export function withCrc(body: Buffer): Buffer {
  const crc = crc16Modbus(body);
  return Buffer.concat([body, Buffer.from([crc & 0xff, crc >>> 8])]);
}

/** True when the last two bytes are the CRC of everything before them. */
export function crcValid(frame: Buffer): boolean {
  if (frame.length < 4) return false;
  const crc = crc16Modbus(frame, 0, frame.length - 2);
  return frame[frame.length - 2] === (crc & 0xff) && frame[frame.length - 1] === crc >>> 8;
}

export function readHoldingRequest(address: number, start: number, quantity: number): Buffer {
  return readRequest(address, 0x03, start, quantity);
}

/** A read request of any read function: 0x01 coils, 0x02 inputs, 0x03 holding, 0x04 input registers. */
export function readRequest(address: number, fn: number, start: number, quantity: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt8(address & 0xff, 0);
  b.writeUInt8(fn & 0xff, 1);
  b.writeUInt16BE(start & 0xffff, 2);
  b.writeUInt16BE(quantity & 0xffff, 4);
  return withCrc(b);
}

/** Read functions whose answer is `[address][fn][byte count][data][crc]`. */
const isReadFn = (fn: number): boolean => fn >= 0x01 && fn <= 0x04;

/** FC 0x10 write multiple registers; `data` must hold whole 16-bit registers (big-endian). */
export function writeMultipleRequest(address: number, start: number, data: Buffer): Buffer {
  const b = Buffer.alloc(7);
  b.writeUInt8(address & 0xff, 0);
  b.writeUInt8(0x10, 1);
  b.writeUInt16BE(start & 0xffff, 2);
  b.writeUInt16BE(data.length >> 1, 4);
  b.writeUInt8(data.length & 0xff, 6);
  return withCrc(Buffer.concat([b, data]));
}

export const EXCEPTION_NAMES: Record<number, string> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
};

/**
 * Framer for the answer of `address` to function `fn` (0x01–0x04: length from the byte count;
 * 0x10/0x06: fixed 8 bytes; exception: 5 bytes). Bytes that cannot start that answer are garbage.
 */
export function answerFramer(address: number, fn: number): Framer {
  return (buf) => {
    if (buf[0] !== address) return { kind: 'garbage', skip: 1 };
    if (buf.length < 2) return { kind: 'incomplete', need: 1 };
    let total: number;
    if (buf[1] === (fn | 0x80)) total = 5;
    else if (buf[1] !== fn) return { kind: 'garbage', skip: 1 };
    else if (isReadFn(fn)) {
      if (buf.length < 3) return { kind: 'incomplete', need: 1 };
      total = 5 + buf[2];
    } else total = 8;
    return buf.length >= total ? { kind: 'complete', length: total } : { kind: 'incomplete', need: total - buf.length };
  };
}

export type ModbusAnswer = { ok: true; data: Buffer } | { ok: false; reason: string; exception?: number };

/**
 * Checks an answer frame: CRC, address, function, exception, byte count. `data` is the register
 * payload for reads and the echoed start/quantity for writes.
 */
export function parseAnswer(frame: Buffer, address: number, fn: number): ModbusAnswer {
  if (frame.length < 5) return { ok: false, reason: `answer too short (${frame.length} bytes)` };
  if (!crcValid(frame)) return { ok: false, reason: 'CRC mismatch' };
  if (frame[0] !== address) return { ok: false, reason: `answer from address ${frame[0]}, expected ${address}` };
  if (frame[1] === (fn | 0x80)) {
    const code = frame[2];
    return { ok: false, exception: code, reason: `Modbus exception ${code} (${EXCEPTION_NAMES[code] ?? 'unknown'})` };
  }
  if (frame[1] !== fn) return { ok: false, reason: `answer to function ${frame[1]}, expected ${fn}` };
  if (isReadFn(fn)) {
    if (frame.length !== 5 + frame[2])
      return { ok: false, reason: `byte count ${frame[2]} does not match length ${frame.length}` };
    return { ok: true, data: frame.subarray(3, 3 + frame[2]) };
  }
  if (frame.length !== 8) return { ok: false, reason: `write answer must be 8 bytes (got ${frame.length})` };
  return { ok: true, data: frame.subarray(2, 6) };
}

/** A request as a simulated server sees it. */
export interface ModbusRequest {
  address: number;
  fn: number;
  start: number;
  quantity: number;
  /** FC 0x10: the register data. */
  data?: Buffer;
}

/**
 * Framer for requests (server side): 0x01–0x04/0x06 are 8 bytes, 0x10 is 9 + byte count.
 * Unknown function codes are garbage (a real server ignores them).
 */
export const requestFramer: Framer = (buf) => {
  if (buf.length < 2) return { kind: 'incomplete', need: 2 - buf.length };
  let total: number;
  if (isReadFn(buf[1]) || buf[1] === 0x06) total = 8;
  else if (buf[1] === 0x10) {
    if (buf.length < 7) return { kind: 'incomplete', need: 7 - buf.length };
    total = 9 + buf[6];
  } else return { kind: 'garbage', skip: 1 };
  return buf.length >= total ? { kind: 'complete', length: total } : { kind: 'incomplete', need: total - buf.length };
};

/** Parses a request frame; undefined when its CRC or shape is wrong (a server stays silent). */
export function parseRequest(frame: Buffer): ModbusRequest | undefined {
  if (frame.length < 8 || !crcValid(frame)) return undefined;
  const req: ModbusRequest = {
    address: frame[0],
    fn: frame[1],
    start: frame.readUInt16BE(2),
    quantity: frame.readUInt16BE(4),
  };
  if (req.fn === 0x10) {
    if (frame.length !== 9 + frame[6] || frame[6] !== req.quantity * 2) return undefined;
    req.data = frame.subarray(7, 7 + frame[6]);
  }
  return req;
}

export function exceptionAnswer(address: number, fn: number, code: number): Buffer {
  return withCrc(Buffer.from([address, fn | 0x80, code]));
}

export function readAnswer(address: number, fn: number, data: Buffer): Buffer {
  return withCrc(Buffer.concat([Buffer.from([address, fn, data.length]), data]));
}

export function writeAnswer(address: number, start: number, quantity: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt8(address, 0);
  b.writeUInt8(0x10, 1);
  b.writeUInt16BE(start, 2);
  b.writeUInt16BE(quantity, 4);
  return withCrc(b);
}
