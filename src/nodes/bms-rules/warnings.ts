/**
 * The warnings phase of a step: the details behind the alarm levels (pack off bus, frozen, old, invalid,
 * unconfigured; current mismatch; absorb timeout) and the bank alarms they feed (docs/rules.md#alarms).
 */
import type { AlarmLevel, BankAlarmName } from '../../core/pack-state';
import type { RulesConfig } from './config';
import type { Aggregate } from './aggregate';
import type { PackTrack } from './health';
import { oldBy } from './health';
import { limitsInForce, mergeAlarms, packAlarms, rawAlarms, stepAlarms } from './alarms';
import type { Extremes } from './latches';
import type { EngineState } from './engine-state';

export type BankAlarms = Partial<Record<BankAlarmName, AlarmLevel>>;

/** One warning per pack problem, e.g. "offBus:P3", "old:P2:900s". */
export function packWarnings(tracks: PackTrack[], config: RulesConfig): string[] {
  const warnings: string[] = [];
  for (const track of tracks) {
    if (!track.configured) warnings.push(`unconfigured:${track.id}`);
    if (track.offBus) warnings.push(`offBus:${track.id}`);
    if (track.frozen) warnings.push(`frozen:${track.id}`);
    const late = oldBy(track, config);
    if (late !== undefined) warnings.push(`old:${track.id}:${Math.round(late / 1000)}s`);
    if (track.firstInvalidAt !== undefined) warnings.push(`invalid:${track.id}:${track.lastInvalidReason}`);
  }
  return warnings;
}

/** Whether the packs' current has disagreed with the external one for currentMismatchSec. */
export function currentMismatch(
  state: EngineState,
  extCurrent: number | undefined,
  agg: Aggregate | undefined,
  now: number,
): boolean {
  if (extCurrent !== undefined && agg) {
    const difference = Math.abs(agg.currentFromPacks - extCurrent);
    const disagree = difference > Math.max(5, 0.1 * Math.abs(extCurrent));
    state.mismatchSince = disagree ? (state.mismatchSince ?? now) : undefined;
  } else state.mismatchSince = undefined;
  return state.mismatchSince !== undefined && now - state.mismatchSince >= state.cfg.currentMismatchSec * 1000;
}

export interface AlarmContext {
  agg?: Aggregate;
  /** this step's aggregate, or the last one while no pack counts */
  latest?: Aggregate;
  /** the extremes of the last sample of every pack not excluded, silent ones too (latches.ts freshView) */
  known: Extremes;
  counted: PackTrack[];
  inInit: boolean;
  mismatch: boolean;
  now: number;
}

/** Steps the engine's own alarms and merges in the pack alarms. */
export function bankAlarms(state: EngineState, context: AlarmContext): BankAlarms {
  const config = state.cfg;
  const { agg, latest, known, counted, inInit, now } = context;
  const mode = state.mode.mode;
  const initWaiting = inInit && now - state.charge.startedAt < config.initTimeoutSec * 1000;
  const offline = state.tracks.filter((t) => t.status === 'offline');
  const raw = rawAlarms(
    {
      // a pack gone silent with a cell or sensor beyond a limit keeps its alarm, as it keeps its latch
      maxCell: known.maxCell ?? latest?.maxCell.v,
      minCell: known.minCell ?? latest?.minCell.v,
      avgCell: agg ? agg.voltage / config.cellsSeries : undefined,
      spreadPackMax: latest?.spreadPackMax,
      tMin: known.tMin ?? latest?.tMin,
      tMax: known.tMax ?? latest?.tMax,
      tMos: latest?.tMosMax,
      current: agg?.current ?? 0,
      inForce: limitsInForce(state.sent, measuredAt(counted, now) - config.inverterReactionSec * 1000),
      anyOffline: !inInit && offline.length > 0,
      // a configured pack never heard counts from the start
      offlineLong:
        !inInit &&
        offline.some((t) => now - (t.offlineSince ?? state.charge.startedAt) >= config.packOfflineAlarmSec * 1000),
      commLost: (mode === 'blind' || mode === 'failsafe') && !initWaiting,
      inconsistent:
        context.mismatch || state.tracks.some((t) => t.offBus || t.frozen || oldBy(t, config) !== undefined),
      absorbTimeout: state.charge.absorbTimeout,
    },
    config,
    state.alarms,
  );
  stepAlarms(state.alarms, raw, now, config);
  return mergeAlarms(state.alarms, packAlarms(counted));
}

/** When the oldest sample behind the bank current was measured (now when no pack counts). */
const measuredAt = (counted: PackTrack[], now: number): number =>
  counted.reduce((at, t) => Math.min(at, t.lastValidAt ?? now), now);
