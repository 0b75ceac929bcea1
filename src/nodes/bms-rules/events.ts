/**
 * What the person in charge of the bank must hear about, once: every safety-mode change, every protection
 * latch set or released, and the CAN stop, each with its reason. Found by comparing one BankState with the
 * previous one, so it needs nothing from the engine's inside. Texts are i18n keys with parameters; the
 * node translates them (docs/rules.md, "Start-up and continuity").
 */
import type { RulesConfig } from './config';
import type { RulesBankState } from './engine';
import { humanDuration } from './health';

export type EventName = 'mode' | 'cellHigh' | 'cellLow' | 'tempCharge' | 'tempDischarge' | 'stopCan';

export interface RulesEvent {
  name: EventName;
  /** the new mode, or whether the latch / CAN stop is now on */
  to: string;
  from: string;
  /** a restriction (warn) or a recovery (info) */
  level: 'warn' | 'info';
  /** i18n key under bmsRules.log and its parameters */
  key: string;
  params: Record<string, string | number>;
  time: number;
}

const LATCHES = ['cellHigh', 'cellLow', 'tempCharge', 'tempDischarge'] as const;
const MODE_RANK: Record<RulesBankState['mode'], number> = { normal: 0, degraded: 1, blind: 2, failsafe: 3 };

/**
 * Time since the youngest valid pack data, in ms (`startedAt` when no pack has ever answered). The ages in
 * the BankState are rounded to 0.1 s.
 */
export function noDataFor(b: RulesBankState, startedAt: number): number {
  const ages = Object.values(b.packStates)
    .map((p) => p.ageSec)
    .filter((a): a is number => a !== null);
  return ages.length ? Math.min(...ages) * 1000 : b.time - startedAt;
}

/** Packs not counted right now, for a reason text ("jk-3, jk-4"). */
const missing = (b: RulesBankState): string =>
  Object.entries(b.packStates)
    .filter(([, p]) => p.status !== 'ok' && p.status !== 'stale')
    .map(([id]) => id)
    .join(', ');

function modeEvent(b: RulesBankState, cfg: RulesConfig, startedAt: number): Pick<RulesEvent, 'key' | 'params'> {
  const counts = { online: b.packs.online, total: b.packs.total };
  switch (b.mode) {
    case 'normal':
      return { key: 'bmsRules.log.normal', params: counts };
    case 'degraded':
      return { key: 'bmsRules.log.degraded', params: { ...counts, missing: missing(b) } };
    case 'blind':
      return { key: 'bmsRules.log.blind', params: { duration: humanDuration(noDataFor(b, startedAt)) } };
    default:
      return b.packs.online > 0
        ? { key: 'bmsRules.log.failsafeTooFew', params: { ...counts, needed: cfg.minPacksOnline } }
        : { key: 'bmsRules.log.failsafe', params: { duration: humanDuration(noDataFor(b, startedAt)) } };
  }
}

const fmt = (v: number, digits: number): string => v.toFixed(digits);

function latchEvent(
  name: (typeof LATCHES)[number],
  on: boolean,
  b: RulesBankState,
  cfg: RulesConfig,
): Pick<RulesEvent, 'key' | 'params'> {
  const key = `bmsRules.log.${name}${on ? 'On' : 'Off'}`;
  const t = b.temperature;
  switch (name) {
    case 'cellHigh':
      return on
        ? { key, params: { pack: b.cellMax.pack, cell: b.cellMax.cell, v: fmt(b.cellMax.v, 3), cut: cfg.cellHighCut } }
        : { key, params: { v: fmt(b.cellMax.v, 3), release: cfg.cellHighRelease, sec: cfg.cellHighReleaseSec } };
    case 'cellLow':
      return on
        ? { key, params: { pack: b.cellMin.pack, cell: b.cellMin.cell, v: fmt(b.cellMin.v, 3), cut: cfg.cellLowCut } }
        : { key, params: { v: fmt(b.cellMin.v, 3), release: cfg.cellLowRelease, sec: cfg.cellLowReleaseSec } };
    case 'tempCharge':
      return {
        key,
        params: {
          min: fmt(t.min, 1),
          max: fmt(t.max, 1),
          lo: cfg.tChargeMin,
          hi: cfg.tChargeMax,
          sec: cfg.tempReleaseSec,
        },
      };
    default:
      return {
        key,
        params: { min: fmt(t.min, 1), max: fmt(t.max, 1), lo: cfg.tDisMin, hi: cfg.tDisMax, sec: cfg.tempReleaseSec },
      };
  }
}

/** The events between two consecutive BankStates (none for the first one: nothing changed yet). */
export function bankEvents(
  prev: RulesBankState | undefined,
  b: RulesBankState,
  cfg: RulesConfig,
  startedAt: number,
): RulesEvent[] {
  if (!prev) return [];
  const out: RulesEvent[] = [];
  const add = (
    name: EventName,
    from: string,
    to: string,
    worse: boolean,
    text: Pick<RulesEvent, 'key' | 'params'>,
  ): void => {
    out.push({ name, from, to, level: worse ? 'warn' : 'info', ...text, time: b.time });
  };
  if (b.mode !== prev.mode) {
    const worse = MODE_RANK[b.mode] > MODE_RANK[prev.mode];
    add('mode', prev.mode, b.mode, worse, modeEvent(b, cfg, startedAt));
  }
  for (const name of LATCHES) {
    const on = b.latches[name];
    if (on !== prev.latches[name]) add(name, String(!on), String(on), on, latchEvent(name, on, b, cfg));
  }
  if (b.stopCan !== prev.stopCan) {
    const key = b.stopCan ? 'bmsRules.log.stopCanOn' : 'bmsRules.log.stopCanOff';
    add('stopCan', String(prev.stopCan), String(b.stopCan), b.stopCan, { key, params: { sec: cfg.stopCanAfterSec } });
  }
  return out;
}
