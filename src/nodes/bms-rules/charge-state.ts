/**
 * Bank charge-state machine and the charge-voltage limit (docs/rules.md#charge-states): BULK → ABSORB/BALANCE →
 * FLOAT_RAMP → FLOAT → (rebulk) BULK, plus the per-cell CVL controller that protects a runner cell.
 * Everything is integrated with the real dt, so the behaviour does not depend on the call rate.
 */
import type { ChargeState, SafetyMode } from '../../core/pack-state';
import type { RulesConfig } from './config';
import type { Aggregate } from './aggregate';

const DAY = 86_400_000;

export interface ChargeCtl {
  cs: ChargeState;
  csSince: number;
  startedAt: number;
  lastFull?: number;
  lastBalance?: number;
  entrySince?: number;
  runnerSince?: number;
  absorbClock: number;
  balancedClock: number;
  tailSince?: number;
  lowSince?: number;
  rebulkCellSince?: number;
  rebulkSocSince?: number;
  absorbTimeout: boolean;
  fullChargeEvent?: number;
  /** state-driven CVL (pack volts) before the per-cell controller */
  cvlSm: number;
  iInt: number;
  ctrlOut: number;
  ctrlDecAt?: number;
}

/** Protection latches as persisted: only whether each one is on. */
export interface PersistedLatches {
  cellHigh: boolean;
  cellLow: boolean;
  tempCharge: boolean;
  tempDischarge: boolean;
  forceCharge: boolean;
}

/** What survives a restart (persisted in node context). */
export interface PersistedCharge {
  cs: ChargeState;
  savedAt: number;
  lastFull?: number;
  lastBalance?: number;
  iInt: number;
  ownSoc?: number;
  latches?: PersistedLatches;
}

export interface ChargeInput {
  agg: Aggregate;
  cfg: RulesConfig;
  mode: SafetyMode;
  now: number;
  dt: number;
  /** the CVL last sent to the inverter: the charger regulates to this */
  cvlSent: number;
  /**
   * the charger could still push current at the last step: CCL above the tail threshold, no charge
   * latch, no BLIND/FAILSAFE
   */
  chargeOpen: boolean;
  /**
   * the CVL sent at the last step was the charge state's own target (not pulled down by a latch, the
   * cell controller or a mode cap, and caught up with it). Only with this and `chargeOpen` does a voltage
   * at the CVL mean the end of bulk and a small current mean tail.
   */
  cvlAtTarget: boolean;
  command?: 'forceBulk' | 'forceFloat';
}

const N = (cfg: RulesConfig): number => cfg.cellsSeries;
export const vAbs = (cfg: RulesConfig): number => N(cfg) * cfg.vCellAbsorb;
export const vFloat = (cfg: RulesConfig): number => N(cfg) * cfg.vCellFloat;
export const vBal = (cfg: RulesConfig): number => N(cfg) * cfg.vCellBalance;

export function newChargeCtl(cfg: RulesConfig, now: number): ChargeCtl {
  return {
    cs: 'init',
    csSince: now,
    startedAt: now,
    absorbClock: 0,
    balancedClock: 0,
    absorbTimeout: false,
    cvlSm: vFloat(cfg),
    iInt: 0,
    ctrlOut: vFloat(cfg),
  };
}

export const balanceDue = (c: ChargeCtl, cfg: RulesConfig, now: number): boolean =>
  now - (c.lastBalance ?? c.startedAt) >= cfg.balanceEveryDays * DAY;
export const fullDue = (c: ChargeCtl, cfg: RulesConfig, now: number): boolean =>
  now - (c.lastFull ?? c.startedAt) >= cfg.fullChargeEveryDays * DAY;

const RESUMABLE: readonly ChargeState[] = ['bulk', 'absorb', 'float-ramp', 'float', 'balance'];

/**
 * Checks what node context gives back (a file store, an edited context, an older version): anything
 * unknown or non-finite is dropped, and times in the future (a clock that went back) are not trusted.
 * The integrator only ever pulls the CVL down, so a positive value is dropped too.
 */
export function restoreCharge(x: unknown, now: number): PersistedCharge | undefined {
  if (!x || typeof x !== 'object') return undefined;
  const r = x as Record<string, unknown>;
  const past = (v: unknown): number | undefined =>
    typeof v === 'number' && Number.isFinite(v) && v <= now ? v : undefined;
  const savedAt = past(r.savedAt);
  if (savedAt === undefined || !RESUMABLE.includes(r.cs as ChargeState)) return undefined;
  const iInt = typeof r.iInt === 'number' && Number.isFinite(r.iInt) ? Math.min(0, r.iInt) : 0;
  const ownSoc = typeof r.ownSoc === 'number' && r.ownSoc >= 0 && r.ownSoc <= 100 ? r.ownSoc : undefined;
  return {
    cs: r.cs as ChargeState,
    savedAt,
    lastFull: past(r.lastFull),
    lastBalance: past(r.lastBalance),
    iInt,
    ownSoc,
    latches: restoreLatches(r.latches),
  };
}

/** A latch is resumed only when stored as exactly `true`: anything else leaves it to the fresh data. */
function restoreLatches(x: unknown): PersistedLatches | undefined {
  if (!x || typeof x !== 'object') return undefined;
  const r = x as Record<string, unknown>;
  return {
    cellHigh: r.cellHigh === true,
    cellLow: r.cellLow === true,
    tempCharge: r.tempCharge === true,
    tempDischarge: r.tempDischarge === true,
    forceCharge: r.forceCharge === true,
  };
}

/** Whether a persisted state is recent enough to resume (charge state, latches). */
export const isRecent = (saved: PersistedCharge, cfg: RulesConfig, now: number): boolean =>
  now - saved.savedAt < cfg.resumeMaxAgeSec * 1000;

/** Leaves INIT: resume the persisted charge state if it is recent, else BULK. */
export function leaveInit(c: ChargeCtl, cfg: RulesConfig, now: number, saved?: PersistedCharge): void {
  if (saved) {
    c.lastFull = saved.lastFull;
    c.lastBalance = saved.lastBalance;
    c.iInt = saved.iInt;
  }
  const resume = saved && saved.cs !== 'init' && isRecent(saved, cfg, now);
  enter(c, resume ? saved.cs : 'bulk', now);
  c.cvlSm = stateTarget(c, cfg, now);
  c.ctrlOut = c.cvlSm;
}

function enter(c: ChargeCtl, cs: ChargeState, now: number): void {
  c.cs = cs;
  c.csSince = now;
  c.entrySince = c.runnerSince = c.tailSince = c.lowSince = c.rebulkCellSince = c.rebulkSocSince = undefined;
  if (cs === 'absorb' || cs === 'balance') {
    c.absorbClock = 0;
    c.balancedClock = 0;
    c.absorbTimeout = false;
  }
}

/** CVL the state asks for (pack volts). */
function stateTarget(c: ChargeCtl, cfg: RulesConfig, now: number): number {
  switch (c.cs) {
    case 'balance':
      return vBal(cfg);
    case 'bulk':
      return balanceDue(c, cfg, now) ? vBal(cfg) : vAbs(cfg);
    case 'absorb':
      return vAbs(cfg);
    default:
      return vFloat(cfg);
  }
}

/** `since` bookkeeping: returns the start time while `cond` holds, undefined otherwise. */
const since = (prev: number | undefined, cond: boolean, now: number): number | undefined =>
  cond ? (prev ?? now) : undefined;
const heldFor = (s: number | undefined, now: number, sec: number): boolean => s !== undefined && now - s >= sec * 1000;

/** Advances the charge state; returns the CVL before mode caps and latches, and what limits it. */
export function stepCharge(c: ChargeCtl, inp: ChargeInput): { cvl: number; by: string } {
  const { agg, cfg, now, dt } = inp;
  if (c.cs === 'init') return { cvl: vFloat(cfg), by: 'init' };
  if (inp.command === 'forceBulk') enter(c, 'bulk', now);
  if (inp.command === 'forceFloat' && c.cs !== 'float') enter(c, 'float-ramp', now);
  switch (c.cs) {
    case 'bulk':
      stepBulk(c, inp);
      break;
    case 'absorb':
    case 'balance':
      stepAbsorb(c, inp);
      break;
    case 'float-ramp':
      if (c.cvlSm <= vFloat(cfg) + 1e-9) enter(c, 'float', now);
      break;
    case 'float':
      stepFloat(c, inp);
      break;
    default:
      break;
  }
  // state-driven CVL: down at the float ramp rate (a gentle fall, not a step), up at the recovery rate
  const target = stateTarget(c, cfg, now);
  const seconds = dt / 1000;
  if (target < c.cvlSm) c.cvlSm = Math.max(target, c.cvlSm - cfg.rampDownVPerCellS * N(cfg) * seconds);
  else c.cvlSm = Math.min(target, c.cvlSm + cfg.recoverRate * N(cfg) * seconds);
  if (c.cs === 'float-ramp' && c.cvlSm <= vFloat(cfg) + 1e-9) enter(c, 'float', now);

  const ctrl = cellController(c, inp);
  return ctrl < c.cvlSm - 1e-9
    ? { cvl: ctrl, by: `cell:${agg.maxCell.pack}C${agg.maxCell.cell}` }
    : { cvl: c.cvlSm, by: c.cs };
}

function stepBulk(c: ChargeCtl, inp: ChargeInput): void {
  const { agg, cfg, now } = inp;
  // a voltage at a CVL that protection pulled down is not the end of bulk (a runner cell at mid SoC);
  // a cell held at the absorb voltage for absorbEntrySec with charging open is (the absorb timeout ends it)
  const tolerance = cfg.absorbEntryTolV + cfg.voltageDropV;
  const free = inp.chargeOpen && inp.cvlAtTarget;
  c.entrySince = since(c.entrySince, free && agg.voltage >= inp.cvlSent - tolerance, now);
  c.runnerSince = since(c.runnerSince, inp.chargeOpen && agg.maxCell.v >= cfg.vCellAbsorb, now);
  if (heldFor(c.entrySince, now, cfg.absorbEntrySec) || heldFor(c.runnerSince, now, cfg.absorbEntrySec)) {
    enter(c, balanceDue(c, cfg, now) ? 'balance' : 'absorb', now);
  }
}

/** Absorb and balance: clocks at the CVL, then float on balance, tail current or timeout; bulk if the voltage falls. */
function stepAbsorb(c: ChargeCtl, inp: ChargeInput): void {
  const { agg, cfg, mode, now, dt, cvlSent } = inp;
  const v = agg.voltage,
    spread = agg.spreadPackMax;
  const bal = c.cs === 'balance';
  if (v >= cvlSent - cfg.absorbClockBandV) {
    c.absorbClock += dt;
    const done = bal ? cfg.balanceDoneDiff : cfg.balancedDiff;
    if (spread <= done) c.balancedClock += dt;
    else if (spread > cfg.restartDiff) c.balancedClock = 0;
  }
  // 0 A because charging was forbidden or the CVL pulled down is no tail current
  const tail =
    !bal && inp.chargeOpen && inp.cvlAtTarget && agg.current <= cfg.tailC * agg.onlineAh && spread <= cfg.tailMaxSpread;
  c.tailSince = since(c.tailSince, tail, now);
  c.lowSince = since(c.lowSince, v < cvlSent - cfg.absorbExitDropV, now);
  const balanced =
    c.balancedClock >= (bal ? cfg.balanceDoneSec : cfg.absorbHoldSec) * 1000 && (!bal || mode === 'normal');
  const tailHeld = heldFor(c.tailSince, now, cfg.tailHoldSec);
  const timeout = c.absorbClock >= (bal ? cfg.balanceMaxSec : cfg.absorbMaxSec) * 1000;
  if (balanced || tailHeld) {
    if (mode === 'normal') {
      c.fullChargeEvent = now;
      c.lastFull = now;
      if (bal) c.lastBalance = now;
    }
    enter(c, 'float-ramp', now);
  } else if (timeout) {
    if (bal) c.lastBalance = now - (cfg.balanceEveryDays * DAY - DAY); // retry in 24 h
    enter(c, 'float-ramp', now);
    c.absorbTimeout = spread > cfg.balancedDiff;
  } else if (heldFor(c.lowSince, now, cfg.absorbExitSec)) {
    enter(c, 'bulk', now);
  }
}

/** Float: back to bulk after minFloatSec on a low cell or SoC held, a due full charge or balance, or a wide spread. */
function stepFloat(c: ChargeCtl, inp: ChargeInput): void {
  const { agg, cfg, now } = inp;
  const maxCell = agg.maxCell.v;
  c.rebulkCellSince = since(c.rebulkCellSince, maxCell <= cfg.vCellRebulk, now);
  c.rebulkSocSince = since(c.rebulkSocSince, cfg.socTrusted && agg.soc <= cfg.rebulkSoc, now);
  if (
    now - c.csSince >= cfg.minFloatSec * 1000 &&
    (heldFor(c.rebulkCellSince, now, cfg.rebulkCellSec) ||
      heldFor(c.rebulkSocSince, now, cfg.rebulkSocSec) ||
      fullDue(c, cfg, now) ||
      balanceDue(c, cfg, now) ||
      (agg.spreadPackMax >= cfg.rebulkSpread && maxCell >= cfg.rebulkSpreadMinCell))
  ) {
    enter(c, 'bulk', now);
  }
}

/**
 * Per-cell CVL controller (PI that only pulls down, with anti-windup, plus a fast path for a cell well
 * above target). Decreases apply at once; recoveries wait ovpRecoverHoldSec and then slew.
 */
function cellController(c: ChargeCtl, inp: ChargeInput): number {
  const { agg, cfg, now, dt } = inp;
  const cellTarget =
    c.cs === 'balance' || (c.cs === 'bulk' && balanceDue(c, cfg, now)) ? cfg.vCellBalance : cfg.vCellAbsorb;
  const vt = cellTarget + cfg.ovpDeadband;
  const maxCell = agg.maxCell.v;
  const e = vt - maxCell;
  const s = dt / 1000;
  // bumpless start: while the charger is current-limited the CVL sits far above the bank voltage and
  // pulling it down would do nothing; start the integrator at the operating point instead
  const ki = cfg.ki > 0 ? cfg.ki : 1;
  if (maxCell > vt && c.cvlSm + ki * c.iInt > agg.voltage) c.iInt = (agg.voltage - c.cvlSm) / ki;
  if (maxCell < cellTarget || maxCell > vt) {
    c.iInt += e * s;
    const lo = -(vAbs(cfg) - N(cfg) * cfg.vCellRebulk) / ki;
    c.iInt = Math.min(0, Math.max(lo, c.iInt));
  }
  const offset = cfg.kp * e + ki * c.iInt;
  let raw = Math.min(c.cvlSm, Math.max(N(cfg) * cfg.vCellRebulk, c.cvlSm + Math.min(0, offset)));
  if (maxCell > vt + 0.03) {
    raw = Math.min(raw, agg.voltage - agg.maxPackCells.reduce((a, x) => a + Math.max(0, x - vt), 0));
  }
  if (raw < c.ctrlOut) {
    c.ctrlOut = raw;
    c.ctrlDecAt = now;
  } else if (c.ctrlDecAt === undefined || now - c.ctrlDecAt >= cfg.ovpRecoverHoldSec * 1000) {
    c.ctrlOut = Math.min(raw, c.ctrlOut + cfg.recoverRate * N(cfg) * s);
  }
  return c.ctrlOut;
}

export function persistCharge(
  c: ChargeCtl,
  now: number,
  ownSoc: number | undefined,
  latches: PersistedLatches,
): PersistedCharge {
  return { cs: c.cs, savedAt: now, lastFull: c.lastFull, lastBalance: c.lastBalance, iInt: c.iInt, ownSoc, latches };
}
