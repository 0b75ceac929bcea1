/**
 * Bank alarms (docs/rules.md#alarms, including the rule for pack alarms). Each alarm has set/clear thresholds (hysteresis)
 * and set/clear delays; the levels use the contract names of BankState.alarms.
 */
import type { AlarmLevel, AlarmName, BankAlarmName } from '../../core/pack-state';
import type { RulesConfig } from './config';
import type { PackTrack } from './health';

type Level = AlarmLevel | undefined;
const rank = (l: Level): number => (l === 'alarm' ? 2 : l === 'warn' ? 1 : 0);
const maxLevel = (a: Level, b: Level): Level => (rank(a) >= rank(b) ? a : b);

export interface AlarmTrack {
  level: Level;
  pending?: Level;
  pendingSince?: number;
}
export type AlarmCtl = Partial<Record<BankAlarmName, AlarmTrack>>;

/** Everything the alarm rules look at in one step. */
export interface AlarmView {
  maxCell?: number;
  minCell?: number;
  avgCell?: number;
  spreadPackMax?: number;
  tMin?: number;
  tMax?: number;
  tMos?: number;
  current: number;
  /** the highest limits in force while the current was drawn (see limitsInForce); none before the first one */
  inForce?: { ccl: number; dcl: number };
  anyOffline: boolean;
  offlineLong: boolean;
  commLost: boolean;
  inconsistent: boolean;
  absorbTimeout: boolean;
}

/** Level of a value against warn/alarm thresholds, keeping the previous level inside the hysteresis band. */
function band(v: number | undefined, warn: number, alarm: number, hyst: number, high: boolean, prev: Level): Level {
  if (v === undefined) return prev;
  const over = (x: number, thr: number): boolean => (high ? x >= thr : x <= thr);
  const back = (thr: number): number => (high ? thr - hyst : thr + hyst);
  if (over(v, alarm) || (prev === 'alarm' && over(v, back(alarm)))) return 'alarm';
  if (over(v, warn) || (rank(prev) >= 1 && over(v, back(warn)))) return 'warn';
  return undefined;
}

const CLEAR_DELAY_MS = 10_000;

/** Raw levels of this instant (before delays). */
export function rawAlarms(v: AlarmView, cfg: RulesConfig, ctl: AlarmCtl): Partial<Record<BankAlarmName, Level>> {
  const prev = (n: BankAlarmName): Level => ctl[n]?.level;
  const over = (i: number, lim: number): boolean => i > Math.max(cfg.overCurrentFactor * lim, lim + 2);
  return {
    cellOverVoltage: band(v.maxCell, cfg.cellWarnHigh, cfg.cellAlarmHigh, 0.05, true, prev('cellOverVoltage')),
    cellUnderVoltage: band(v.minCell, cfg.cellWarnLow, cfg.cellAlarmLow, 0.05, false, prev('cellUnderVoltage')),
    packOverVoltage: band(v.avgCell, cfg.cellWarnHigh, cfg.cellAlarmHigh, 0.02, true, prev('packOverVoltage')),
    packUnderVoltage: band(v.avgCell, cfg.cellWarnLow, cfg.cellAlarmLow, 0.02, false, prev('packUnderVoltage')),
    chargeOverTemperature: band(v.tMax, cfg.tChargeMaxRelease, cfg.tChargeMax, 2, true, prev('chargeOverTemperature')),
    // charging is already blocked by the latch: a cold morning is a warning, not an alarm
    chargeUnderTemperature: band(v.tMin, cfg.tChargeMinRelease, -Infinity, 1, false, prev('chargeUnderTemperature')),
    dischargeOverTemperature: band(v.tMax, cfg.tDisMaxRelease, cfg.tDisMax, 2, true, prev('dischargeOverTemperature')),
    dischargeUnderTemperature: band(
      v.tMin,
      cfg.tDisMinRelease,
      cfg.tDisMin,
      1,
      false,
      prev('dischargeUnderTemperature'),
    ),
    mosOverTemperature: band(v.tMos, cfg.mosWarn, cfg.mosAlarm, 5, true, prev('mosOverTemperature')),
    cellImbalance: maxLevel(
      v.maxCell !== undefined && v.maxCell > cfg.spreadMinCell
        ? band(v.spreadPackMax, cfg.spreadWarn, cfg.spreadAlarm, 0.01, true, prev('cellImbalance'))
        : undefined,
      v.absorbTimeout ? 'warn' : undefined,
    ),
    chargeOverCurrent: v.inForce && v.current > 0 && over(v.current, v.inForce.ccl) ? 'alarm' : undefined,
    dischargeOverCurrent: v.inForce && v.current < 0 && over(-v.current, v.inForce.dcl) ? 'alarm' : undefined,
    packOffline: v.offlineLong ? 'alarm' : v.anyOffline ? 'warn' : undefined,
    bmsCommLost: v.commLost ? 'alarm' : undefined,
    communication: v.inconsistent ? 'warn' : undefined,
  };
}

/** Limits sent to the inverter, oldest first: what the over-current check compares the current with. */
export type SentLimits = Array<{ at: number; ccl: number; dcl: number }>;

/** Records the limits of one step; keeps the last keepMs and the newest entry before them (then in force). */
export function recordSent(h: SentLimits, at: number, ccl: number, dcl: number, keepMs: number): void {
  h.push({ at, ccl, dcl });
  while (h.length > 1 && h[1].at <= at - keepMs) h.shift();
}

/**
 * The highest limits in force from `from` on: the entry in force at `from` and every later one. A current
 * measured at t is compared with what was sent from t − inverterReactionSec on, because the inverter may
 * still follow a higher limit for that long. Undefined before any limit was sent (INIT: no limit in force).
 */
export function limitsInForce(h: SentLimits, from: number): { ccl: number; dcl: number } | undefined {
  let start = 0;
  while (start + 1 < h.length && h[start + 1].at <= from) start++;
  if (h.length === 0) return undefined;
  let ccl = 0,
    dcl = 0;
  for (let i = start; i < h.length; i++) {
    ccl = Math.max(ccl, h[i].ccl);
    dcl = Math.max(dcl, h[i].dcl);
  }
  return { ccl, dcl };
}

/**
 * Applies set/clear delays: a rising level is immediate except over-current (the inverter ignoring the
 * limit for overCurrentSec, as in Battery-Emulator); a falling level waits CLEAR_DELAY_MS.
 */
export function stepAlarms(
  ctl: AlarmCtl,
  raw: Partial<Record<BankAlarmName, Level>>,
  now: number,
  cfg: RulesConfig,
): void {
  const setDelay = (n: BankAlarmName): number =>
    n === 'chargeOverCurrent' || n === 'dischargeOverCurrent' ? cfg.overCurrentSec * 1000 : 0;
  for (const [name, lvl] of Object.entries(raw) as Array<[BankAlarmName, Level]>) {
    const tr = (ctl[name] ??= { level: undefined });
    if (lvl === tr.level) {
      tr.pending = undefined;
      tr.pendingSince = undefined;
      continue;
    }
    // pendingSince, not pending, says whether a change is under way: a fall to OK has pending undefined
    if (tr.pendingSince === undefined || lvl !== tr.pending) {
      tr.pending = lvl;
      tr.pendingSince = now;
    }
    const delay = rank(lvl) > rank(tr.level) ? setDelay(name) : CLEAR_DELAY_MS;
    if (now - tr.pendingSince >= delay) {
      tr.level = lvl;
      tr.pending = undefined;
      tr.pendingSince = undefined;
    }
  }
}

/**
 * Pack alarms: a protection alarm from a pack that has isolated itself (a FET open) is a
 * WARN for the bank; ALARM only when every counted pack reports it.
 */
export function packAlarms(online: PackTrack[]): Partial<Record<AlarmName, AlarmLevel>> {
  const out: Partial<Record<AlarmName, AlarmLevel>> = {};
  for (const t of online) {
    for (const [name, lvl] of Object.entries(t.last!.alarms) as Array<[AlarmName, AlarmLevel]>) {
      const everyPack = online.every((o) => o.last!.alarms[name] !== undefined);
      const isolated = !t.last!.chargeFet || !t.last!.dischargeFet;
      const l: AlarmLevel = lvl === 'alarm' && isolated && !everyPack ? 'warn' : lvl;
      out[name] = maxLevel(out[name], l);
    }
  }
  return out;
}

/** Final bank alarm map: the engine's own levels merged with the pack alarms. */
export function mergeAlarms(
  ctl: AlarmCtl,
  packs: Partial<Record<AlarmName, AlarmLevel>>,
): Partial<Record<BankAlarmName, AlarmLevel>> {
  const out: Partial<Record<BankAlarmName, AlarmLevel>> = {};
  for (const [n, tr] of Object.entries(ctl) as Array<[BankAlarmName, AlarmTrack]>) if (tr.level) out[n] = tr.level;
  for (const [n, l] of Object.entries(packs) as Array<[AlarmName, AlarmLevel]>) {
    const m = maxLevel(out[n], l);
    if (m) out[n] = m;
  }
  return out;
}
