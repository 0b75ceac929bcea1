/**
 * JK PB "Inverter BMS" over RS485 (docs/protocols/jk-bms.md#pb-modbus): Modbus RTU FC 0x03 reads of the byte-addressed blocks,
 * FC 0x10 trigger writes answered by a JK02 frame plus ACK, FC 0x10 switch writes, and a passive
 * sniffer for a bank whose pack 0 is the bus master. Pure: bytes in, readings or reasons out.
 */
import type { Result } from '../../core/result';
import { takeFrame, type Framer } from '../../transport/framer';
import {
  answerFramer,
  crcValid,
  parseAnswer,
  parseRequest,
  readHoldingRequest,
  writeMultipleRequest,
} from '../../transport/modbus-rtu';
import {
  BlockView,
  SETTINGS_FIELDS,
  decodeDeviceInfo,
  decodeLive,
  readFields,
  type LiveLayoutName,
  type LiveReading,
} from './jk-blocks';
import { JK02_HEADER, JK02_LENGTH, JK02_TYPES, decodeJk02, type Jk02Frame } from './protocol-jk02';

export const PB_BLOCKS = { settings: 0x1000, live: 0x1200, deviceInfo: 0x1400 } as const;
/** Trigger registers and the JK02 frame type each one makes the pack send (docs/protocols/jk-bms.md#pb-trigger-writes). */
export const PB_TRIGGERS = { cellInfo: 0x1620, settings: 0x161e, deviceInfo: 0x161c } as const;
export const TRIGGER_FRAME_TYPE: Record<number, number> = {
  [PB_TRIGGERS.cellInfo]: JK02_TYPES.cellInfo,
  [PB_TRIGGERS.settings]: JK02_TYPES.settings,
  [PB_TRIGGERS.deviceInfo]: JK02_TYPES.deviceInfo,
};
/** Settings-block switches, written as u32 with FC 0x10 at base + byte offset (docs/protocols/jk-bms.md#pb-switch-writes). */
export const PB_SWITCHES = { chargeFet: 0x1070, dischargeFet: 0x1074, balancer: 0x1078 } as const;
export type PbSwitch = keyof typeof PB_SWITCHES;

/** Live block bytes 0..239: everything a PackState needs in one read of 120 words. */
export const LIVE_READ = { start: PB_BLOCKS.live, quantity: 120 } as const;

export interface ReadRequest {
  address: number;
  start: number;
  quantity: number;
}

export function liveReadRequest(address: number): Buffer {
  return readHoldingRequest(address, LIVE_READ.start, LIVE_READ.quantity);
}

export const readAnswerFramer = (address: number): Framer => answerFramer(address, 0x03);

export type PbRead =
  | { block: 'live'; live: LiveReading }
  | { block: 'settings'; settings: Record<string, number | boolean> }
  | { block: 'deviceInfo'; info: Record<string, string | number> };

/** Which block a start register falls in, and its byte offset there (the byte-address rule, docs/protocols/jk-bms.md#pb-blocks). */
export function blockOf(start: number): { block: PbRead['block']; offset: number } | undefined {
  if (start >= PB_BLOCKS.settings && start < PB_BLOCKS.live)
    return { block: 'settings', offset: start - PB_BLOCKS.settings };
  if (start >= PB_BLOCKS.live && start < PB_BLOCKS.deviceInfo) return { block: 'live', offset: start - PB_BLOCKS.live };
  if (start >= PB_BLOCKS.deviceInfo && start < 0x1600)
    return { block: 'deviceInfo', offset: start - PB_BLOCKS.deviceInfo };
  return undefined;
}

/** Decodes an FC 0x03 answer; the request says which bytes of which block the data are. */
export function decodeReadAnswer(frame: Buffer, req: ReadRequest): Result<PbRead> {
  const a = parseAnswer(frame, req.address, 0x03);
  if (!a.ok) return a;
  if (a.data.length !== 2 * req.quantity)
    return { ok: false, reason: `answer has ${a.data.length} bytes, the request asked for ${2 * req.quantity}` };
  const where = blockOf(req.start);
  if (!where) return { ok: false, reason: `register 0x${req.start.toString(16)} is in no known block` };
  const view = new BlockView(a.data, where.offset, false);
  if (where.block === 'live') {
    const live = decodeLive(view, 'JK02_32S');
    return live.ok ? { ok: true, value: { block: 'live', live: live.value } } : live;
  }
  if (where.block === 'settings')
    return { ok: true, value: { block: 'settings', settings: readFields(view, SETTINGS_FIELDS) } };
  return { ok: true, value: { block: 'deviceInfo', info: decodeDeviceInfo(view) } };
}

/** The FC 0x03 request a hex string holds (the CLI's --request). */
export function parseReadRequest(frame: Buffer): Result<ReadRequest> {
  const r = parseRequest(frame);
  if (!r || r.fn !== 0x03) return { ok: false, reason: 'the request is not a valid FC 0x03 read (CRC or shape)' };
  return { ok: true, value: { address: r.address, start: r.start, quantity: r.quantity } };
}

// ---- trigger method (docs/protocols/jk-bms.md#pb-trigger-writes) ----

export function triggerRequest(address: number, register: number): Buffer {
  return writeMultipleRequest(address, register, Buffer.from([0, 0]));
}

/** Where the 8-byte ACK starts after the 300-byte frame: right after it, or after one 0x00 pad. */
function ackStart(buf: Buffer, address?: number): number | 'wait' | 'none' {
  if (buf.length < JK02_LENGTH + 2) return 'wait';
  if (buf[JK02_LENGTH + 1] === 0x10 && (address === undefined || buf[JK02_LENGTH] === address)) return JK02_LENGTH;
  if (buf[JK02_LENGTH] !== 0x00) return 'none';
  if (buf.length < JK02_LENGTH + 3) return 'wait';
  if (buf[JK02_LENGTH + 2] === 0x10 && (address === undefined || buf[JK02_LENGTH + 1] === address))
    return JK02_LENGTH + 1;
  return 'none';
}

/**
 * Framer for a trigger answer (JK02 frame + ACK, 308 or 309 bytes; a trailing pad byte is left as
 * stray). Without `address` it accepts any responder (the sniffer).
 */
export function triggerAnswerFramer(address?: number): Framer {
  return (buf) => {
    for (let i = 0; i < Math.min(4, buf.length); i++)
      if (buf[i] !== JK02_HEADER[i]) return { kind: 'garbage', skip: 1 };
    const at = ackStart(buf, address);
    if (at === 'wait') return { kind: 'incomplete', need: JK02_LENGTH + 2 - buf.length };
    if (at === 'none') return { kind: 'garbage', skip: 1 };
    const total = at + 8;
    return buf.length >= total ? { kind: 'complete', length: total } : { kind: 'incomplete', need: total - buf.length };
  };
}

export interface TriggerAnswer {
  frame: Jk02Frame;
  ackAddress: number;
  ackRegister: number;
  ackHex: string;
  ackCrcValid: true;
  bytesBeforeAck: number;
}

/** Decodes a framed trigger answer: frame checksum, ACK CRC, ACK register vs frame type. */
export function decodeTriggerAnswer(buf: Buffer, layout: LiveLayoutName = 'JK02_32S'): Result<TriggerAnswer> {
  const at = ackStart(buf);
  if (typeof at !== 'number' || buf.length < at + 8)
    return { ok: false, reason: 'no FC 0x10 acknowledgement after the JK02 frame' };
  const ack = buf.subarray(at, at + 8);
  if (!crcValid(ack)) return { ok: false, reason: 'acknowledgement CRC mismatch' };
  const frame = decodeJk02(buf.subarray(0, JK02_LENGTH), layout);
  if (!frame.ok) return frame;
  const ackRegister = ack.readUInt16BE(2);
  if (TRIGGER_FRAME_TYPE[ackRegister] !== frame.value.frameType) {
    return {
      ok: false,
      reason: `acknowledgement for register 0x${ackRegister.toString(16)} does not match frame type ${frame.value.frameType}`,
    };
  }
  return {
    ok: true,
    value: {
      frame: frame.value,
      ackAddress: ack[0],
      ackRegister,
      ackHex: ack.toString('hex').toUpperCase(),
      ackCrcValid: true,
      bytesBeforeAck: at - JK02_LENGTH,
    },
  };
}

// ---- switch writes ----

export function switchWriteRequest(address: number, which: PbSwitch, on: boolean): Buffer {
  const data = Buffer.alloc(4);
  data.writeUInt32BE(on ? 1 : 0);
  return writeMultipleRequest(address, PB_SWITCHES[which], data);
}

export const writeAnswerFramer = (address: number): Framer => answerFramer(address, 0x10);

export function checkWriteAnswer(frame: Buffer, address: number, which: PbSwitch): Result<true> {
  const a = parseAnswer(frame, address, 0x10);
  if (!a.ok) return a;
  if (a.data.readUInt16BE(0) !== PB_SWITCHES[which])
    return { ok: false, reason: 'the acknowledgement names another register' };
  return { ok: true, value: true };
}

// ---- listen-only (docs/protocols/jk-bms.md#pb-listening) ----

/**
 * Decodes a PB bank's RS485-2 traffic without transmitting: master requests and stray bytes are
 * skipped, every JK02 frame with its ACK becomes an event (the ACK names the responder; the
 * master's own broadcasts carry address 0).
 */
export class PbSniffer {
  private buf: Buffer = Buffer.alloc(0);
  private readonly framer = triggerAnswerFramer();
  droppedBytes = 0;

  constructor(private readonly layout: LiveLayoutName = 'JK02_32S') {}

  push(chunk: Buffer): Array<Result<TriggerAnswer>> {
    this.buf = Buffer.concat([this.buf, chunk]);
    const events: Array<Result<TriggerAnswer>> = [];
    for (;;) {
      const { frame, rest, dropped } = takeFrame(this.buf, this.framer);
      this.droppedBytes += dropped;
      this.buf = rest;
      if (!frame) break;
      const answer = decodeTriggerAnswer(frame, this.layout);
      // A frame whose checksum fails may be a false header inside other data: resync one byte on.
      if (!answer.ok) this.buf = Buffer.concat([frame.subarray(1), this.buf]);
      events.push(answer);
    }
    return events;
  }
}
