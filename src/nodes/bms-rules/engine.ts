/**
 * The bms-rules engine: `step(state, input, now) → { state, bank }`, called on every pack message and
 * on a 1 s tick. Pure and clocked: no timers, no Node-RED; time only comes in as `now` (ms), so every
 * behaviour is a reproducible time series (unit tests, `cellsafe replay`). The state object is owned
 * by the caller and updated in place. A step is a list of named phases, each in the file of its concept.
 */
import type { PackState } from '../../core/pack-state';
import type { PackConfig, RulesConfig } from './config';
import type { Aggregate, Counts } from './aggregate';
import { aggregate, countPacks, counts as isCounted } from './aggregate';
import type { PackTrack } from './health';
import { classify, isFresh, newTrack, receive, updateOffBus } from './health';
import type { Limited } from './limits';
import { bankLimit, ccFloor, packLimits, shareFeedback } from './limits';
import type { PersistedCharge } from './charge-state';
import { isRecent, leaveInit, newChargeCtl, persistCharge, restoreCharge, vFloat } from './charge-state';
import { newModeCtl, stepMode } from './safety-mode';
import { newShaper } from './shaping';
import { recordSent } from './alarms';
import { newRelayCtl, stepRelays } from './relays';
import type { Command, EngineState, PackLimitsById, RulesBankState, StepInput, StepResult } from './engine-state';
import type { FreshView } from './latches';
import { freshView, latchFlags, resetLatches, restoreLatches, stepForceCharge, stepLatches } from './latches';
import type { Targets } from './targets';
import { chargeTarget, currentTargets, modeCaps } from './targets';
import type { ShapedOutputs } from './output-shaping';
import { shapeOutputs } from './output-shaping';
import { reportedSoc, stepOwnSoc } from './own-soc';
import type { BankAlarms } from './warnings';
import { bankAlarms, currentMismatch, packWarnings } from './warnings';
import { adoptBmsSettings, bmsSettingsWarnings } from './bms-settings-use';
import { buildBank } from './bank-state';
import { followClockStep } from './clock-step';

export type { Command, EngineState, PackReport, RulesBankState, StepInput, StepResult } from './engine-state';

// a long gap (paused process) must not wind up integrators
const DT_MAX_MS = 5_000;

/** `persisted` is what the node context gave back: it is checked here, never trusted as it is. */
export function createState(config: RulesConfig, now: number, persisted?: unknown): EngineState {
  const saved = restoreCharge(persisted, now);
  // recent latches resume (a cell that tripped before the restart must still clear its release dwell)
  const held = saved?.latches && isRecent(saved, config, now) ? saved.latches : undefined;
  return {
    cfg: config,
    tracks: config.packs.map((pack) => newTrack(pack, true)),
    charge: newChargeCtl(config, now),
    mode: newModeCtl(now),
    latches: restoreLatches(held, now),
    ccl: newShaper(),
    dcl: newShaper(),
    cvl: vFloat(config),
    relays: newRelayCtl(),
    alarms: {},
    ownSoc: saved?.ownSoc,
    saved,
    sent: [],
  };
}

/**
 * What the node persists (charge state, last full charge/balance, integrators, own SoC, latches). In INIT
 * nothing new is known: what was restored is kept as it was, so a restart while no BMS answers loses nothing.
 */
export function persistable(state: EngineState, now: number): PersistedCharge | undefined {
  if (state.charge.cs === 'init') return state.saved;
  const latches = state.latches;
  return persistCharge(state.charge, now, state.ownSoc, { ...latchFlags(latches), forceCharge: latches.forceCharge });
}

export function step(state: EngineState, input: StepInput, now: number): StepResult {
  followClockStep(state, now);
  const dt = elapsed(state, now);
  applyCommand(state, input.command);
  const extCurrent = externalCurrent(state, input.extCurrent, now);
  const { counts, counted, agg } = updateHealth(state, input.packs ?? [], extCurrent, now);
  const justLeftInit = exitInit(state, counts, now);
  const inInit = state.charge.cs === 'init';
  const back = stepSafetyMode(state, counts, inInit, justLeftInit, now);
  const { perPack, ccl: bankCcl, dcl: bankDcl, floor } = bankLimits(state, counted, now);
  const view = freshView(state.tracks, state.cfg, now);
  stepLatches(state.latches, view, state.cfg, now);
  stepForceCharge(state.latches, view, agg?.soc ?? state.lastAgg?.soc ?? 0, state.cfg);
  const { cvl: chargeCvl, fullEvent } = chargeTarget(state, input.command, agg, inInit, dt, now);
  const limits = currentTargets(state, bankCcl, bankDcl, floor);
  const targets = modeCaps(state, { ...limits, cvl: chargeCvl }, counted, counts, inInit);
  const outputs = shapeOutputs(state, targets, { counted, perPack, counts, back, justLeftInit, dt, now });
  const latest = agg ?? state.lastAgg;
  stepOwnSoc(state, agg, fullEvent, view.cells, dt, now);
  const soc = reportedSoc(state, latest);
  const mismatch = currentMismatch(state, extCurrent, agg, now);
  const warnings = bankWarnings(state, mismatch);
  const alarms = bankAlarms(state, { agg, latest, known: view.known, counted, inInit, mismatch, now });
  driveRelays(state, view, latest, outputs, alarms, now);
  finishStep(state, counts, inInit, targets, outputs, agg?.onlineAh ?? 0, now);
  const bank: RulesBankState = buildBank(state, {
    now,
    agg: latest,
    counts,
    cclOut: outputs.ccl,
    dclOut: outputs.dcl,
    ccl: targets.ccl,
    dcl: targets.dcl,
    cvl: targets.cvl,
    soc,
    alarms,
    warnings,
    fullEvent,
    perPack,
    mode: state.mode.mode,
  });
  return { state, bank };
}

/** Time since the last step, at most DT_MAX_MS. */
function elapsed(state: EngineState, now: number): number {
  const dt = state.lastStep === undefined ? 0 : Math.min(DT_MAX_MS, Math.max(0, now - state.lastStep));
  state.lastStep = now;
  return dt;
}

function applyCommand(state: EngineState, command: Command | undefined): void {
  if (!command) return;
  if (command.command === 'resetLatch') resetLatches(state.latches);
  else if (command.command === 'exclude' || command.command === 'include') {
    const track = state.tracks.find((t) => t.id === command.pack);
    if (track) track.excluded = command.command === 'exclude';
  }
}

/** The external bank current while it is fresh (within extStaleSec). */
function externalCurrent(state: EngineState, current: number | undefined, now: number): number | undefined {
  if (current !== undefined && Number.isFinite(current)) state.ext = { current, at: now };
  return state.ext && now - state.ext.at <= state.cfg.extStaleSec * 1000 ? state.ext.current : undefined;
}

function trackFor(state: EngineState, id: string): PackTrack {
  let track = state.tracks.find((t) => t.id === id);
  if (!track) {
    const config: PackConfig = { id, ...state.cfg.defaultPack };
    track = newTrack(config, false);
    state.tracks.push(track);
  }
  return track;
}

/** Pack health (docs/rules.md#pack-health): receive the new samples, classify every pack, aggregate. */
function updateHealth(
  state: EngineState,
  packs: PackState[],
  extCurrent: number | undefined,
  now: number,
): { counts: Counts; counted: PackTrack[]; agg?: Aggregate } {
  const config = state.cfg;
  for (const pack of packs) {
    const track = trackFor(state, pack.id);
    adoptBmsSettings(track, pack);
    const others = state.tracks.filter((other) => other !== track && isFresh(other, config, now));
    receive(track, pack, config, now, {
      othersChangedSince: (since) => others.some((o) => o.sigSince !== undefined && o.sigSince > since),
      extCurrent,
      othersCurrent: Math.max(0, ...others.map((o) => Math.abs(o.last!.current))),
    });
  }
  updateOffBus(state.tracks, config, now);
  for (const track of state.tracks) track.status = classify(track, config, now);
  const counts = countPacks(state.tracks);
  const counted = state.tracks.filter(isCounted);
  const agg = aggregate(state.tracks, extCurrent);
  if (agg) state.lastAgg = agg;
  return { counts, counted, agg };
}

/** INIT (docs/rules.md#charge-states) ends with every configured pack in, or initTimeoutSec with enough packs. */
function exitInit(state: EngineState, counts: Counts, now: number): boolean {
  const config = state.cfg;
  if (state.charge.cs !== 'init') return false;
  const configured = state.tracks.filter((t) => t.configured && !t.excluded);
  const allIn = configured.length > 0 && configured.every((t) => t.status === 'ok');
  const timedOut = now - state.charge.startedAt >= config.initTimeoutSec * 1000;
  if (counts.online < config.minPacksOnline || !(allIn || timedOut)) return false;
  leaveInit(state.charge, config, now, state.saved);
  return true;
}

/** The safety mode (docs/rules.md#modes); true when back from INIT, BLIND or FAILSAFE. */
function stepSafetyMode(
  state: EngineState,
  counts: Counts,
  inInit: boolean,
  justLeftInit: boolean,
  now: number,
): boolean {
  const previous = { ccl: state.ccl.out, dcl: state.dcl.out, cvl: state.cvl };
  return stepMode(state.mode, counts, state.cfg, now, inInit, justLeftInit, previous);
}

/** Each counted pack's limits and the bank's (docs/rules.md#current-limits). */
function bankLimits(
  state: EngineState,
  counted: PackTrack[],
  now: number,
): { perPack: PackLimitsById; ccl: Limited; dcl: Limited; floor: number } {
  const config = state.cfg;
  const perPack: PackLimitsById = new Map();
  for (const track of counted) perPack.set(track.id, packLimits(track, config));
  shareFeedback(counted, config, perPack, now);
  const ccl = bankLimit(counted, config, 'charge', perPack);
  const dcl = bankLimit(counted, config, 'discharge', perPack);
  return { perPack, ccl, dcl, floor: ccFloor(counted, config) };
}

function bankWarnings(state: EngineState, mismatch: boolean): string[] {
  const warnings = [...packWarnings(state.tracks, state.cfg), ...bmsSettingsWarnings(state.tracks, state.cfg)];
  if (mismatch) warnings.push('currentMismatch');
  if (state.charge.absorbTimeout) warnings.push('absorbTimeout');
  return warnings;
}

/** Relays (docs/rules.md#relays). */
function driveRelays(
  state: EngineState,
  view: FreshView,
  latest: Aggregate | undefined,
  outputs: ShapedOutputs,
  alarms: BankAlarms,
  now: number,
): void {
  const mode = state.mode.mode;
  const chargeState = state.charge.cs;
  stepRelays(
    state.relays,
    {
      view: {
        cells: view.cells,
        temps: view.temps,
        soc: latest?.soc ?? 0,
        commOk: mode === 'normal' || mode === 'degraded',
      },
      ccl: outputs.ccl,
      dcl: outputs.dcl,
      failsafe: mode === 'failsafe',
      chargeLatched: state.latches.cellHigh.on || state.latches.tempCharge.on,
      dischargeLatched: state.latches.cellLow.on || state.latches.tempDis.on,
      anyAlarm: Object.values(alarms).includes('alarm'),
      minCell: view.minCell,
      floating: chargeState === 'float' || chargeState === 'float-ramp',
    },
    state.cfg,
    now,
  );
}

/** What the next step reads back: the counts, the limits sent, and whether the charger was free. */
function finishStep(
  state: EngineState,
  counts: Counts,
  inInit: boolean,
  targets: Targets,
  outputs: ShapedOutputs,
  onlineAh: number,
  now: number,
): void {
  const config = state.cfg;
  const mode = state.mode.mode;
  state.lastCounts = counts;
  if (!inInit)
    recordSent(state.sent, now, outputs.ccl, outputs.dcl, (config.inverterReactionSec + config.offlineSec) * 1000);
  // near the top the CC floor holds the CCL at the tail threshold: the charger can still push that much
  const tailA = config.tailC * onlineAh;
  const by = targets.cvl.by;
  state.charger = {
    open: (mode === 'normal' || mode === 'degraded') && outputs.ccl > 0 && outputs.ccl >= tailA - 1e-9,
    atTarget: (by === state.charge.cs || by.startsWith('bms:')) && state.cvl >= outputs.cvlWanted - 1e-6,
  };
}
