/**
 * Per-pack current limits and the bank limit by the current-share model (docs/rules.md#current-limits).
 * Every limit comes with the reason that set it (`limitedBy`).
 */
import type { AlarmName, Alarms } from '../../core/pack-state';
import type { RulesConfig } from './config';
import { interp } from './config';
import type { PackTrack } from './health';
import { canCharge, canDischarge } from './aggregate';

export interface Limited {
  value: number;
  by: string;
}

/**
 * The BMS protection alarms that concern one direction. At ALARM level the pack's own limit in that
 * direction is 0: while its BMS still reports that FET closed, the pack would take its share of any
 * current, so the bank limit is 0 (share model); once the BMS opens the FET the pack leaves the share
 * and the others carry on, bounded by their own shares. A WARN level tapers through the tables only.
 */
const CHARGE_ALARMS: readonly AlarmName[] = [
  'cellOverVoltage',
  'packOverVoltage',
  'chargeOverCurrent',
  'chargeOverTemperature',
  'chargeUnderTemperature',
];
const DISCHARGE_ALARMS: readonly AlarmName[] = [
  'cellUnderVoltage',
  'packUnderVoltage',
  'dischargeOverCurrent',
  'dischargeOverTemperature',
  'dischargeUnderTemperature',
  'shortCircuit',
];

const bmsAlarm = (alarms: Alarms, names: readonly AlarmName[], id: string): Limited[] => {
  const name = names.find((n) => alarms[n] === 'alarm');
  return name ? [{ value: 0, by: `bmsAlarm:${id}:${name}` }] : [];
};

const pick = (cands: Limited[]): Limited =>
  cands.reduce((a, c) => (c.value < a.value ? c : a), { value: Infinity, by: 'none' });

/** CCL_k and DCL_k of one pack from its last valid sample (the cell, temperature, MOS and SoC tables). */
export function packLimits(t: PackTrack, cfg: RulesConfig): { ccl: Limited; dcl: Limited } {
  const p = t.last!;
  const { maxChargeA: mc, maxDischargeA: md } = t.config;
  const id = t.id;
  const ccl: Limited[] = [{ value: mc, by: `config:${id}` }];
  const dcl: Limited[] = [{ value: md, by: `config:${id}` }];
  if (p.bmsCcl !== undefined) ccl.push({ value: p.bmsCcl, by: `bms:${id}` });
  if (p.bmsDcl !== undefined) dcl.push({ value: p.bmsDcl, by: `bms:${id}` });
  ccl.push({ value: interp(cfg.cellChargeTable, p.maxCell) * mc, by: `cell:${id}C${p.maxIdx + 1}` });
  dcl.push({ value: interp(cfg.cellDischargeTable, p.minCell) * md, by: `cell:${id}C${p.minIdx + 1}` });
  if (p.tMin !== undefined && p.tMax !== undefined) {
    ccl.push({
      value: Math.min(interp(cfg.tempChargeTable, p.tMin), interp(cfg.tempChargeTable, p.tMax)) * mc,
      by: `temp:${id}`,
    });
    dcl.push({
      value: Math.min(interp(cfg.tempDischargeTable, p.tMin), interp(cfg.tempDischargeTable, p.tMax)) * md,
      by: `temp:${id}`,
    });
  }
  if (p.tMos !== undefined) {
    ccl.push({ value: interp(cfg.mosTable, p.tMos) * mc, by: `mos:${id}` });
    dcl.push({ value: interp(cfg.mosTable, p.tMos) * md, by: `mos:${id}` });
  }
  if (cfg.socTaperEnabled) ccl.push({ value: interp(cfg.socChargeTable, p.soc) * mc, by: `soc:${id}` });
  ccl.push(...bmsAlarm(p.alarms, CHARGE_ALARMS, id));
  dcl.push(...bmsAlarm(p.alarms, DISCHARGE_ALARMS, id));
  return { ccl: pick(ccl), dcl: pick(dcl) };
}

const baseWeight = (t: PackTrack, cfg: RulesConfig): number => (cfg.shareMode === 'count' ? 1 : t.config.capacityAh);
const weight = (t: PackTrack, cfg: RulesConfig): number => baseWeight(t, cfg) * t.weightFactor;

/**
 * Bank limit of one direction: min_k(L_k / share_k)·margin, capped by ΣL_k and the system maximum.
 * Packs that cannot take current (blind, FET open) leave the denominator, so the others' shares grow.
 * Share feedback may only lower a pack's bound: each bound is the smaller of the fed-back and the
 * modelled share, so a feedback factor below 1 (or a raised weight elsewhere) never raises the bank limit.
 */
export function bankLimit(
  tracks: PackTrack[],
  cfg: RulesConfig,
  dir: 'charge' | 'discharge',
  perPack: Map<string, { ccl: Limited; dcl: Limited }>,
): Limited {
  const able = tracks.filter(dir === 'charge' ? canCharge : canDischarge);
  if (able.length === 0) return { value: 0, by: dir === 'charge' ? 'bms:noChargePack' : 'bms:noDischargePack' };
  const sumW = able.reduce((a, t) => a + weight(t, cfg), 0);
  const sumBase = able.reduce((a, t) => a + baseWeight(t, cfg), 0);
  const margin = able.length >= 2 ? cfg.shareMargin : 1;
  let best: Limited = { value: Infinity, by: 'none' };
  let sum = 0;
  for (const t of able) {
    const l = dir === 'charge' ? perPack.get(t.id)!.ccl : perPack.get(t.id)!.dcl;
    sum += l.value;
    const share = Math.max(weight(t, cfg) / sumW, baseWeight(t, cfg) / sumBase);
    const v = (l.value / share) * margin;
    // a pack limited only by its configured maximum is a share limit; anything else keeps its own reason
    if (v < best.value) best = { value: v, by: l.by.startsWith('config:') ? `share:${t.id}` : l.by };
  }
  const sys = dir === 'charge' ? cfg.systemMaxChargeA : cfg.systemMaxDischargeA;
  return pick([best, { value: sum, by: 'sum' }, { value: sys, by: 'system' }]);
}

/**
 * The CC floor while charging (docs/rules.md#current-limits): max(ccFloorMinA, ccFloorC × the capacity of
 * the packs able to charge), so a charger is not left crawling near the top by our own taper tables; but
 * never above what their BMSs advertise together (a BMS asking for 1 A gets no more because of the floor).
 */
export function ccFloor(tracks: PackTrack[], cfg: RulesConfig): number {
  const able = tracks.filter(canCharge);
  const capacityAh = able.reduce((a, t) => a + t.config.capacityAh, 0);
  const advertised = able.reduce((a, t) => a + (t.last!.bmsCcl ?? Infinity), 0);
  return Math.min(Math.max(cfg.ccFloorMinA, cfg.ccFloorC * capacityAh), advertised);
}

/**
 * Share feedback (after BatteryAggregator `_adjust_ir`): a pack that carries more than 1.05·its
 * limit for shareFeedbackSec takes a larger share than modelled. Its weight is moved to the measured
 * share I_k/ΣI (factor bounded ×0.5…×2 of the base weight), which lowers that pack's bound
 * L_k/share_k below the bank current that overloaded it, so the bank limit falls. (Scaling the
 * weight by CCL/I instead moves the weight the other way; it lowers the bank limit only when that pack is not the
 * binding one.)
 */
export function shareFeedback(
  tracks: PackTrack[],
  cfg: RulesConfig,
  perPack: Map<string, { ccl: Limited; dcl: Limited }>,
  now: number,
): void {
  for (const dir of ['charge', 'discharge'] as const) {
    const able = tracks.filter(dir === 'charge' ? canCharge : canDischarge);
    const sign = dir === 'charge' ? 1 : -1;
    const total = able.reduce((a, t) => a + Math.max(0, sign * t.last!.current), 0);
    const sumW = able.reduce((a, t) => a + weight(t, cfg), 0);
    for (const t of able) {
      const i = sign * t.last!.current;
      if (i <= 0) continue;
      const l = perPack.get(t.id)!;
      const lim = dir === 'charge' ? l.ccl.value : l.dcl.value;
      if (lim > 0 && i > 1.05 * lim && able.length >= 2 && t.status === 'ok') {
        t.overSince ??= now;
        if (now - t.overSince >= cfg.shareFeedbackSec * 1000) {
          const measured = i / total,
            modelled = weight(t, cfg) / sumW;
          t.weightFactor = Math.min(2, Math.max(0.5, t.weightFactor * (measured / modelled)));
          t.overSince = undefined;
        }
      } else if (sign * t.last!.current >= 0) {
        t.overSince = undefined;
      }
    }
  }
}
