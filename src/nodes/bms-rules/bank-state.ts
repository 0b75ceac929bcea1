/**
 * The bank phase of a step: everything the step worked out, put together as the RulesBankState it
 * returns (docs/architecture.md#bankstate), with a report per pack.
 */
import type { BankState } from '../../core/pack-state';
import type { Aggregate, CellRef, Counts } from './aggregate';
import type { Limited } from './limits';
import { balanceDue, fullDue } from './charge-state';
import type { ModeCtl } from './safety-mode';
import type { EngineState, PackLimitsById, PackReport, RulesBankState } from './engine-state';
import { latchFlags } from './latches';
import { batteryTemperature } from './battery-temperature';
import { counts } from './aggregate';
import type { BankAlarms } from './warnings';

export interface BankInputs {
  now: number;
  agg?: Aggregate;
  counts: Counts;
  cclOut: number;
  dclOut: number;
  ccl: Limited;
  dcl: Limited;
  cvl: Limited;
  soc: number;
  alarms: BankAlarms;
  warnings: string[];
  fullEvent?: number;
  perPack: PackLimitsById;
  mode: ModeCtl['mode'];
}

const ref = (c: CellRef | undefined): { v: number; pack: string; cell: number } =>
  c && Number.isFinite(c.v) ? { v: c.v, pack: c.pack, cell: c.cell } : { v: 0, pack: '', cell: 0 };
const num = (x: number | undefined, fallback = 0): number => (x !== undefined && Number.isFinite(x) ? x : fallback);
const tenths = (ms: number): number => Math.round(ms / 100) / 10;

/** Reason for a limit: what set the target, or the shaper when the output sits below it. */
const limitedBy = (out: number, target: Limited): string =>
  out < target.value - 1e-9 && !['failsafe', 'init', 'blind'].includes(target.by) ? 'ramp' : target.by;

function packReports(state: EngineState, perPack: PackLimitsById, now: number): Record<string, PackReport> {
  const reports = Object.create(null) as Record<string, PackReport>;
  for (const track of state.tracks) {
    const limits = perPack.get(track.id);
    reports[track.id] = {
      status: track.status,
      configured: track.configured,
      ageSec: track.lastValidAt === undefined ? null : tenths(now - track.lastValidAt),
      delaySec: track.delayMs === undefined ? null : tenths(track.delayMs),
      invalid: track.invalidCount,
      lastInvalid: track.lastInvalidReason,
      ccl: num(limits?.ccl.value),
      dcl: num(limits?.dcl.value),
      offBus: track.offBus,
      frozen: track.frozen,
      voltage: num(track.last?.voltage),
      soc: num(track.last?.soc),
      cellMin: num(track.last?.minCell),
      cellMax: num(track.last?.maxCell),
    };
    if (track.fromBms) reports[track.id].fromBms = track.fromBms;
  }
  return reports;
}

/** The bank's coldest and warmest sensor, and as `avg` the battery temperature the inverter receives. */
function bankTemperature(state: EngineState, agg: Aggregate | undefined): BankState['temperature'] {
  const sensorsOf = (pack: string): number[] | undefined => {
    const track = state.tracks.find((t) => t.id === pack);
    return track && counts(track) ? track.last?.sensors : undefined;
  };
  const avg = batteryTemperature(state.cfg.batteryTemperature, { ...agg, sensorsOf });
  return { min: num(agg?.tMin), max: num(agg?.tMax), avg: num(avg) };
}

export function buildBank(state: EngineState, x: BankInputs): RulesBankState {
  const config = state.cfg;
  const agg = x.agg;
  const failsafe = x.mode === 'failsafe';
  const voltage = num(agg?.voltage),
    current = num(agg?.current);
  const fullChargeRequest =
    state.charge.cs !== 'init' && (fullDue(state.charge, config, x.now) || balanceDue(state.charge, config, x.now));
  const installedAh = state.tracks.filter((t) => !t.excluded).reduce((sum, t) => sum + t.config.capacityAh, 0);
  return {
    kind: 'bank',
    name: config.bankName,
    time: x.now,
    cvl: state.cvlSent!,
    ccl: x.cclOut,
    dcl: x.dclOut,
    dvl: config.cellsSeries * config.dvlCell,
    chargeAllowed: x.cclOut > 0 && !failsafe,
    dischargeAllowed: x.dclOut > 0 && !failsafe,
    forceCharge: state.latches.forceCharge,
    fullChargeRequest,
    soc: x.soc,
    soh: num(agg?.soh, 100),
    voltage,
    current,
    power: voltage * current,
    temperature: bankTemperature(state, agg),
    cellMin: ref(agg?.minCell),
    cellMax: ref(agg?.maxCell),
    packs: x.counts,
    capacityAh: { installed: installedAh, online: num(agg && x.counts.online + x.counts.stale > 0 ? agg.onlineAh : 0) },
    chargeState: state.charge.cs,
    mode: x.mode,
    limitedBy: { cvl: x.cvl.by, ccl: limitedBy(x.cclOut, x.ccl), dcl: limitedBy(x.dclOut, x.dcl) },
    alarms: x.alarms,
    relays: {
      charge: state.relays.charge,
      load: state.relays.load,
      alarm: state.relays.alarm,
      genStart: state.relays.genStart,
    },
    stopCan: failsafe && x.now - state.mode.since >= config.stopCanAfterSec * 1000,
    socMin: num(agg?.socMin),
    socMax: num(agg?.socMax),
    socDischargeable: num(agg?.socDischargeable),
    socDegraded: agg?.socDegraded ?? true,
    socSyncRequest: state.charge.fullChargeEvent !== undefined && x.now - state.charge.fullChargeEvent < 60_000,
    remainingAh: num(agg?.remainingAh),
    balancing: agg?.balancing ?? false,
    spread: { pack: num(agg?.spreadPackMax), bank: num(agg?.spreadBank) },
    fullChargeEvent: x.fullEvent,
    lastFullCharge: state.charge.lastFull,
    lastBalance: state.charge.lastBalance,
    latches: latchFlags(state.latches),
    warnings: x.warnings,
    packStates: packReports(state, x.perPack, x.now),
  };
}
