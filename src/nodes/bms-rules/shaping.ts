/**
 * Output shaping (design D9): restrictions at once, recoveries slowly. A current limit falls in the
 * same step its target falls; it rises only to the lowest target of the last incHoldSec (a min-hold,
 * which is what keeps breakpoint noise from chattering), at a bounded rate, in steps no smaller than the
 * publish deadband, and leaves 0 only for at least restartMin.
 */
import type { RulesConfig } from './config';

export interface Shaper {
  out: number;
  /** (time, target) samples of the last incHoldSec, oldest first */
  hist: Array<[number, number]>;
}

export const newShaper = (): Shaper => ({ out: 0, hist: [] });

export interface ShapeParams { holdMs: number; rate: number; restartMin: number; deadbandA: number; deadbandFrac: number }

export function shapeParams(cfg: RulesConfig, bankMaxA: number): ShapeParams {
  return {
    holdMs: cfg.incHoldSec * 1000,
    rate: Math.max(cfg.incRateMinA, cfg.incRateFrac * bankMaxA),
    restartMin: Math.max(cfg.restartMinA, cfg.restartMinFrac * bankMaxA),
    deadbandA: cfg.publishDeadbandA, deadbandFrac: cfg.publishDeadbandFrac,
  };
}

/** Shapes one current limit. `freeze` blocks every increase (a pack is STALE). */
export function shape(sh: Shaper, target: number, now: number, dtMs: number, p: ShapeParams, freeze: boolean): number {
  const tgt = Math.max(0, Number.isFinite(target) ? target : 0);
  sh.hist.push([now, tgt]);
  // keep the newest sample at or before the window start: it was the target at that instant
  while (sh.hist.length > 1 && sh.hist[1][0] <= now - p.holdMs) sh.hist.shift();
  if (tgt < sh.out) { sh.out = tgt; return sh.out; }
  if (freeze || sh.hist[0][0] > now - p.holdMs) return sh.out;
  let up = Infinity;
  for (const [, v] of sh.hist) if (v < up) up = v;
  if (up <= sh.out) return sh.out;
  if (sh.out === 0 && up < p.restartMin) return sh.out;
  const next = Math.min(up, sh.out + (p.rate * dtMs) / 1000);
  if (next - sh.out >= Math.max(p.deadbandA, p.deadbandFrac * sh.out) || next === up) sh.out = next;
  return sh.out;
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
