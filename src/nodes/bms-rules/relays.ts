/**
 * Relay decisions (design D10, D14). The charge and load relays follow either the limits (`limits`:
 * CCL > 0 ∧ ¬FAILSAFE, DCL > 0) or the 123\SmartBMS tables in `normal` or `critical` mode. Between an
 * enable and a disable condition a relay keeps its state (the hysteresis). Switching off is immediate;
 * switching on again waits relayMinOffSec so a relay cannot chatter.
 */
import type { RulesConfig } from './config';

export interface RelayView {
  /** all cells of the packs with fresh data */
  cells: number[];
  /** all cell/pack temperatures of those packs */
  temps: number[];
  soc: number;
  /** cell data is flowing: bank in NORMAL or DEGRADED */
  commOk: boolean;
}

export interface RelayThresholds { vMin: number; vBalance: number; vMax: number; tMin: number; tMax: number; chargeRestartSoc: number; dischargeRestartSoc: number }

export const relayThresholds = (cfg: RulesConfig): RelayThresholds => ({
  vMin: cfg.relayVMin, vBalance: cfg.relayVBalance, vMax: cfg.relayVMax, tMin: cfg.relayTMin, tMax: cfg.relayTMax,
  chargeRestartSoc: cfg.chargeRestartSoc, dischargeRestartSoc: cfg.dischargeRestartSoc,
});

/** The D14 tables: next relay state from the previous one (pure, no timing). */
export function tableRelay(mode: 'normal' | 'critical', relay: 'charge' | 'load', prev: boolean, v: RelayView, th: RelayThresholds): boolean {
  const tempsOk = v.temps.every((x) => x > th.tMin && x < th.tMax);
  const tempBad = v.temps.some((x) => x < th.tMin || x > th.tMax);
  const noCells = v.cells.length === 0;
  if (relay === 'charge') {
    const disable = !v.commOk || noCells || tempBad || v.cells.some((c) => c >= th.vMax)
      || (mode === 'normal' && v.cells.every((c) => c >= th.vBalance));
    if (disable) return false;
    const enable = v.commOk && tempsOk && (mode === 'normal'
      ? v.cells.every((c) => c < th.vBalance) && v.soc < th.chargeRestartSoc
      : v.cells.every((c) => c < th.vMax));
    return enable ? true : prev;
  }
  const disable = !v.commOk || noCells || tempBad || v.cells.some((c) => c <= th.vMin);
  if (disable) return false;
  const enable = v.commOk && tempsOk && v.cells.every((c) => c > th.vMin) && (mode === 'critical' || v.soc >= th.dischargeRestartSoc);
  return enable ? true : prev;
}

export interface RelayCtl {
  charge: boolean; load: boolean; alarm: boolean; genStart: boolean;
  chargeOffAt?: number; loadOffAt?: number; alarmOnAt?: number;
  genOnAt?: number; genCondSince?: number;
}

/** All relays start off; the minimum off time counts only from a real switch-off. */
export const newRelayCtl = (): RelayCtl => ({ charge: false, load: false, alarm: false, genStart: false });

export interface RelayInputs {
  view: RelayView;
  ccl: number; dcl: number; failsafe: boolean;
  anyAlarm: boolean;
  minCell?: number; floating: boolean;
}

/** Advances all relays one step. */
export function stepRelays(r: RelayCtl, inp: RelayInputs, cfg: RulesConfig, now: number): void {
  const th = relayThresholds(cfg);
  const want = (which: 'charge' | 'load'): boolean => {
    const mode = which === 'charge' ? cfg.chargeRelayMode : cfg.loadRelayMode;
    if (mode === 'limits') return which === 'charge' ? inp.ccl > 0 && !inp.failsafe : inp.dcl > 0 && !inp.failsafe;
    return tableRelay(mode, which, r[which], inp.view, th);
  };
  const minOff = cfg.relayMinOffSec * 1000;
  for (const which of ['charge', 'load'] as const) {
    const offKey = which === 'charge' ? 'chargeOffAt' : 'loadOffAt';
    const w = want(which);
    if (!w) { if (r[which]) r[offKey] = now; r[which] = false; }
    else if (!r[which] && (r[offKey] === undefined || now - r[offKey]! >= minOff)) r[which] = true;
  }
  // alarm relay: on at once, stays on at least alarmRelayMinOnSec so a short alarm is noticed
  if (inp.anyAlarm) { if (!r.alarm) r.alarmOnAt = now; r.alarm = true; }
  else if (r.alarm && now - (r.alarmOnAt ?? now) >= cfg.alarmRelayMinOnSec * 1000) r.alarm = false;
  // generator start: SoC or cell trigger held genStartSec; stop at genStopSoc or float, after a minimum run
  const low = inp.view.commOk && (inp.view.soc <= cfg.genStartSoc || (inp.minCell !== undefined && inp.minCell <= cfg.genStartCell));
  r.genCondSince = low ? r.genCondSince ?? now : undefined;
  if (!r.genStart && r.genCondSince !== undefined && now - r.genCondSince >= cfg.genStartSec * 1000) {
    r.genStart = true; r.genOnAt = now;
  } else if (r.genStart && (inp.view.soc >= cfg.genStopSoc || inp.floating)
    && now - (r.genOnAt ?? now) >= cfg.genMinRunSec * 1000) {
    r.genStart = false;
  }
}
