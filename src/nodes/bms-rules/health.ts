/**
 * Per-pack health (docs/rules.md, "Pack health" and "Data age"): plausibility of each sample, data age,
 * frozen-data and off-bus checks, and the OK / STALE / OFFLINE / EXCLUDED classification. One invalid
 * sample never moves a limit: it is discarded and counted, and the last valid sample simply ages.
 * A sample is never fresher than its own `time`: it is as old as the older of its receipt and its time.
 */
import type { Alarms, PackState } from '../../core/pack-state';
import type { Result } from '../../core/result';
import type { PackSettings } from '../../core/pack-settings';
import type { PackConfig, PackRating, RulesConfig } from './config';

export type PackStatus = 'ok' | 'stale' | 'offline' | 'excluded';

/** A validated sample with the values the rules need, derived once. */
export interface PackSample {
  voltage: number;
  current: number;
  soc: number;
  soh: number;
  cells: number[];
  maxCell: number;
  maxIdx: number;
  minCell: number;
  minIdx: number;
  spread: number;
  /** undefined when the BMS reports no temperature sensor */
  tMin?: number;
  tMax?: number;
  tMos?: number;
  /** the pack's temperature sensors as it sends them (PackState `temperatures`, cell sensors not included) */
  sensors: number[];
  chargeFet: boolean;
  dischargeFet: boolean;
  balancing: boolean;
  alarms: Alarms;
  bmsCcl?: number;
  bmsDcl?: number;
  bmsCvl?: number;
}

export interface PackTrack {
  id: string;
  configured: boolean;
  config: PackConfig;
  last?: PackSample;
  /**
   * when the last valid sample was measured: the older of its receipt and its own `time` (moved back
   * to the first identical sample once a pack is found frozen)
   */
  lastValidAt?: number;
  /** how old the last received sample was by its own `time` when it arrived (0 when on time or ahead) */
  delayMs?: number;
  firstInvalidAt?: number;
  invalidCount: number;
  lastInvalidReason?: string;
  /** cells and current of the last sample, and since when they are bit-identical */
  sig?: string;
  sigSince?: number;
  /** every measured field of the last sample, and since when it is bit-identical */
  allSig?: string;
  allSigSince?: number;
  /** since when current has flowed in the bank without a break (frozen data is judged only then) */
  flowSince?: number;
  frozen: boolean;
  offBusSince?: number;
  offBus: boolean;
  excluded: boolean;
  /** since when a pack that had valid data is offline (a never-heard pack has none) */
  offlineSince?: number;
  status: PackStatus;
  /** share-feedback factor on the pack's weight, bounded 0.5..2 */
  weightFactor: number;
  overSince?: number;
  /** the settings its BMS reported last (extra.settings), and the ratings taken from them */
  bmsSettings?: PackSettings;
  fromBms?: PackRating[];
}

export function newTrack(config: PackConfig, configured: boolean): PackTrack {
  return {
    id: config.id,
    configured,
    config,
    invalidCount: 0,
    frozen: false,
    offBus: false,
    excluded: false,
    status: 'offline',
    weightFactor: 1,
  };
}

const inRange = (v: number, lo: number, hi: number): boolean => v >= lo && v <= hi;

/** Plausibility of one PackState (docs/rules.md#pack-health), without the frozen check; returns a reason or the derived sample. */
export function checkSample(p: PackState, cfg: RulesConfig, pc: PackConfig): Result<PackSample> {
  const n = cfg.cellsSeries;
  if (p.cells.length !== n) return { ok: false, reason: `cell count ${p.cells.length} ≠ ${n}` };
  let maxCell = -Infinity,
    minCell = Infinity,
    maxIdx = 0,
    minIdx = 0,
    sum = 0;
  for (let i = 0; i < p.cells.length; i++) {
    const v = p.cells[i];
    if (!Number.isFinite(v) || !inRange(v, cfg.cellValidMin, cfg.cellValidMax)) {
      return { ok: false, reason: `cell ${i + 1} = ${v} V out of range` };
    }
    if (v > maxCell) {
      maxCell = v;
      maxIdx = i;
    }
    if (v < minCell) {
      minCell = v;
      minIdx = i;
    }
    sum += v;
  }
  if (!Number.isFinite(p.voltage) || Math.abs(sum - p.voltage) > Math.max(0.5, 0.02 * p.voltage)) {
    return { ok: false, reason: `sum of cells ${sum.toFixed(2)} V ≠ pack ${p.voltage} V` };
  }
  const temps = [...p.temperatures, ...(p.cellTemperatures ?? [])];
  if (temps.some((x) => !Number.isFinite(x) || !inRange(x, cfg.tempValidMin, cfg.tempValidMax))) {
    return { ok: false, reason: 'temperature out of range' };
  }
  if (
    p.mosTemperature !== undefined &&
    (!Number.isFinite(p.mosTemperature) || !inRange(p.mosTemperature, cfg.tempValidMin, 150))
  ) {
    return { ok: false, reason: 'MOS temperature out of range' };
  }
  if (!Number.isFinite(p.soc) || !inRange(p.soc, 0, 100)) return { ok: false, reason: `SoC ${p.soc} out of range` };
  const maxA = p.current >= 0 ? pc.maxChargeA : pc.maxDischargeA;
  if (!Number.isFinite(p.current) || Math.abs(p.current) > 1.5 * maxA)
    return { ok: false, reason: `current ${p.current} A implausible` };
  const pos = (v: number | undefined): number | undefined =>
    v !== undefined && Number.isFinite(v) && v > 0 ? v : undefined;
  return {
    ok: true,
    value: {
      voltage: p.voltage,
      current: p.current,
      soc: p.soc,
      soh: p.soh !== undefined && Number.isFinite(p.soh) ? Math.min(100, Math.max(0, p.soh)) : 100,
      cells: [...p.cells],
      maxCell,
      maxIdx,
      minCell,
      minIdx,
      spread: maxCell - minCell,
      tMin: temps.length ? Math.min(...temps) : undefined,
      tMax: temps.length ? Math.max(...temps) : undefined,
      tMos: p.mosTemperature,
      sensors: [...p.temperatures],
      chargeFet: p.chargeAllowed,
      dischargeFet: p.dischargeAllowed,
      balancing: p.balancing === true,
      alarms: { ...p.alarms },
      bmsCcl: pos(p.limits?.ccl),
      bmsDcl: pos(p.limits?.dcl),
      bmsCvl: pos(p.limits?.cvl),
    },
  };
}

/**
 * Below this the bank is at rest, where a BMS may legitimately repeat bit-identical data. Above it the
 * current reading, the cells and the remaining charge of a live BMS move within frozenSec, so a pack that
 * claims more while repeating every field is repeating old data.
 */
const FROZEN_MIN_CURRENT_A = 2;

/** A duration as people say it: "45 s", "12 min", "3 h", "2 d". */
export function humanDuration(ms: number): string {
  const sec = Math.round(ms / 1000);
  if (sec < 120) return `${sec} s`;
  if (sec < 120 * 60) return `${Math.round(sec / 60)} min`;
  if (sec < 48 * 3600) return `${Math.round(sec / 3600)} h`;
  return `${Math.round(sec / 86400)} d`;
}

/** The fields a BMS measures (not the time it was sent): a repeat of old data keeps every one of them. */
const measuredSignature = (p: PackState): string =>
  JSON.stringify([
    p.voltage,
    p.current,
    p.soc,
    p.cells,
    p.temperatures,
    p.cellTemperatures,
    p.mosTemperature,
    p.ambientTemperature,
    p.remainingAh,
    p.balanceCurrent,
  ]);

/** Witnesses of a moving bank, as seen by the caller for one received sample. */
export interface Witnesses {
  /** whether any other pack's cells or current changed after t */
  othersChangedSince: (t: number) => boolean;
  /** the external bank current, if known */
  extCurrent?: number;
  /** the largest |I| among the other packs with fresh data */
  othersCurrent: number;
}

/**
 * Frozen data (docs/rules.md, "Frozen data"). With a witness: cells and current bit-identical for frozenSec
 * while current flows and the bank visibly moves (the external current, or another pack's data changing;
 * at rest those changes are ADC noise and a quiet pack is normal). Without one: the pack itself claims a
 * current above the at-rest threshold while every measured field stays bit-identical for frozenSec.
 */
function frozenNow(tr: PackTrack, p: PackState, cfg: RulesConfig, now: number, w: Witnesses): boolean {
  const sig = `${p.current}|${p.cells.join(',')}`;
  if (sig !== tr.sig || tr.sigSince === undefined) {
    tr.sig = sig;
    tr.sigSince = now;
    tr.frozen = false;
  }
  const all = measuredSignature(p);
  if (all !== tr.allSig || tr.allSigSince === undefined) {
    tr.allSig = all;
    tr.allSigSince = now;
  }
  const frozenMs = cfg.frozenSec * 1000;
  const extFlow = Math.abs(w.extCurrent ?? 0) > FROZEN_MIN_CURRENT_A;
  const flowing = extFlow || Math.max(Math.abs(p.current), w.othersCurrent) > FROZEN_MIN_CURRENT_A;
  tr.flowSince = flowing ? (tr.flowSince ?? now) : undefined;
  // identical for frozenSec while current flows: a pack quiet for hours is not frozen at the first load
  const from = Math.max(tr.sigSince, tr.flowSince ?? now);
  const witnessed = tr.flowSince !== undefined && (extFlow || w.othersChangedSince(from)) && now - from >= frozenMs;
  const selfClaimed = Math.abs(p.current) > FROZEN_MIN_CURRENT_A && now - tr.allSigSince >= frozenMs;
  return witnessed || selfClaimed;
}

/**
 * Takes one received PackState into the track. A `time` ahead of `now` by more than maxClockSkewSec is
 * invalid; a `time` older than offlineSec can never be fresh, so such a sample is not used at all (the
 * pack ages and shows as old). Otherwise the sample counts as measured at the older of `now` and `time`.
 * A sample measured before the one the track holds (a late redelivery, two sources sending one id) is
 * older news and is dropped (its delay still shows): it must not replace newer values. (A step back of
 * this host's clock moves the held times back with it first: clock-step.ts.)
 */
export function receive(tr: PackTrack, p: PackState, cfg: RulesConfig, now: number, w: Witnesses): void {
  tr.delayMs = Math.max(0, now - p.time);
  if (tr.lastValidAt !== undefined && Math.min(now, p.time) < tr.lastValidAt) return;
  if (p.time - now > cfg.maxClockSkewSec * 1000) {
    invalid(tr, `pack clock ${humanDuration(p.time - now)} ahead`, now);
    return;
  }
  if (tr.delayMs > cfg.offlineSec * 1000) return;
  const checked = checkSample(p, cfg, tr.config);
  if (!checked.ok) {
    invalid(tr, checked.reason, now);
    return;
  }
  if (frozenNow(tr, p, cfg, now, w)) {
    // identical data all along: it is no newer than its first appearance
    tr.frozen = true;
    tr.lastValidAt = Math.min(tr.lastValidAt ?? tr.sigSince!, tr.sigSince!);
    invalid(tr, 'frozen data', now);
    return;
  }
  tr.last = checked.value;
  tr.lastValidAt = Math.min(now, p.time);
  tr.firstInvalidAt = undefined;
}

/** The delay of the last received sample when it alone makes the data stale on arrival, else undefined. */
export const oldBy = (t: PackTrack, cfg: RulesConfig): number | undefined =>
  t.delayMs !== undefined && t.delayMs > cfg.staleSec * 1000 ? t.delayMs : undefined;

function invalid(tr: PackTrack, reason: string, now: number): void {
  tr.invalidCount++;
  tr.lastInvalidReason = reason;
  tr.firstInvalidAt ??= now;
}

/** Valid data younger than offlineSec and not frozen, whether or not the pack counts yet (rejoining, off bus). */
export const isFresh = (t: PackTrack, cfg: RulesConfig, now: number): boolean =>
  !t.excluded &&
  t.last !== undefined &&
  t.lastValidAt !== undefined &&
  now - t.lastValidAt <= cfg.offlineSec * 1000 &&
  !t.frozen;

/** Off-bus check: needs ≥ 3 fresh packs so the median says which one is off. */
export function updateOffBus(tracks: PackTrack[], cfg: RulesConfig, now: number): void {
  const fresh = tracks.filter((t) => isFresh(t, cfg, now));
  if (fresh.length < 3) {
    for (const t of tracks) {
      t.offBusSince = undefined;
      t.offBus = false;
    }
    return;
  }
  const med = median(fresh.map((t) => t.last!.voltage));
  for (const t of tracks) {
    const off = fresh.includes(t) && Math.abs(t.last!.voltage - med) > cfg.offBusV;
    if (!off) {
      t.offBusSince = undefined;
      t.offBus = false;
      continue;
    }
    t.offBusSince ??= now;
    t.offBus = now - t.offBusSince >= cfg.offBusSec * 1000;
  }
}

/**
 * Pack status (OK / STALE / OFFLINE / EXCLUDED) for this instant. A pack back with valid data counts at once: its sample passed the
 * plausibility checks, and holding it out would keep the bank limits low for no reason (docs/rules.md,
 * "Start-up and continuity").
 */
export function classify(tr: PackTrack, cfg: RulesConfig, now: number): PackStatus {
  if (tr.excluded) return 'excluded';
  const age = tr.lastValidAt === undefined ? Infinity : now - tr.lastValidAt;
  const down =
    !tr.last ||
    age > cfg.offlineSec * 1000 ||
    tr.offBus ||
    tr.frozen ||
    (tr.firstInvalidAt !== undefined && now - tr.firstInvalidAt > cfg.offlineSec * 1000);
  if (down) {
    if (tr.last) tr.offlineSince ??= now; // never-seen packs are not "returning" when they first appear
    return 'offline';
  }
  tr.offlineSince = undefined;
  return age > cfg.staleSec * 1000 ? 'stale' : 'ok';
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
