/**
 * Which cell-info layout a JK02 frame has. Nothing in the frame says so (JK02_24S comes from boards
 * with firmware below 11, JK02_32S from the newer ones and every PB), so without a configured layout
 * the frame is decoded in both and the one whose PackState passes the plausibility gate is kept. A
 * frame plausible in neither layout, or in both, is rejected: guessing would publish nonsense.
 */
import type { PackState } from '../../core/pack-state';
import type { Result } from '../../core/result';
import type { LiveLayoutName } from './jk-blocks';
import { liveToPackState, type PackMeta } from './jk-pack-state';
import { checkJk02Envelope, decodeJk02Body } from './protocol-jk02';

export const JK02_LAYOUTS: readonly LiveLayoutName[] = ['JK02_32S', 'JK02_24S'];

/** A JK02 cell-info frame → PackState in `layout`, or in the one layout that is plausible when none is given. */
export function jk02PackState(frame: Buffer, meta: PackMeta, layout?: LiveLayoutName): Result<PackState> {
  const envelope = checkJk02Envelope(frame);
  if (envelope !== undefined) return { ok: false, reason: envelope };
  const plausible: PackState[] = [];
  const reasons: string[] = [];
  for (const name of layout ? [layout] : JK02_LAYOUTS) {
    const decoded = decodeJk02Body(frame, name);
    if (!decoded.ok) {
      reasons.push(`${name}: ${decoded.reason}`);
      continue;
    }
    if (decoded.value.type !== 'cellInfo')
      return { ok: false, reason: `a JK02 ${decoded.value.type} frame carries no pack state` };
    const pack = liveToPackState(decoded.value.live, meta);
    if (pack.ok) plausible.push(pack.value);
    else reasons.push(`${name}: ${pack.reason}`);
  }
  if (plausible.length === 1) return { ok: true, value: plausible[0] };
  if (plausible.length === 0) return { ok: false, reason: reasons.join('; ') };
  return { ok: false, reason: `the frame is plausible in both ${JK02_LAYOUTS.join(' and ')}: the layout is ambiguous` };
}
