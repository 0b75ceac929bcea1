/**
 * The bms-rules engine: `step(state, input, now) → { state, bank }`, called on every pack message and
 * on a 1 s tick. Pure and clocked: no timers, no Node-RED; time only comes in as `now` (ms), so every
 * behaviour is a reproducible time series (unit tests, `cellsafe replay`). The state object is owned
 * by the caller and updated in place.
 */
import type { AlarmLevel, BankAlarmName, BankState, PackState } from '../../core/pack-state';
import { fullSync } from '../../core/smartbms-relay-rules';
import type { PackConfig, RulesConfig } from './config';
import type { Aggregate, CellRef, Counts } from './aggregate';
import { aggregate, canCharge, canDischarge, countPacks, counts as inO } from './aggregate';
import type { PackStatus, PackTrack } from './health';
import { classify, isFresh, newTrack, oldBy, receive, updateOffBus } from './health';
import type { Limited } from './limits';
import { bankLimit, packLimits, shareFeedback } from './limits';
import type { ChargeCtl, PersistedCharge } from './charge-state';
import {
  balanceDue,
  fullDue,
  isRecent,
  leaveInit,
  newChargeCtl,
  persistCharge,
  restoreCharge,
  stepCharge,
  vFloat,
} from './charge-state';
import type { ModeCtl } from './safety-mode';
import { newModeCtl, stepMode } from './safety-mode';
import type { Shaper } from './shaping';
import { newShaper, quantizeCvl, shape, shapeParams, startAt } from './shaping';
import type { AlarmCtl, SentLimits } from './alarms';
import { limitsInForce, mergeAlarms, packAlarms, rawAlarms, recordSent, stepAlarms } from './alarms';
import type { RelayCtl } from './relays';
import { newRelayCtl, stepRelays } from './relays';

export type Command =
  | { command: 'forceBulk' }
  | { command: 'forceFloat' }
  | { command: 'resetLatch' }
  | { command: 'exclude'; pack: string }
  | { command: 'include'; pack: string };

export interface StepInput {
  /** pack states received since the last step (received at `now`; as old as the older of `now` and their `time`) */
  packs?: PackState[];
  /** external bank current (inverter or shunt), + = charging */
  extCurrent?: number;
  command?: Command;
}

interface Latch {
  on: boolean;
  clearSince?: number;
  setAt?: number;
}

export interface EngineState {
  cfg: RulesConfig;
  tracks: PackTrack[];
  charge: ChargeCtl;
  mode: ModeCtl;
  latches: { cellHigh: Latch; cellLow: Latch; tempCharge: Latch; tempDis: Latch; forceCharge: boolean };
  ccl: Shaper;
  dcl: Shaper;
  cvl: number;
  cvlSent?: number;
  relays: RelayCtl;
  alarms: AlarmCtl;
  lastAgg?: Aggregate;
  lastStep?: number;
  ext?: { current: number; at: number };
  mismatchSince?: number;
  ownSoc?: number;
  saved?: PersistedCharge;
  lastCounts?: Counts;
  /** CCL/DCL sent since INIT ended, for the over-current check */
  sent: SentLimits;
  /** what the charge state machine may read into the last step's outputs (see ChargeInput) */
  charger?: { open: boolean; atTarget: boolean };
}

export interface PackReport {
  status: PackStatus;
  configured: boolean;
  ageSec: number | null;
  /** how old the last received sample was by its own `time` when it arrived (null before any) */
  delaySec: number | null;
  invalid: number;
  lastInvalid?: string;
  /** this pack's own limits (0 when it does not count) */
  ccl: number;
  dcl: number;
  offBus: boolean;
  frozen: boolean;
  /** from its last valid sample (0 before the first one) */
  voltage: number;
  soc: number;
  cellMin: number;
  cellMax: number;
}

/** BankState (docs/architecture.md#bankstate) plus what the rules know beyond the contract. */
export interface RulesBankState extends BankState {
  name: string;
  socMin: number;
  socMax: number;
  socDischargeable: number;
  socDegraded: boolean;
  socSyncRequest: boolean;
  remainingAh: number;
  balancing: boolean;
  spread: { pack: number; bank: number };
  fullChargeEvent?: number;
  lastFullCharge?: number;
  lastBalance?: number;
  latches: { cellHigh: boolean; cellLow: boolean; tempCharge: boolean; tempDischarge: boolean };
  /** details behind the alarm levels, e.g. "offBus:P3", "frozen:P2", "old:P2:900s", "absorbTimeout", "unconfigured:P9" */
  warnings: string[];
  /** per pack id; a record without prototype, so any id (even "__proto__") is an ordinary key */
  packStates: Record<string, PackReport>;
}

export interface StepResult {
  state: EngineState;
  bank: RulesBankState;
}

const DT_MAX_MS = 5_000;
const OWN_SOC_EMPTY_MS = 60_000; // a long gap (paused process) must not wind up integrators

/** `persisted` is what the node context gave back: it is checked here, never trusted as it is. */
export function createState(cfg: RulesConfig, now: number, persisted?: unknown): EngineState {
  const saved = restoreCharge(persisted, now);
  // recent latches resume (a cell that tripped before the restart must still clear its release dwell)
  const held = saved?.latches && isRecent(saved, cfg, now) ? saved.latches : undefined;
  const latched = (on: boolean | undefined): Latch => (on ? { on: true, setAt: now } : { on: false });
  return {
    cfg,
    tracks: cfg.packs.map((p) => newTrack(p, true)),
    charge: newChargeCtl(cfg, now),
    mode: newModeCtl(now),
    latches: {
      cellHigh: latched(held?.cellHigh),
      cellLow: latched(held?.cellLow),
      tempCharge: latched(held?.tempCharge),
      tempDis: latched(held?.tempDischarge),
      forceCharge: held?.forceCharge ?? false,
    },
    ccl: newShaper(),
    dcl: newShaper(),
    cvl: vFloat(cfg),
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
export function persistable(s: EngineState, now: number): PersistedCharge | undefined {
  if (s.charge.cs === 'init') return s.saved;
  const L = s.latches;
  return persistCharge(s.charge, now, s.ownSoc, {
    cellHigh: L.cellHigh.on,
    cellLow: L.cellLow.on,
    tempCharge: L.tempCharge.on,
    tempDischarge: L.tempDis.on,
    forceCharge: L.forceCharge,
  });
}

function applyCommand(s: EngineState, c: Command | undefined): void {
  if (!c) return;
  if (c.command === 'resetLatch') {
    for (const l of [s.latches.cellHigh, s.latches.cellLow, s.latches.tempCharge, s.latches.tempDis]) {
      l.on = false;
      l.clearSince = undefined;
    }
    s.latches.forceCharge = false;
  } else if (c.command === 'exclude' || c.command === 'include') {
    const t = s.tracks.find((x) => x.id === c.pack);
    if (t) t.excluded = c.command === 'exclude';
  }
}

function trackFor(s: EngineState, id: string): PackTrack {
  let t = s.tracks.find((x) => x.id === id);
  if (!t) {
    const pc: PackConfig = { id, ...s.cfg.defaultPack };
    t = newTrack(pc, false);
    s.tracks.push(t);
  }
  return t;
}

/** Latch with immediate set and a dwell before clearing. */
function latch(l: Latch, set: boolean, clear: boolean, dwellSec: number, now: number): void {
  if (set) {
    if (!l.on) l.setAt = now;
    l.on = true;
    l.clearSince = undefined;
    return;
  }
  if (!l.on) return;
  l.clearSince = clear ? (l.clearSince ?? now) : undefined;
  if (l.clearSince !== undefined && now - l.clearSince >= dwellSec * 1000) {
    l.on = false;
    l.clearSince = undefined;
  }
}

/** Extremes over every pack with fresh valid data, even one not yet counted (rejoining, off bus): protection looks at all of it. */
function freshView(
  s: EngineState,
  now: number,
): { cells: number[]; temps: number[]; maxCell?: number; minCell?: number; tMin?: number; tMax?: number } {
  const cells: number[] = [],
    temps: number[] = [];
  for (const t of s.tracks) {
    if (!isFresh(t, s.cfg, now)) continue;
    for (const c of t.last!.cells) cells.push(c);
    if (t.last!.tMin !== undefined) temps.push(t.last!.tMin, t.last!.tMax!);
  }
  return {
    cells,
    temps,
    maxCell: cells.length ? Math.max(...cells) : undefined,
    minCell: cells.length ? Math.min(...cells) : undefined,
    tMin: temps.length ? Math.min(...temps) : undefined,
    tMax: temps.length ? Math.max(...temps) : undefined,
  };
}

export function step(s: EngineState, input: StepInput, now: number): StepResult {
  const cfg = s.cfg;
  const dt = s.lastStep === undefined ? 0 : Math.min(DT_MAX_MS, Math.max(0, now - s.lastStep));
  s.lastStep = now;
  applyCommand(s, input.command);
  if (input.extCurrent !== undefined && Number.isFinite(input.extCurrent))
    s.ext = { current: input.extCurrent, at: now };
  const ext = s.ext && now - s.ext.at <= cfg.extStaleSec * 1000 ? s.ext.current : undefined;

  // health (docs/rules.md#pack-health)
  for (const p of input.packs ?? []) {
    const t = trackFor(s, p.id);
    const others = s.tracks.filter((o) => o !== t && isFresh(o, cfg, now));
    receive(t, p, cfg, now, {
      othersChangedSince: (since) => others.some((o) => o.sigSince !== undefined && o.sigSince > since),
      extCurrent: ext,
      othersCurrent: Math.max(0, ...others.map((o) => Math.abs(o.last!.current))),
    });
  }
  updateOffBus(s.tracks, cfg, now);
  for (const t of s.tracks) t.status = classify(t, cfg, now);
  const cnt = countPacks(s.tracks);
  const o = s.tracks.filter(inO);
  const agg = aggregate(s.tracks, ext);
  if (agg) s.lastAgg = agg;

  // INIT (docs/rules.md#charge-states): wait for every configured pack, or initTimeoutSec with enough packs
  let justLeftInit = false;
  if (s.charge.cs === 'init') {
    const configured = s.tracks.filter((t) => t.configured && !t.excluded);
    const allIn = configured.length > 0 && configured.every((t) => t.status === 'ok');
    const timedOut = now - s.charge.startedAt >= cfg.initTimeoutSec * 1000;
    if (cnt.online >= cfg.minPacksOnline && (allIn || timedOut)) {
      leaveInit(s.charge, cfg, now, s.saved);
      justLeftInit = true;
    }
  }
  const inInit = s.charge.cs === 'init';
  const prevOut = { ccl: s.ccl.out, dcl: s.dcl.out, cvl: s.cvl };
  const back = stepMode(s.mode, cnt, cfg, now, inInit, justLeftInit, prevOut);
  const mode = s.mode.mode;

  // limits (docs/rules.md#current-limits)
  const perPack = new Map<string, { ccl: Limited; dcl: Limited }>();
  for (const t of o) perPack.set(t.id, packLimits(t, cfg));
  shareFeedback(o, cfg, perPack, now);
  const cclRaw = bankLimit(o, cfg, 'charge', perPack);
  const dclRaw = bankLimit(o, cfg, 'discharge', perPack);

  // latches (docs/rules.md#latches), on every pack with fresh data
  const fv = freshView(s, now);
  const L = s.latches;
  if (fv.maxCell !== undefined) {
    latch(L.cellHigh, fv.maxCell >= cfg.cellHighCut, fv.maxCell <= cfg.cellHighRelease, cfg.cellHighReleaseSec, now);
    latch(L.cellLow, fv.minCell! <= cfg.cellLowCut, fv.minCell! >= cfg.cellLowRelease, cfg.cellLowReleaseSec, now);
  }
  if (fv.tMin !== undefined) {
    latch(
      L.tempCharge,
      fv.tMin <= cfg.tChargeMin || fv.tMax! >= cfg.tChargeMax,
      fv.tMin >= cfg.tChargeMinRelease && fv.tMax! <= cfg.tChargeMaxRelease,
      cfg.tempReleaseSec,
      now,
    );
    latch(
      L.tempDis,
      fv.tMin <= cfg.tDisMin || fv.tMax! >= cfg.tDisMax,
      fv.tMin >= cfg.tDisMinRelease && fv.tMax! <= cfg.tDisMaxRelease,
      cfg.tempReleaseSec,
      now,
    );
  }
  const socNow = agg?.soc ?? s.lastAgg?.soc ?? 0;
  if (L.cellLow.on || (fv.minCell !== undefined && fv.minCell <= cfg.forceChargeCell)) L.forceCharge = true;
  else if (
    L.forceCharge &&
    ((fv.minCell !== undefined && fv.minCell >= cfg.forceChargeClearCell) || socNow >= cfg.forceChargeClearSoc)
  )
    L.forceCharge = false;

  // charge state and CVL (docs/rules.md#charge-states)
  const cmd =
    input.command?.command === 'forceBulk' || input.command?.command === 'forceFloat'
      ? input.command.command
      : undefined;
  const prevEvent = s.charge.fullChargeEvent;
  let cvlT: Limited = { value: vFloat(cfg), by: 'init' };
  if (!inInit && agg) {
    const r = stepCharge(s.charge, {
      agg,
      cfg,
      mode,
      now,
      dt,
      cvlSent: s.cvlSent ?? s.cvl,
      chargeOpen: s.charger?.open ?? false,
      cvlAtTarget: s.charger?.atTarget ?? false,
      command: cmd,
    });
    cvlT = { value: r.cvl, by: r.by };
  } else if (!inInit) {
    cvlT = { value: Math.min(s.charge.cvlSm, s.charge.ctrlOut), by: 'hold' };
  }
  const fullEvent = s.charge.fullChargeEvent !== prevEvent ? s.charge.fullChargeEvent : undefined;

  // targets (latches, modes: docs/rules.md#latches, docs/rules.md#modes)
  const cOnline = agg?.onlineAh ?? 0;
  const cs = s.charge.cs;
  let ccl: Limited = cclRaw,
    dcl: Limited = dclRaw;
  if (cs === 'float' && cfg.floatCcl < ccl.value) ccl = { value: cfg.floatCcl, by: 'float' };
  const floor = Math.max(cfg.ccFloorMinA, cfg.ccFloorC * cOnline);
  if ((cs === 'bulk' || cs === 'absorb' || cs === 'balance') && ccl.value > 0 && ccl.value < floor)
    ccl = { value: floor, by: 'floor' };
  if (L.cellHigh.on) ccl = { value: 0, by: 'latch:cellHigh' };
  else if (L.tempCharge.on) ccl = { value: 0, by: 'latch:tempCharge' };
  if (L.cellLow.on) dcl = { value: 0, by: 'latch:cellLow' };
  else if (L.tempDis.on) dcl = { value: 0, by: 'latch:tempDischarge' };

  const vfl = vFloat(cfg);
  let cvl = cvlT;
  let capped = false;
  const capCvl = (v: number, by: string): void => {
    if (v < cvl.value) cvl = { value: v, by };
    capped = true;
  };
  // a BMS-advertised CVL only caps ours; a pack asking for float or less is floating and must not pull
  // the others out of absorb (as BatteryAggregator does with "charging CVLs")
  for (const t of o) {
    const b = t.last!.bmsCvl;
    if (b !== undefined && b > vfl && b < cvl.value) capCvl(b, `bms:${t.id}`);
  }
  // a charge latch stops via voltage too: a Victron keeps pushing 1–2 A at CCL = 0
  if (L.cellHigh.on) capCvl(vfl, 'latch:cellHigh');
  else if (L.tempCharge.on) capCvl(vfl, 'latch:tempCharge');
  if (mode === 'failsafe') {
    ccl = { value: 0, by: inInit ? 'init' : 'failsafe' };
    dcl = { value: Math.min(cfg.failsafeDcl, dcl.value), by: inInit ? 'init' : 'failsafe' };
    cvl = { value: Math.min(vfl, s.cvl - cfg.voltageDropV), by: inInit ? 'init' : 'failsafe' };
    capped = true;
  } else if (mode === 'blind') {
    const lasts = s.tracks.filter((t) => !t.excluded && t.last).map((t) => t.last!);
    const chargeOk = lasts.length > 0 && lasts.every((p) => p.maxCell < cfg.blindCellMax);
    const disOk = lasts.length > 0 && lasts.every((p) => p.minCell > cfg.blindCellMin);
    ccl = { value: chargeOk ? cfg.blindFrac * s.mode.blindCcl : 0, by: 'blind' };
    dcl = { value: disOk ? cfg.blindFrac * s.mode.blindDcl : 0, by: 'blind' };
    capCvl(Math.min(s.mode.blindCvl - cfg.voltageDropV, vfl), 'blind');
  } else if (mode === 'degraded' && cfg.blindCapCvl && cnt.offline > 0) {
    capCvl(vfl, 'degraded');
  }

  // shaping (docs/rules.md#shaping)
  const bankMaxC = Math.min(
    cfg.systemMaxChargeA,
    s.tracks.reduce((a, t) => a + t.config.maxChargeA, 0),
  );
  const bankMaxD = Math.min(
    cfg.systemMaxDischargeA,
    s.tracks.reduce((a, t) => a + t.config.maxDischargeA, 0),
  );
  const freeze = cnt.stale > 0;
  // back from INIT, BLIND or FAILSAFE: a limit at 0 starts at its computed value, no hold, no ramp
  // (docs/rules.md, "Start-up and continuity")
  if (back && !freeze && s.ccl.out === 0) startAt(s.ccl, ccl.value, now);
  if (back && !freeze && s.dcl.out === 0) startAt(s.dcl, dcl.value, now);
  // The deadband may hold a small fall, never above what the packs that can take current allow in sum.
  const sumOf = (able: (t: PackTrack) => boolean, pick: (l: { ccl: Limited; dcl: Limited }) => Limited): number =>
    o.filter(able).reduce((a, t) => a + pick(perPack.get(t.id)!).value, 0);
  const cclOut = shape(
    s.ccl,
    ccl.value,
    now,
    dt,
    shapeParams(cfg, bankMaxC),
    freeze,
    sumOf(canCharge, (l) => l.ccl),
  );
  const dclOut = shape(
    s.dcl,
    dcl.value,
    now,
    dt,
    shapeParams(cfg, bankMaxD),
    freeze,
    sumOf(canDischarge, (l) => l.dcl),
  );
  const cvlWanted = cvl.value + cfg.voltageDropV;
  // CVL: decreases at once, increases slewed (and frozen while a pack is stale)
  if (justLeftInit || cvlWanted < s.cvl) s.cvl = cvlWanted;
  else if (!freeze) s.cvl = Math.min(cvlWanted, s.cvl + (cfg.recoverRate * cfg.cellsSeries * dt) / 1000);
  s.cvlSent = quantizeCvl(s.cvlSent, s.cvl, cfg.cvlLsbV, !capped);

  // SoC
  const a = agg ?? s.lastAgg;
  if (a && agg) {
    s.ownSoc ??= agg.soc;
    s.ownSoc = Math.min(
      100,
      Math.max(0, s.ownSoc + ((agg.current * dt) / 3_600_000 / Math.max(1, agg.onlineAh)) * 100),
    );
    // the 123\SmartBMS sync points: 100 % at a full charge or with every cell at V-balance, 0 % once
    // a cell has stayed below the cut (discharge blocked) for a minute
    if (fullEvent !== undefined || fullSync(fv.cells, cfg.relayVBalance, 'normal')) s.ownSoc = 100;
    if (L.cellLow.on && now - (L.cellLow.setAt ?? now) >= OWN_SOC_EMPTY_MS) s.ownSoc = 0;
  }
  let soc = cfg.socSource === 'own' ? (s.ownSoc ?? 0) : cfg.socSource === 'min' ? (a?.socMin ?? 0) : (a?.soc ?? 0);
  if (cfg.sendSoc98UntilFull && s.charge.lastFull === undefined) soc = Math.min(soc, 98);

  // alarms (docs/rules.md#alarms)
  const warnings: string[] = [];
  for (const t of s.tracks) {
    if (!t.configured) warnings.push(`unconfigured:${t.id}`);
    if (t.offBus) warnings.push(`offBus:${t.id}`);
    if (t.frozen) warnings.push(`frozen:${t.id}`);
    const late = oldBy(t, cfg);
    if (late !== undefined) warnings.push(`old:${t.id}:${Math.round(late / 1000)}s`);
    if (t.firstInvalidAt !== undefined) warnings.push(`invalid:${t.id}:${t.lastInvalidReason}`);
  }
  if (ext !== undefined && agg) {
    const d = Math.abs(agg.currentFromPacks - ext);
    s.mismatchSince = d > Math.max(5, 0.1 * Math.abs(ext)) ? (s.mismatchSince ?? now) : undefined;
  } else s.mismatchSince = undefined;
  const mismatch = s.mismatchSince !== undefined && now - s.mismatchSince >= cfg.currentMismatchSec * 1000;
  if (mismatch) warnings.push('currentMismatch');
  if (s.charge.absorbTimeout) warnings.push('absorbTimeout');
  const initWaiting = inInit && now - s.charge.startedAt < cfg.initTimeoutSec * 1000;
  const offline = s.tracks.filter((t) => t.status === 'offline');
  stepAlarms(
    s.alarms,
    rawAlarms(
      {
        maxCell: a?.maxCell.v,
        minCell: a?.minCell.v,
        avgCell: agg ? agg.voltage / cfg.cellsSeries : undefined,
        spreadPackMax: a?.spreadPackMax,
        tMin: a?.tMin,
        tMax: a?.tMax,
        tMos: a?.tMosMax,
        current: agg?.current ?? 0,
        inForce: limitsInForce(s.sent, measuredAt(o, now) - cfg.inverterReactionSec * 1000),
        anyOffline: !inInit && offline.length > 0,
        // a configured pack never heard counts from the start
        offlineLong:
          !inInit &&
          offline.some((t) => now - (t.offlineSince ?? s.charge.startedAt) >= cfg.packOfflineAlarmSec * 1000),
        commLost: (mode === 'blind' || mode === 'failsafe') && !initWaiting,
        inconsistent: mismatch || s.tracks.some((t) => t.offBus || t.frozen || oldBy(t, cfg) !== undefined),
        absorbTimeout: s.charge.absorbTimeout,
      },
      cfg,
      s.alarms,
    ),
    now,
    cfg,
  );
  const alarms = mergeAlarms(s.alarms, packAlarms(o));

  // relays (docs/rules.md#relays)
  stepRelays(
    s.relays,
    {
      view: { cells: fv.cells, temps: fv.temps, soc: a?.soc ?? 0, commOk: mode === 'normal' || mode === 'degraded' },
      ccl: cclOut,
      dcl: dclOut,
      failsafe: mode === 'failsafe',
      anyAlarm: Object.values(alarms).includes('alarm'),
      minCell: fv.minCell,
      floating: cs === 'float' || cs === 'float-ramp',
    },
    cfg,
    now,
  );

  s.lastCounts = cnt;
  if (!inInit) recordSent(s.sent, now, cclOut, dclOut, (cfg.inverterReactionSec + cfg.offlineSec) * 1000);
  // near the top the CC floor holds the CCL at the tail threshold: the charger can still push that much
  const tailA = cfg.tailC * cOnline;
  s.charger = {
    open: (mode === 'normal' || mode === 'degraded') && cclOut > 0 && cclOut >= tailA - 1e-9,
    atTarget: (cvl.by === cs || cvl.by.startsWith('bms:')) && s.cvl >= cvlWanted - 1e-6,
  };
  const bank = buildBank(s, {
    now,
    agg: a,
    cnt,
    cclOut,
    dclOut,
    ccl,
    dcl,
    cvl,
    soc,
    alarms,
    warnings,
    fullEvent,
    perPack,
    mode,
  });
  return { state: s, bank };
}

/** When the oldest sample behind the bank current was measured (now when no pack counts). */
const measuredAt = (counted: PackTrack[], now: number): number =>
  counted.reduce((at, t) => Math.min(at, t.lastValidAt ?? now), now);

const ref = (c: CellRef | undefined): { v: number; pack: string; cell: number } =>
  c && Number.isFinite(c.v) ? { v: c.v, pack: c.pack, cell: c.cell } : { v: 0, pack: '', cell: 0 };
const num = (x: number | undefined, d = 0): number => (x !== undefined && Number.isFinite(x) ? x : d);

function buildBank(
  s: EngineState,
  x: {
    now: number;
    agg?: Aggregate;
    cnt: Counts;
    cclOut: number;
    dclOut: number;
    ccl: Limited;
    dcl: Limited;
    cvl: Limited;
    soc: number;
    alarms: Partial<Record<BankAlarmName, AlarmLevel>>;
    warnings: string[];
    fullEvent?: number;
    perPack: Map<string, { ccl: Limited; dcl: Limited }>;
    mode: ModeCtl['mode'];
  },
): RulesBankState {
  const { cfg } = s;
  const a = x.agg;
  const failsafe = x.mode === 'failsafe';
  const packStates = Object.create(null) as Record<string, PackReport>;
  for (const t of s.tracks) {
    const l = x.perPack.get(t.id);
    packStates[t.id] = {
      status: t.status,
      configured: t.configured,
      ageSec: t.lastValidAt === undefined ? null : Math.round((x.now - t.lastValidAt) / 100) / 10,
      delaySec: t.delayMs === undefined ? null : Math.round(t.delayMs / 100) / 10,
      invalid: t.invalidCount,
      lastInvalid: t.lastInvalidReason,
      ccl: num(l?.ccl.value),
      dcl: num(l?.dcl.value),
      offBus: t.offBus,
      frozen: t.frozen,
      voltage: num(t.last?.voltage),
      soc: num(t.last?.soc),
      cellMin: num(t.last?.minCell),
      cellMax: num(t.last?.maxCell),
    };
  }
  // reasons: what set the target, or the shaper when the output sits below it
  const why = (out: number, l: Limited): string =>
    out < l.value - 1e-9 && !['failsafe', 'init', 'blind'].includes(l.by) ? 'ramp' : l.by;
  const voltage = num(a?.voltage),
    current = num(a?.current);
  return {
    kind: 'bank',
    name: cfg.bankName,
    time: x.now,
    cvl: s.cvlSent!,
    ccl: x.cclOut,
    dcl: x.dclOut,
    dvl: cfg.cellsSeries * cfg.dvlCell,
    chargeAllowed: x.cclOut > 0 && !failsafe,
    dischargeAllowed: x.dclOut > 0 && !failsafe,
    forceCharge: s.latches.forceCharge,
    fullChargeRequest: s.charge.cs !== 'init' && (fullDue(s.charge, cfg, x.now) || balanceDue(s.charge, cfg, x.now)),
    soc: x.soc,
    soh: num(a?.soh, 100),
    voltage,
    current,
    power: voltage * current,
    temperature: { min: num(a?.tMin), max: num(a?.tMax), avg: num(a?.tAvg) },
    cellMin: ref(a?.minCell),
    cellMax: ref(a?.maxCell),
    packs: x.cnt,
    capacityAh: {
      installed: s.tracks.filter((t) => !t.excluded).reduce((acc, t) => acc + t.config.capacityAh, 0),
      online: num(a && x.cnt.online + x.cnt.stale > 0 ? a.onlineAh : 0),
    },
    chargeState: s.charge.cs,
    mode: x.mode,
    limitedBy: { cvl: x.cvl.by, ccl: why(x.cclOut, x.ccl), dcl: why(x.dclOut, x.dcl) },
    alarms: x.alarms,
    relays: { charge: s.relays.charge, load: s.relays.load, alarm: s.relays.alarm, genStart: s.relays.genStart },
    stopCan: failsafe && x.now - s.mode.since >= cfg.stopCanAfterSec * 1000,
    socMin: num(a?.socMin),
    socMax: num(a?.socMax),
    socDischargeable: num(a?.socDischargeable),
    socDegraded: a?.socDegraded ?? true,
    socSyncRequest: s.charge.fullChargeEvent !== undefined && x.now - s.charge.fullChargeEvent < 60_000,
    remainingAh: num(a?.remainingAh),
    balancing: a?.balancing ?? false,
    spread: { pack: num(a?.spreadPackMax), bank: num(a?.spreadBank) },
    fullChargeEvent: x.fullEvent,
    lastFullCharge: s.charge.lastFull,
    lastBalance: s.charge.lastBalance,
    latches: {
      cellHigh: s.latches.cellHigh.on,
      cellLow: s.latches.cellLow.on,
      tempCharge: s.latches.tempCharge.on,
      tempDischarge: s.latches.tempDis.on,
    },
    warnings: x.warnings,
    packStates,
  };
}
