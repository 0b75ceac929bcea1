/**
 * The shaping phase of a step (docs/rules.md#shaping): the CCL/DCL targets through their shapers, the CVL
 * down at once and up slewed, then quantized to what the inverter is sent.
 */
import type { PackTrack } from './health';
import type { Limited } from './limits';
import type { Counts } from './aggregate';
import { canCharge, canDischarge } from './aggregate';
import { quantizeCvl, shape, shapeParams, startAt } from './shaping';
import type { EngineState, PackLimitsById } from './engine-state';
import type { Targets } from './targets';

export interface ShapedOutputs {
  ccl: number;
  dcl: number;
  /** the CVL the targets ask for at the pack terminals (before the slew) */
  cvlWanted: number;
}

export interface ShapingContext {
  counted: PackTrack[];
  perPack: PackLimitsById;
  counts: Counts;
  /** back from INIT, BLIND or FAILSAFE in this step */
  back: boolean;
  justLeftInit: boolean;
  dt: number;
  now: number;
}

export function shapeOutputs(state: EngineState, targets: Targets, context: ShapingContext): ShapedOutputs {
  const config = state.cfg;
  const { counted, perPack, back, now, dt } = context;
  const totalOf = (pick: (track: PackTrack) => number): number =>
    state.tracks.reduce((sum, track) => sum + pick(track), 0);
  const bankMaxCharge = Math.min(
    config.systemMaxChargeA,
    totalOf((t) => t.config.maxChargeA),
  );
  const bankMaxDischarge = Math.min(
    config.systemMaxDischargeA,
    totalOf((t) => t.config.maxDischargeA),
  );
  const freeze = context.counts.stale > 0;
  // back from INIT, BLIND or FAILSAFE: a limit at 0 starts at its computed value, no hold, no ramp
  // (docs/rules.md, "Start-up and continuity")
  if (back && !freeze && state.ccl.out === 0) startAt(state.ccl, targets.ccl.value, now);
  if (back && !freeze && state.dcl.out === 0) startAt(state.dcl, targets.dcl.value, now);
  // The deadband may hold a small fall, never above what the packs that can take current allow in sum.
  const sumOf = (able: (t: PackTrack) => boolean, pick: (l: { ccl: Limited; dcl: Limited }) => Limited): number =>
    counted.filter(able).reduce((sum, t) => sum + pick(perPack.get(t.id)!).value, 0);
  const chargeCap = sumOf(canCharge, (l) => l.ccl);
  const dischargeCap = sumOf(canDischarge, (l) => l.dcl);
  const ccl = shape(state.ccl, targets.ccl.value, now, dt, shapeParams(config, bankMaxCharge), freeze, chargeCap);
  const dcl = shape(state.dcl, targets.dcl.value, now, dt, shapeParams(config, bankMaxDischarge), freeze, dischargeCap);
  const cvlWanted = targets.cvl.value + config.voltageDropV;
  // CVL: decreases at once, increases slewed (and frozen while a pack is stale). Leaving INIT it starts at
  // its target, like CCL/DCL above, unless a pack is stale: then it rises only once that pack is fresh.
  if ((context.justLeftInit && !freeze) || cvlWanted < state.cvl) state.cvl = cvlWanted;
  else if (!freeze) state.cvl = Math.min(cvlWanted, state.cvl + (config.recoverRate * config.cellsSeries * dt) / 1000);
  state.cvlSent = quantizeCvl(state.cvlSent, state.cvl, config.cvlLsbV, !targets.capped);
  return { ccl, dcl, cvlWanted };
}
