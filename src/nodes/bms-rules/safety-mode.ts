/**
 * Safety modes (docs/rules.md#modes): NORMAL / DEGRADED / BLIND / FAILSAFE. Degrade per pack; stop only when the
 * bank itself is blind, and then only after a grace that is direction-aware.
 */
import type { SafetyMode } from '../../core/pack-state';
import type { RulesConfig } from './config';
import type { Counts } from './aggregate';

export interface ModeCtl {
  mode: SafetyMode;
  since: number;
  recoverSince?: number;
  /** outputs when BLIND began: BLIND allows a fraction of them */
  blindCcl: number;
  blindDcl: number;
  blindCvl: number;
}

export const newModeCtl = (now: number): ModeCtl => ({
  mode: 'failsafe',
  since: now,
  blindCcl: 0,
  blindDcl: 0,
  blindCvl: 0,
});

/** The mode the pack counts ask for, before grace and recovery hold. */
export function candidateMode(c: Counts, cfg: RulesConfig): SafetyMode {
  if (c.online >= 1 && c.stale + c.offline === 0) return 'normal';
  return c.online >= cfg.minPacksOnline ? 'degraded' : 'blind';
}

/**
 * Advances the mode. `last` are the outputs of the previous step (kept for BLIND). `justLeftInit`
 * skips the recovery hold once: INIT already waited for the packs. Leaving BLIND/FAILSAFE is at once
 * when every pack is OK again (as INIT ends), else after recoverHoldSec with minPacksOnline OK.
 * Returns true when the bank has just come back (from INIT, BLIND or FAILSAFE): limits at 0 then start
 * at their computed values.
 */
export function stepMode(
  m: ModeCtl,
  c: Counts,
  cfg: RulesConfig,
  now: number,
  inInit: boolean,
  justLeftInit: boolean,
  last: { ccl: number; dcl: number; cvl: number },
): boolean {
  const set = (mode: SafetyMode): void => {
    if (m.mode !== mode) {
      m.mode = mode;
      m.since = now;
    }
  };
  if (inInit) {
    set('failsafe');
    return false;
  }
  const cand = candidateMode(c, cfg);
  if (justLeftInit) {
    m.recoverSince = undefined;
    set(cand === 'blind' ? 'failsafe' : cand);
    return m.mode !== 'failsafe';
  }
  let back = false;
  if (cand === 'blind') {
    m.recoverSince = undefined;
    if (m.mode === 'normal' || m.mode === 'degraded') {
      m.blindCcl = last.ccl;
      m.blindDcl = last.dcl;
      m.blindCvl = last.cvl;
      set('blind');
    }
  } else if (m.mode === 'blind' || m.mode === 'failsafe') {
    m.recoverSince ??= now;
    if (cand === 'normal' || now - m.recoverSince >= cfg.recoverHoldSec * 1000) {
      m.recoverSince = undefined;
      set(cand);
      back = true;
    }
  } else {
    set(cand);
  }
  if (m.mode === 'blind' && now - m.since >= cfg.blindGraceSec * 1000) set('failsafe');
  return back;
}
