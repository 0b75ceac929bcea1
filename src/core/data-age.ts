/**
 * How old data is by its own `time`. Data is never fresher than when it was measured: its age runs from
 * the older of its `time` and its receipt. A `time` ahead of this host's clock by more than a few seconds
 * means the two clocks disagree, so the age cannot be judged and the data is not used.
 */

/** How far ahead of this host's clock a `time` may be (clocks a little apart, rounding). */
export const MAX_CLOCK_AHEAD_MS = 5000;

/** When data received at `receivedAt` was measured, for judging its freshness. */
export function measuredAt(time: number, receivedAt: number): number {
  return Math.min(time, receivedAt);
}

/** Why data with this `time` cannot be used at `now` (stale, or from a clock ahead of ours), else undefined. */
export function ageProblem(time: number, now: number, staleSec: number): string | undefined {
  const age = now - time;
  if (age > staleSec * 1000) return `is ${Math.round(age / 1000)} s old (stale after ${staleSec} s)`;
  if (-age > MAX_CLOCK_AHEAD_MS) {
    return `is ${Math.round(-age / 1000)} s ahead of this host's clock (at most ${MAX_CLOCK_AHEAD_MS / 1000} s; check that both hosts keep time)`;
  }
  return undefined;
}
