/**
 * Output shaping (docs/rules.md#shaping): restrictions at once, recoveries slowly. A current limit falls in the
 * same step its target falls; it rises only to the lowest target of the last incHoldSec (a min-hold,
 * which is what keeps breakpoint noise from chattering), at a bounded rate, in steps no smaller than the
 * publish deadband, and leaves 0 only for at least restartMin.
 */
import type { RulesConfig } from './config';

export interface Shaper {
  out: number;
  /** (time, target) samples of the last incHoldSec, oldest first */
  hist: Array<[number, number]>;
  /** the level an increase is slewing to */
  slewTo?: number;
  /** last time the output settled after a change: the next increase waits incHoldSec from here */
  lastChangeAt?: number;
}

export const newShaper = (): Shaper => ({ out: 0, hist: [] });

export interface ShapeParams {
  holdMs: number;
  rate: number;
  restartMin: number;
  deadbandA: number;
  deadbandFrac: number;
}

export function shapeParams(cfg: RulesConfig, bankMaxA: number): ShapeParams {
  return {
    holdMs: cfg.incHoldSec * 1000,
    rate: Math.max(cfg.incRateMinA, cfg.incRateFrac * bankMaxA),
    restartMin: Math.max(cfg.restartMinA, cfg.restartMinFrac * bankMaxA),
    deadbandA: cfg.publishDeadbandA,
    deadbandFrac: cfg.publishDeadbandFrac,
  };
}

/**
 * Shapes one current limit. `freeze` blocks every increase (a pack is STALE).
 * A fall to 0 or by at least the publish deadband is applied in the same step; a smaller fall is a
 * change that would not be published, so the output never sits more than the deadband above the
 * target, and never above `ceiling` (what the packs that can take current allow in sum). A rise waits until the target has stayed above the output for incHoldSec and the last change
 * is incHoldSec old, then slews to the lowest target of that window.
 */
export function shape(
  sh: Shaper,
  target: number,
  now: number,
  dtMs: number,
  p: ShapeParams,
  freeze: boolean,
  ceiling = Infinity,
): number {
  const tgt = Math.max(0, Number.isFinite(target) ? target : 0);
  sh.hist.push([now, tgt]);
  // keep the newest sample at or before the window start: it was the target at that instant
  while (sh.hist.length > 1 && sh.hist[1][0] <= now - p.holdMs) sh.hist.shift();
  const band = Math.max(p.deadbandA, p.deadbandFrac * sh.out);
  if (tgt < sh.out) {
    if (tgt === 0 || sh.out - tgt >= band || sh.out > ceiling) {
      sh.out = tgt;
      sh.slewTo = undefined;
      sh.lastChangeAt = now;
    }
    return sh.out;
  }
  if (freeze) {
    sh.slewTo = undefined;
    return sh.out;
  }
  let up = Infinity;
  for (const [, v] of sh.hist) if (v < up) up = v;
  if (sh.slewTo === undefined) {
    const settled = sh.lastChangeAt === undefined || now - sh.lastChangeAt >= p.holdMs;
    const windowFull = sh.hist[0][0] <= now - p.holdMs;
    if (!settled || !windowFull || up - sh.out < band || (sh.out === 0 && up < p.restartMin)) return sh.out;
    sh.slewTo = up;
  }
  sh.out = Math.min(sh.slewTo, up, sh.out + (p.rate * dtMs) / 1000);
  if (sh.out >= Math.min(sh.slewTo, up)) {
    sh.slewTo = undefined;
    sh.lastChangeAt = now;
  }
  return sh.out;
}

/**
 * Starts a limit at its computed target, with no hold and no ramp: after INIT and after a recovery from
 * BLIND/FAILSAFE every pack has just delivered fresh valid data, and a ramp from 0 would stop an inverter
 * (DCL 0) on every deploy. The increase hold and the ramp apply to increases from here on.
 */
export function startAt(sh: Shaper, target: number, now: number): void {
  sh.out = Math.max(0, Number.isFinite(target) ? target : 0);
  sh.hist = [[now, sh.out]];
  sh.slewTo = undefined;
  sh.lastChangeAt = now;
}

/**
 * Floors a CVL to the encoder resolution with a ½-LSB hysteresis (55.19/55.21 must not flicker
 * 55.1/55.2). `hold` is false while a protection cap is active: then the floor applies strictly.
 */
export function quantizeCvl(prev: number | undefined, cvl: number, lsb: number, hold: boolean): number {
  const floor = Math.floor(cvl / lsb + 1e-6) * lsb;
  const q = Math.round(floor / lsb) * lsb; // clean binary noise (55.199999 → 55.2)
  if (hold && prev !== undefined && cvl >= prev - lsb / 2 && cvl < prev + lsb) return prev;
  return Number(q.toFixed(6));
}
