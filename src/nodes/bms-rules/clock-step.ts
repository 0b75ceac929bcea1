/**
 * This host's clock stepping back (an NTP correction, an RTC reset, a manual set). Every time the engine
 * holds would then lie in the future and `now - t` go negative: a pack that went silent would stay OK, and
 * the BLIND grace, the latch dwells and the charge-state timers would all wait until the clock caught up
 * again (an hour for a 1 h step). So when `now` is before the previous step, every stored time is moved
 * back by the step: each age, hold and grace goes on from where it was, as if the clock had not moved.
 * Moving them (rather than clamping the future ones to `now`) keeps a pack that was already silent
 * before the step OFFLINE: clamping would make its old sample look new for another staleSec.
 * The times are listed field by field, not found by key name: the shaper history holds [time, target]
 * pairs and startedAt, lastFull, lastBalance, fullChargeEvent follow no naming pattern.
 */
import type { EngineState, Latch } from './engine-state';
import type { PackTrack } from './health';
import type { Shaper } from './shaping';

/** Call at the start of a step, before `state.lastStep` is updated. */
export function followClockStep(state: EngineState, now: number): void {
  if (state.lastStep === undefined || now >= state.lastStep) return;
  const by = now - state.lastStep;
  const move = (t: number | undefined): number | undefined => (t === undefined ? undefined : t + by);
  for (const track of state.tracks) moveTrack(track, move);
  const charge = state.charge;
  charge.csSince += by;
  charge.startedAt += by;
  charge.lastFull = move(charge.lastFull);
  charge.lastBalance = move(charge.lastBalance);
  charge.entrySince = move(charge.entrySince);
  charge.runnerSince = move(charge.runnerSince);
  charge.tailSince = move(charge.tailSince);
  charge.lowSince = move(charge.lowSince);
  charge.rebulkCellSince = move(charge.rebulkCellSince);
  charge.rebulkSocSince = move(charge.rebulkSocSince);
  charge.fullChargeEvent = move(charge.fullChargeEvent);
  charge.ctrlDecAt = move(charge.ctrlDecAt);
  state.mode.since += by;
  state.mode.recoverSince = move(state.mode.recoverSince);
  const { cellHigh, cellLow, tempCharge, tempDis } = state.latches;
  for (const one of [cellHigh, cellLow, tempCharge, tempDis]) moveLatch(one, move);
  moveShaper(state.ccl, by, move);
  moveShaper(state.dcl, by, move);
  const relays = state.relays;
  relays.chargeOffAt = move(relays.chargeOffAt);
  relays.loadOffAt = move(relays.loadOffAt);
  relays.alarmOnAt = move(relays.alarmOnAt);
  relays.genOnAt = move(relays.genOnAt);
  relays.genCondSince = move(relays.genCondSince);
  for (const alarm of Object.values(state.alarms)) alarm.pendingSince = move(alarm.pendingSince);
  for (const sent of state.sent) sent.at += by;
  if (state.ext) state.ext.at += by;
  state.mismatchSince = move(state.mismatchSince);
  if (state.saved) {
    state.saved.savedAt += by;
    state.saved.lastFull = move(state.saved.lastFull);
    state.saved.lastBalance = move(state.saved.lastBalance);
  }
}

type Move = (t: number | undefined) => number | undefined;

function moveTrack(track: PackTrack, move: Move): void {
  track.lastValidAt = move(track.lastValidAt);
  track.firstInvalidAt = move(track.firstInvalidAt);
  track.sigSince = move(track.sigSince);
  track.allSigSince = move(track.allSigSince);
  track.flowSince = move(track.flowSince);
  track.offBusSince = move(track.offBusSince);
  track.offlineSince = move(track.offlineSince);
  track.overSince = move(track.overSince);
}

function moveLatch(one: Latch, move: Move): void {
  one.clearSince = move(one.clearSince);
  one.setAt = move(one.setAt);
}

function moveShaper(shaper: Shaper, by: number, move: Move): void {
  for (const sample of shaper.hist) sample[0] += by;
  shaper.lastChangeAt = move(shaper.lastChangeAt);
}
