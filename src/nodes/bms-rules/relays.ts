/**
 * Relay decisions (docs/rules.md#relays). The charge and load relays follow either the limits (`limits`:
 * CCL > 0 ∧ ¬FAILSAFE, DCL > 0) or the 123\SmartBMS tables in `normal` or `critical` mode
 * (core/smartbms-relay-rules.ts, shared with the smartbms simulator), opened by a protection latch in
 * every mode. Switching off is immediate;
 * switching on again waits relayMinOffSec so a relay cannot chatter.
 */
import { tableRelay, type RelayThresholds, type RelayView } from '../../core/smartbms-relay-rules';
import type { RulesConfig } from './config';

export const relayThresholds = (cfg: RulesConfig): RelayThresholds => ({
  vMin: cfg.relayVMin,
  vBalance: cfg.relayVBalance,
  vMax: cfg.relayVMax,
  tMin: cfg.relayTMin,
  tMax: cfg.relayTMax,
  chargeRestartSoc: cfg.chargeRestartSoc,
  dischargeRestartSoc: cfg.dischargeRestartSoc,
});

export interface RelayCtl {
  charge: boolean;
  load: boolean;
  alarm: boolean;
  genStart: boolean;
  chargeOffAt?: number;
  loadOffAt?: number;
  alarmOnAt?: number;
  genOnAt?: number;
  genCondSince?: number;
}

/** All relays start off; the minimum off time counts only from a real switch-off. */
export const newRelayCtl = (): RelayCtl => ({ charge: false, load: false, alarm: false, genStart: false });

export interface RelayInputs {
  view: RelayView;
  ccl: number;
  dcl: number;
  failsafe: boolean;
  /** a charge latch (cell high, charge temperature) / a discharge latch (cell low, discharge temperature) holds */
  chargeLatched: boolean;
  dischargeLatched: boolean;
  anyAlarm: boolean;
  minCell?: number;
  floating: boolean;
}

/** Advances all relays one step. */
export function stepRelays(r: RelayCtl, inp: RelayInputs, cfg: RulesConfig, now: number): void {
  const th = relayThresholds(cfg);
  const want = (which: 'charge' | 'load'): boolean => {
    const mode = which === 'charge' ? cfg.chargeRelayMode : cfg.loadRelayMode;
    if (mode === 'limits') return which === 'charge' ? inp.ccl > 0 && !inp.failsafe : inp.dcl > 0 && !inp.failsafe;
    // A latch is our protection acting: its relay opens in every mode, whatever the table allows.
    const latched = which === 'charge' ? inp.chargeLatched : inp.dischargeLatched;
    return !latched && tableRelay(mode, which, r[which], inp.view, th);
  };
  const minOff = cfg.relayMinOffSec * 1000;
  for (const which of ['charge', 'load'] as const) {
    const offKey = which === 'charge' ? 'chargeOffAt' : 'loadOffAt';
    const w = want(which);
    if (!w) {
      if (r[which]) r[offKey] = now;
      r[which] = false;
    } else if (!r[which] && (r[offKey] === undefined || now - r[offKey]! >= minOff)) r[which] = true;
  }
  // alarm relay: on at once, stays on at least alarmRelayMinOnSec so a short alarm is noticed
  if (inp.anyAlarm) {
    if (!r.alarm) r.alarmOnAt = now;
    r.alarm = true;
  } else if (r.alarm && now - (r.alarmOnAt ?? now) >= cfg.alarmRelayMinOnSec * 1000) r.alarm = false;
  // generator start: SoC or cell trigger held genStartSec; stop at genStopSoc or float, after a minimum run
  const low =
    inp.view.commOk &&
    (inp.view.soc <= cfg.genStartSoc || (inp.minCell !== undefined && inp.minCell <= cfg.genStartCell));
  r.genCondSince = low ? (r.genCondSince ?? now) : undefined;
  if (!r.genStart && r.genCondSince !== undefined && now - r.genCondSince >= cfg.genStartSec * 1000) {
    r.genStart = true;
    r.genOnAt = now;
  } else if (
    r.genStart &&
    (inp.view.soc >= cfg.genStopSoc || inp.floating) &&
    now - (r.genOnAt ?? now) >= cfg.genMinRunSec * 1000
  ) {
    r.genStart = false;
  }
}
