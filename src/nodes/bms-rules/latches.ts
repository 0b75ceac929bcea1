/**
 * Protection latches (docs/rules.md#latches): cell high/low and the charge/discharge temperature windows,
 * each set at once and cleared only after its release condition has held for a dwell, plus the force-charge
 * request. They look at every pack with fresh valid data, even one not yet counted (rejoining, off bus).
 */
import type { RulesConfig } from './config';
import type { PackTrack } from './health';
import { isFresh } from './health';
import type { PersistedLatches } from './charge-state';
import type { Latch, Latches } from './engine-state';

/** Extremes over every pack with fresh valid data. */
export interface FreshView {
  cells: number[];
  temps: number[];
  maxCell?: number;
  minCell?: number;
  tMin?: number;
  tMax?: number;
}

export function freshView(tracks: PackTrack[], config: RulesConfig, now: number): FreshView {
  const cells: number[] = [],
    temps: number[] = [];
  for (const track of tracks) {
    if (!isFresh(track, config, now)) continue;
    for (const cell of track.last!.cells) cells.push(cell);
    if (track.last!.tMin !== undefined) temps.push(track.last!.tMin, track.last!.tMax!);
  }
  return {
    cells,
    temps,
    maxCell: cells.length ? Math.max(...cells) : undefined,
    minCell: cells.length ? Math.min(...cells) : undefined,
    tMin: temps.length ? Math.min(...temps) : undefined,
    tMax: temps.length ? Math.max(...temps) : undefined,
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

export function stepLatches(latches: Latches, view: FreshView, config: RulesConfig, now: number): void {
  if (view.maxCell !== undefined) {
    const { cellHighCut, cellHighRelease, cellHighReleaseSec } = config;
    const { cellLowCut, cellLowRelease, cellLowReleaseSec } = config;
    latch(latches.cellHigh, view.maxCell >= cellHighCut, view.maxCell <= cellHighRelease, cellHighReleaseSec, now);
    latch(latches.cellLow, view.minCell! <= cellLowCut, view.minCell! >= cellLowRelease, cellLowReleaseSec, now);
  }
  if (view.tMin !== undefined) {
    const temps: Span = [view.tMin, view.tMax!];
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

/** A temperature window latch: set at or beyond a `cut` limit, cleared once every sensor is inside `release`. */
function latchWindow(one: Latch, temps: Span, cut: Span, release: Span, dwellSec: number, now: number): void {
  const outside = temps[0] <= cut[0] || temps[1] >= cut[1];
  const inside = temps[0] >= release[0] && temps[1] <= release[1];
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
