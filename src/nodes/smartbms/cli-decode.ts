/**
 * `cellsafe decode --protocol smartbms <hex>`. One 58-byte frame → a PackState of that frame alone
 * (its one rotating cell is in extra.cellInfo, `cells` stays empty; permissions as the frame says).
 * Several frames (a captured stream, hex with or without spaces) → the PackState the node would emit
 * after the last of them, which needs every cell to have been seen.
 */
import { parseHex } from '../../core/hex';
import type { PackState } from '../../core/pack-state';
import type { Result } from '../../core/result';
import { KeyValueAssembler } from './key-values';
import { SmartBmsListener } from './listener';
import { toPackState } from './smartbms-pack-state';
import { FRAME_LENGTH, decodeFrame } from './protocol-smartbms';

const CLI_ID = 'smartbms';

export function decodeSmartBmsCli(text: string): Result<PackState> {
  const bytes = parseHex(text);
  if (!bytes) return { ok: false, reason: 'frame must be hex bytes' };
  const time = Date.now();
  if (bytes.length === FRAME_LENGTH) {
    const r = decodeFrame(bytes);
    if (!r.ok) return r;
    const keyValues = new KeyValueAssembler();
    if (r.value.frameKind === 'key-value') keyValues.add(r.value.kvKey!, r.value.kvValue!, time);
    const status1 = r.value.status1;
    const pack = toPackState(r.value, {
      id: CLI_ID,
      time,
      formula: 'venus',
      status1,
      keyValues: keyValues.current(time),
    });
    return pack;
  }
  const listener = new SmartBmsListener({ id: CLI_ID, formula: 'venus' });
  const events = listener.receive(bytes, time);
  const pack = events.filter((e) => e.kind === 'pack').at(-1);
  if (pack?.kind === 'pack') return { ok: true, value: pack.pack };
  const last = events.at(-1);
  if (last?.kind === 'rejected') return { ok: false, reason: last.reason };
  const progress = events.filter((e) => e.kind === 'progress').at(-1);
  if (progress?.kind === 'progress') {
    return {
      ok: false,
      reason: `${events.length} frames, ${progress.seen} of ${progress.cellCount} cells seen: a PackState needs every cell (one cell per frame)`,
    };
  }
  return {
    ok: false,
    reason: `no frame found in ${bytes.length} bytes (one frame is ${FRAME_LENGTH} bytes; a stream needs two good frames in a row)`,
  };
}
