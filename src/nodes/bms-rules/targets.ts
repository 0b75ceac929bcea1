/**
 * The step's targets before shaping: the charge voltage from the charge state machine
 * (docs/rules.md#charge-states), the current limits held down by the charge state and the latches
 * (docs/rules.md#latches), then both capped by the safety mode (docs/rules.md#modes).
 */
import type { Aggregate, Counts } from './aggregate';
import type { PackTrack } from './health';
import type { Limited } from './limits';
import { stepCharge, vFloat } from './charge-state';
import type { Command, EngineState } from './engine-state';

export interface Targets {
  ccl: Limited;
  dcl: Limited;
  cvl: Limited;
  /** the CVL was capped below the charge state's own target (the sent CVL then follows it exactly) */
  capped: boolean;
}

/** The charge state's CVL, and the time of a full charge reached in this step. */
export function chargeTarget(
  state: EngineState,
  command: Command | undefined,
  agg: Aggregate | undefined,
  inInit: boolean,
  dt: number,
  now: number,
): { cvl: Limited; fullEvent?: number } {
  const config = state.cfg;
  const forced = command?.command === 'forceBulk' || command?.command === 'forceFloat' ? command.command : undefined;
  const eventBefore = state.charge.fullChargeEvent;
  let cvl: Limited = { value: vFloat(config), by: 'init' };
  if (!inInit && agg) {
    const charge = stepCharge(state.charge, {
      agg,
      cfg: config,
      mode: state.mode.mode,
      now,
      dt,
      cvlSent: state.cvlSent ?? state.cvl,
      chargeOpen: state.charger?.open ?? false,
      cvlAtTarget: state.charger?.atTarget ?? false,
      command: forced,
    });
    cvl = { value: charge.cvl, by: charge.by };
  } else if (!inInit) {
    cvl = { value: Math.min(state.charge.cvlSm, state.charge.ctrlOut), by: 'hold' };
  }
  const fullEvent = state.charge.fullChargeEvent !== eventBefore ? state.charge.fullChargeEvent : undefined;
  return { cvl, fullEvent };
}

/** The bank's current limits held down in float, up to the CC floor (ccFloor) while charging, to 0 by a latch. */
export function currentTargets(
  state: EngineState,
  bankCcl: Limited,
  bankDcl: Limited,
  floor: number,
): { ccl: Limited; dcl: Limited } {
  const config = state.cfg;
  const chargeState = state.charge.cs;
  const latches = state.latches;
  let ccl = bankCcl,
    dcl = bankDcl;
  if (chargeState === 'float' && config.floatCcl < ccl.value) ccl = { value: config.floatCcl, by: 'float' };
  const charging = chargeState === 'bulk' || chargeState === 'absorb' || chargeState === 'balance';
  if (charging && ccl.value > 0 && ccl.value < floor) ccl = { value: floor, by: 'floor' };
  if (latches.cellHigh.on) ccl = { value: 0, by: 'latch:cellHigh' };
  else if (latches.tempCharge.on) ccl = { value: 0, by: 'latch:tempCharge' };
  if (latches.cellLow.on) dcl = { value: 0, by: 'latch:cellLow' };
  else if (latches.tempDis.on) dcl = { value: 0, by: 'latch:tempDischarge' };
  return { ccl, dcl };
}

/** The CVL capped by what a BMS advertises and by a charge latch, then all three targets by the mode. */
export function modeCaps(
  state: EngineState,
  limits: { ccl: Limited; dcl: Limited; cvl: Limited },
  counted: PackTrack[],
  counts: Counts,
  inInit: boolean,
): Targets {
  const config = state.cfg;
  const floatV = vFloat(config);
  let { ccl, dcl, cvl } = limits;
  let capped = false;
  const capCvl = (value: number, by: string): void => {
    if (value < cvl.value) cvl = { value, by };
    capped = true;
  };
  // a BMS-advertised CVL only caps ours; a pack asking for float or less is floating and must not pull
  // the others out of absorb (as BatteryAggregator does with "charging CVLs")
  for (const track of counted) {
    const bmsCvl = track.last!.bmsCvl;
    if (bmsCvl !== undefined && bmsCvl > floatV && bmsCvl < cvl.value) capCvl(bmsCvl, `bms:${track.id}`);
  }
  // a charge latch stops via voltage too: a Victron keeps pushing 1–2 A at CCL = 0
  if (state.latches.cellHigh.on) capCvl(floatV, 'latch:cellHigh');
  else if (state.latches.tempCharge.on) capCvl(floatV, 'latch:tempCharge');
  const mode = state.mode.mode;
  if (mode === 'failsafe') {
    const by = inInit ? 'init' : 'failsafe';
    ccl = { value: 0, by };
    dcl = { value: Math.min(config.failsafeDcl, dcl.value), by };
    cvl = { value: Math.min(floatV, state.cvl - config.voltageDropV), by };
    capped = true;
  } else if (mode === 'blind') {
    const lasts = state.tracks.filter((t) => !t.excluded && t.last).map((t) => t.last!);
    const chargeOk = lasts.length > 0 && lasts.every((p) => p.maxCell < config.blindCellMax);
    const dischargeOk = lasts.length > 0 && lasts.every((p) => p.minCell > config.blindCellMin);
    const blindCcl = { value: chargeOk ? config.blindFrac * state.mode.blindCcl : 0, by: 'blind' };
    const blindDcl = { value: dischargeOk ? config.blindFrac * state.mode.blindDcl : 0, by: 'blind' };
    ccl = blindLimit(blindCcl, ccl, counted.length > 0);
    dcl = blindLimit(blindDcl, dcl, counted.length > 0);
    capCvl(Math.min(state.mode.blindCvl - config.voltageDropV, floatV), 'blind');
  } else if (mode === 'degraded' && config.blindCapCvl && counts.offline > 0) {
    capCvl(floatV, 'degraded');
  }
  return { ccl, dcl, cvl, capped };
}

/**
 * BLIND works from the last values, but never allows more than a latch, or the packs that are back with
 * fresh data (their BMS alarms and temperatures), allow: the lower of the two then.
 */
function blindLimit(blind: Limited, computed: Limited, anyCounted: boolean): Limited {
  const binding = anyCounted || computed.by.startsWith('latch:');
  return binding && computed.value < blind.value ? computed : blind;
}
