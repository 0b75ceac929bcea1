/**
 * `cellsafe decode` entries for the JK protocols: one hex frame → PackState or a reason.
 * jk-pb takes an FC 0x03 answer (with --request, default: the live read) or a trigger answer
 * (JK02 frame + ACK); jk02 takes a bare 300-byte frame (JK02_32S layout).
 */
import type { CliDecodeResult, CliDecoder } from '../../cli/decode';
import type { PackState } from '../../core/pack-state';
import { liveToPackState, nwToPackState } from './jk-pack-state';
import type { Decoded } from './jk-blocks';
import { decodeNw } from './protocol-jk-nw';
import { LIVE_READ, decodeReadAnswer, decodeTriggerAnswer, parseReadRequest, type ReadRequest } from './protocol-jk-pb';
import { JK02_HEADER, decodeJk02, type Jk02Frame } from './protocol-jk02';

function hexBytes(text: string): Decoded<Buffer> {
  const clean = text.replace(/[\s:]/g, '');
  if (!/^([0-9a-fA-F]{2})+$/.test(clean)) return { ok: false, reason: 'the frame is not an even number of hex digits' };
  return { ok: true, value: Buffer.from(clean, 'hex') };
}

function cellInfoPack(frame: Jk02Frame, protocol: 'jk-pb' | 'jk02', address?: number): Decoded<PackState> {
  if (frame.type !== 'cellInfo') return { ok: false, reason: `a JK02 ${frame.type} frame carries no pack state` };
  const id = address === undefined ? protocol : `${protocol}-${address}`;
  return { ok: true, value: liveToPackState(frame.live, { id, address, time: Date.now(), protocol }) };
}

function decodeNwPack(text: string): Decoded<PackState> {
  const bytes = hexBytes(text);
  if (!bytes.ok) return bytes;
  const nw = decodeNw(bytes.value);
  if (!nw.ok) return nw;
  return { ok: true, value: nwToPackState(nw.value, { id: 'jk-nw', time: Date.now(), protocol: 'jk-nw' }) };
}

function decodePbPack(text: string, request?: string): Decoded<PackState> {
  const bytes = hexBytes(text);
  if (!bytes.ok) return bytes;
  const buf = bytes.value;
  if (buf.subarray(0, 4).equals(JK02_HEADER)) {
    const t = decodeTriggerAnswer(buf);
    return t.ok ? cellInfoPack(t.value.frame, 'jk-pb', t.value.ackAddress) : t;
  }
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
  return {
    ok: true,
    value: liveToPackState(read.value.live, {
      id: `jk-pb-${req.address}`,
      address: req.address,
      time: Date.now(),
      protocol: 'jk-pb',
    }),
  };
}

function decodeJk02Pack(text: string): Decoded<PackState> {
  const bytes = hexBytes(text);
  if (!bytes.ok) return bytes;
  const f = decodeJk02(bytes.value);
  return f.ok ? cellInfoPack(f.value, 'jk02') : f;
}

const cli = (d: Decoded<PackState>): CliDecodeResult => (d.ok ? { ok: true, pack: d.value } : d);

export const JK_DECODERS: Record<'jk-nw' | 'jk-pb' | 'jk02', CliDecoder> = {
  'jk-nw': (frame) => cli(decodeNwPack(frame)),
  'jk-pb': (frame, request) => cli(decodePbPack(frame, request)),
  jk02: (frame) => cli(decodeJk02Pack(frame)),
};
