/**
 * Protection latches (docs/rules.md#latches): cell high/low and the charge/discharge temperature windows,
 * each set at once and cleared only after its release condition has held for a dwell, plus the force-charge
 * request. They set from every pack with fresh valid data, even one not yet counted (rejoining, off bus).
 * They release only once the last known sample of every pack not excluded agrees too: a pack gone silent
 * is still on the bus in parallel, and the cell it last showed at 3.60 V may still be there.
 */
import type { RulesConfig } from './config';
import type { PackSample, PackTrack } from './health';
import { isFresh } from './health';
import type { PersistedLatches } from './charge-state';
import type { Latch, Latches } from './engine-state';

/** Highest and lowest cell, coldest and hottest sensor; undefined without samples (or without sensors). */
export interface Extremes {
  maxCell?: number;
  minCell?: number;
  tMin?: number;
  tMax?: number;
}

/** Extremes over every pack with fresh valid data, and `known` over the last sample of every pack not excluded. */
export interface FreshView extends Extremes {
  cells: number[];
  temps: number[];
  /** what a latch must see before it releases (includes the fresh packs, so never less extreme) */
  known: Extremes;
}

export function freshView(tracks: PackTrack[], config: RulesConfig, now: number): FreshView {
  const fresh = tracks.filter((track) => isFresh(track, config, now)).map((track) => track.last!);
  const known = tracks.flatMap((track) => (!track.excluded && track.last ? [track.last] : []));
  const cells = fresh.flatMap((sample) => sample.cells);
  const temps = fresh.flatMap((sample) => (sample.tMin !== undefined ? [sample.tMin, sample.tMax!] : []));
  return { cells, temps, ...extremes(fresh), known: extremes(known) };
}

const highest = (values: number[]): number | undefined => (values.length ? Math.max(...values) : undefined);
const lowest = (values: number[]): number | undefined => (values.length ? Math.min(...values) : undefined);

function extremes(samples: PackSample[]): Extremes {
  const withTemps = samples.filter((sample) => sample.tMin !== undefined);
  return {
    maxCell: highest(samples.map((sample) => sample.maxCell)),
    minCell: lowest(samples.map((sample) => sample.minCell)),
    tMin: lowest(withTemps.map((sample) => sample.tMin!)),
    tMax: highest(withTemps.map((sample) => sample.tMax!)),
  };
}

/** Latches restored after a restart start as set now (they must still clear their release dwell). */
export function restoreLatches(held: PersistedLatches | undefined, now: number): Latches {
  const latched = (on: boolean | undefined): Latch => (on ? { on: true, setAt: now } : { on: false });
  return {
    cellHigh: latched(held?.cellHigh),
    cellLow: latched(held?.cellLow),
    tempCharge: latched(held?.tempCharge),
    tempDis: latched(held?.tempDischarge),
    forceCharge: held?.forceCharge ?? false,
  };
}

/** Which latches are set, by their reported names. */
export const latchFlags = (
  latches: Latches,
): { cellHigh: boolean; cellLow: boolean; tempCharge: boolean; tempDischarge: boolean } => ({
  cellHigh: latches.cellHigh.on,
  cellLow: latches.cellLow.on,
  tempCharge: latches.tempCharge.on,
  tempDischarge: latches.tempDis.on,
});

/** The `resetLatch` command: every latch and the force-charge request off at once. */
export function resetLatches(latches: Latches): void {
  for (const one of [latches.cellHigh, latches.cellLow, latches.tempCharge, latches.tempDis]) {
    one.on = false;
    one.clearSince = undefined;
  }
  latches.forceCharge = false;
}

/** Latch with immediate set and a dwell before clearing. */
function latch(one: Latch, set: boolean, clear: boolean, dwellSec: number, now: number): void {
  if (set) {
    if (!one.on) one.setAt = now;
    one.on = true;
    one.clearSince = undefined;
    return;
  }
  if (!one.on) return;
  one.clearSince = clear ? (one.clearSince ?? now) : undefined;
  if (one.clearSince !== undefined && now - one.clearSince >= dwellSec * 1000) {
    one.on = false;
    one.clearSince = undefined;
  }
}

/** Sets from the fresh extremes; releases only when the last known ones (`view.known`) agree as well. */
export function stepLatches(latches: Latches, view: FreshView, config: RulesConfig, now: number): void {
  const known = view.known;
  if (view.maxCell !== undefined && view.minCell !== undefined) {
    const { cellHighCut, cellHighRelease, cellHighReleaseSec } = config;
    const { cellLowCut, cellLowRelease, cellLowReleaseSec } = config;
    const knownMax = Math.max(view.maxCell, known.maxCell ?? view.maxCell);
    const knownMin = Math.min(view.minCell, known.minCell ?? view.minCell);
    latch(latches.cellHigh, view.maxCell >= cellHighCut, knownMax <= cellHighRelease, cellHighReleaseSec, now);
    latch(latches.cellLow, view.minCell <= cellLowCut, knownMin >= cellLowRelease, cellLowReleaseSec, now);
  }
  if (view.tMin !== undefined && view.tMax !== undefined) {
    const temps = {
      fresh: [view.tMin, view.tMax] as Span,
      known: [Math.min(view.tMin, known.tMin ?? view.tMin), Math.max(view.tMax, known.tMax ?? view.tMax)] as Span,
    };
    const chargeCut: Span = [config.tChargeMin, config.tChargeMax];
    const chargeRelease: Span = [config.tChargeMinRelease, config.tChargeMaxRelease];
    latchWindow(latches.tempCharge, temps, chargeCut, chargeRelease, config.tempReleaseSec, now);
    const dischargeCut: Span = [config.tDisMin, config.tDisMax];
    const dischargeRelease: Span = [config.tDisMinRelease, config.tDisMaxRelease];
    latchWindow(latches.tempDis, temps, dischargeCut, dischargeRelease, config.tempReleaseSec, now);
  }
}

/** Temperatures in °C: [coldest, hottest]. */
type Span = [cold: number, hot: number];

/**
 * A temperature window latch: set when a fresh sensor is at or beyond a `cut` limit, cleared once every
 * last known sensor is inside `release`.
 */
function latchWindow(
  one: Latch,
  temps: { fresh: Span; known: Span },
  cut: Span,
  release: Span,
  dwellSec: number,
  now: number,
): void {
  const outside = temps.fresh[0] <= cut[0] || temps.fresh[1] >= cut[1];
  const inside = temps.known[0] >= release[0] && temps.known[1] <= release[1];
  latch(one, outside, inside, dwellSec, now);
}

/** Force charge: on with the low-cell latch or a cell at the force-charge voltage, off once recovered. */
export function stepForceCharge(latches: Latches, view: FreshView, soc: number, config: RulesConfig): void {
  const minCell = view.minCell;
  if (latches.cellLow.on || (minCell !== undefined && minCell <= config.forceChargeCell)) latches.forceCharge = true;
  else if (
    latches.forceCharge &&
    ((minCell !== undefined && minCell >= config.forceChargeClearCell) || soc >= config.forceChargeClearSoc)
  )
    latches.forceCharge = false;
}
