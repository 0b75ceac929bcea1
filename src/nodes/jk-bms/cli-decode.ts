/**
 * `cellsafe decode` entries for the JK protocols: one hex frame → PackState or a reason.
 * jk-pb takes an FC 0x03 answer (with --request, default: the live read) or a trigger answer
 * (JK02 frame + ACK, always JK02_32S on a PB); jk02 takes a bare 300-byte frame in either layout,
 * JK02_24S or JK02_32S, whichever is plausible. Every pack passes the plausibility gate.
 */
import type { FrameTextDecoder } from '../../core/frame-text-decoder';
import { parseHex } from '../../core/hex';
import type { PackState } from '../../core/pack-state';
import type { Result } from '../../core/result';
import { liveToPackState, nwToPackState } from './jk-pack-state';
import { jk02PackState } from './jk02-layout';
import { decodeNw } from './protocol-jk-nw';
import { LIVE_READ, decodeReadAnswer, decodeTriggerAnswer, parseReadRequest, type ReadRequest } from './protocol-jk-pb';
import { JK02_HEADER, JK02_LENGTH } from './protocol-jk02';

/** Hex as JK tools print it: bytes may be separated by spaces or colons. */
function hexBytes(text: string): Result<Buffer> {
  const bytes = parseHex(text.replace(/:/g, ''));
  if (!bytes) return { ok: false, reason: 'the frame is not an even number of hex digits' };
  return { ok: true, value: bytes };
}

function decodeNwPack(text: string): Result<PackState> {
  const bytes = hexBytes(text);
  if (!bytes.ok) return bytes;
  const nw = decodeNw(bytes.value);
  if (!nw.ok) return nw;
  return nwToPackState(nw.value, { id: 'jk-nw', time: Date.now(), protocol: 'jk-nw' });
}

/** A trigger answer: its JK02 frame in the PB layout; a 24S frame is named as such (BLE, firmware < 11). */
function decodeTriggerPack(buf: Buffer): Result<PackState> {
  const t = decodeTriggerAnswer(buf);
  if (!t.ok && buf.length === JK02_LENGTH)
    return { ok: false, reason: `${t.reason} (a bare JK02 frame, as BLE sends it: decode it with --protocol jk02)` };
  if (!t.ok) return t;
  const { frame, ackAddress: address } = t.value;
  if (frame.type !== 'cellInfo') return { ok: false, reason: `a JK02 ${frame.type} frame carries no pack state` };
  const meta = { id: `jk-pb-${address}`, address, time: Date.now(), protocol: 'jk-pb' } as const;
  const pack = liveToPackState(frame.live, meta);
  if (pack.ok || !jk02PackState(buf.subarray(0, JK02_LENGTH), meta, 'JK02_24S').ok) return pack;
  return { ok: false, reason: `${pack.reason} (a JK02_24S frame, which no PB sends: decode it with --protocol jk02)` };
}

function decodePbPack(text: string, request?: string): Result<PackState> {
  const bytes = hexBytes(text);
  if (!bytes.ok) return bytes;
  const buf = bytes.value;
  if (buf.subarray(0, 4).equals(JK02_HEADER)) return decodeTriggerPack(buf);
  let req: ReadRequest = { address: buf[0], start: LIVE_READ.start, quantity: (buf[2] ?? 0) >> 1 };
  if (request !== undefined) {
    const r = hexBytes(request);
    if (!r.ok) return { ok: false, reason: `--request: ${r.reason}` };
    const parsed = parseReadRequest(r.value);
    if (!parsed.ok) return parsed;
    req = parsed.value;
  }
  const read = decodeReadAnswer(buf, req);
  if (!read.ok) return read;
  if (read.value.block !== 'live')
    return { ok: false, reason: `a ${read.value.block} block read carries no pack state` };
  const meta = { id: `jk-pb-${req.address}`, address: req.address, time: Date.now(), protocol: 'jk-pb' } as const;
  return liveToPackState(read.value.live, meta);
}

function decodeJk02Pack(text: string): Result<PackState> {
  const bytes = hexBytes(text);
  if (!bytes.ok) return bytes;
  return jk02PackState(bytes.value, { id: 'jk02', time: Date.now(), protocol: 'jk02' });
}

export const JK_DECODERS: Record<'jk-nw' | 'jk-pb' | 'jk02', FrameTextDecoder> = {
  'jk-nw': decodeNwPack,
  'jk-pb': decodePbPack,
  jk02: decodeJk02Pack,
};
