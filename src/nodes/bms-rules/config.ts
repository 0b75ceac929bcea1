/**
 * bms-rules parameters (docs/rules.md#parameters) with LiFePO4 16S defaults, chemistry presets, and validation.
 * Per-cell values scale with `cellsSeries`; every threshold is a parameter.
 */
import { CHEMISTRIES, type Chemistry } from '../../core/chemistry';
import type { Result } from '../../core/result';
import { checkPackId } from '../../core/pack-state';
import { checkBatteryTemperature } from './battery-temperature';
import { checkConfig, type Label } from './config-checks';
import type { PackConfig, PackRating, RulesConfig, Table } from './config-types';
import { DEFAULT_PACK_LABEL, PACKS_LABEL, packColumnLabel } from './pack-columns';

export type { PackConfig, PackRating, RelayMode, RulesConfig, ShareMode, SocSource, Table } from './config-types';

const PACK_RATINGS: PackRating[] = ['capacityAh', 'maxChargeA', 'maxDischargeA'];

const t = (x: number[], y: number[]): Table => ({ x, y });

/** LiFePO4, 16S. */
export const DEFAULTS: RulesConfig = {
  bankName: 'bank',
  chemistry: 'lifepo4',
  cellsSeries: 16,
  packs: [],
  defaultPack: { capacityAh: 100, maxChargeA: 50, maxDischargeA: 50 },
  systemMaxChargeA: 1000,
  systemMaxDischargeA: 1000,
  cellValidMin: 2.0,
  cellValidMax: 4.0,
  tempValidMin: -30,
  tempValidMax: 90,
  vCellAbsorb: 3.45,
  vCellFloat: 3.375,
  vCellRebulk: 3.3,
  vCellBalance: 3.5,
  cellHighCut: 3.58,
  cellHighRelease: 3.4,
  cellHighReleaseSec: 60,
  cellLowCut: 2.9,
  cellLowRelease: 3.1,
  cellLowReleaseSec: 300,
  forceChargeCell: 3.0,
  forceChargeClearCell: 3.2,
  forceChargeClearSoc: 15,
  dvlCell: 3.0,
  voltageDropV: 0,
  absorbEntryTolV: 0.05,
  absorbEntrySec: 30,
  cvlLsbV: 0.1,
  ovpDeadband: 0.01,
  kp: 1.0,
  ki: 0.2,
  ovpRecoverHoldSec: 60,
  recoverRate: 0.0005,
  balancedDiff: 0.01,
  restartDiff: 0.013,
  absorbHoldSec: 900,
  tailC: 0.02,
  tailHoldSec: 120,
  tailMaxSpread: 0.03,
  absorbMaxSec: 3600,
  absorbClockBandV: 0.3,
  absorbExitDropV: 1.0,
  absorbExitSec: 600,
  rampDownVPerCellS: 0.0001,
  minFloatSec: 1800,
  rebulkCellSec: 300,
  rebulkSoc: 80,
  rebulkSocSec: 60,
  fullChargeEveryDays: 7,
  rebulkSpread: 0.08,
  rebulkSpreadMinCell: 3.35,
  balanceEveryDays: 14,
  balanceDoneDiff: 0.01,
  balanceDoneSec: 600,
  balanceMaxSec: 7200,
  resumeMaxAgeSec: 6 * 3600,
  floatCcl: Infinity,
  cellChargeTable: t([3.55, 3.5, 3.45, 3.4, 3.35], [0, 0.05, 0.15, 0.5, 1]),
  cellDischargeTable: t([2.9, 2.95, 3.0, 3.1, 3.2], [0, 0.05, 0.2, 0.5, 1]),
  tempChargeTable: t([0, 2, 5, 10, 40, 45, 50, 55], [0, 0.25, 0.5, 1, 1, 0.5, 0.25, 0]),
  tempDischargeTable: t([-10, 0, 5, 10, 40, 45, 50, 55], [0, 0.25, 0.5, 1, 1, 0.5, 0.25, 0]),
  mosTable: t([70, 80, 90], [1, 0.25, 0]),
  socTaperEnabled: false,
  socChargeTable: t([98, 95, 90, 85], [0.1, 0.2, 0.5, 1]),
  shareMode: 'capacity',
  shareMargin: 0.9,
  ccFloorC: 0.02,
  ccFloorMinA: 2,
  shareFeedbackSec: 10,
  incHoldSec: 30,
  incRateMinA: 1,
  incRateFrac: 0.02,
  restartMinA: 2,
  restartMinFrac: 0.02,
  publishDeadbandA: 0.5,
  publishDeadbandFrac: 0.02,
  staleSec: 10,
  offlineSec: 30,
  frozenSec: 60,
  maxClockSkewSec: 5,
  offBusV: 0.5,
  offBusSec: 10,
  minPacksOnline: 1,
  initTimeoutSec: 30,
  extStaleSec: 10,
  blindGraceSec: 120,
  blindCellMax: 3.38,
  blindCellMin: 3.2,
  blindFrac: 0.25,
  blindCapCvl: true,
  failsafeDcl: 0,
  recoverHoldSec: 30,
  stopCanAfterSec: 60,
  packOfflineAlarmSec: 300,
  tChargeMin: 0,
  tChargeMax: 55,
  tChargeMinRelease: 3,
  tChargeMaxRelease: 50,
  tDisMin: -10,
  tDisMax: 60,
  tDisMinRelease: -7,
  tDisMaxRelease: 55,
  tempReleaseSec: 120,
  socSource: 'weighted',
  socTrusted: false,
  sendSoc98UntilFull: true,
  batteryTemperature: 'average',
  cellWarnHigh: 3.55,
  cellAlarmHigh: 3.6,
  cellWarnLow: 3.0,
  cellAlarmLow: 2.9,
  spreadWarn: 0.05,
  spreadAlarm: 0.1,
  spreadMinCell: 3.35,
  mosWarn: 80,
  mosAlarm: 90,
  overCurrentFactor: 1.1,
  overCurrentSec: 10,
  // a Victron GX passes a new limit on within about 3 s; frames go out every 1 s and the rules step every 1 s
  inverterReactionSec: 5,
  currentMismatchSec: 60,
  chargeRelayMode: 'limits',
  loadRelayMode: 'limits',
  relayMinOffSec: 30,
  alarmRelayMinOnSec: 30,
  relayVMin: 2.9,
  relayVBalance: 3.4,
  relayVMax: 3.7,
  relayTMin: 0,
  relayTMax: 55,
  chargeRestartSoc: 90,
  dischargeRestartSoc: 20,
  genStartSoc: 20,
  genStartCell: 3.05,
  genStartSec: 60,
  genStopSoc: 80,
  genMinRunSec: 1800,
};

/**
 * Chemistry presets: cell-level values only (the cell count stays the user's). The 123\SmartBMS gen3
 * recommended V-min / V-balance / V-max (seed 004) drive the relay thresholds; charge targets and cuts are
 * placed between them with the same margins the LiFePO4 defaults keep below the BMS over-voltage protection.
 */
export const CHEMISTRY_PRESETS: Record<Chemistry, Partial<RulesConfig>> = {
  lifepo4: {
    chemistry: 'lifepo4',
    cellValidMin: DEFAULTS.cellValidMin,
    cellValidMax: DEFAULTS.cellValidMax,
    vCellAbsorb: 3.45,
    vCellFloat: 3.375,
    vCellRebulk: 3.3,
    vCellBalance: 3.5,
    cellHighCut: 3.58,
    cellHighRelease: 3.4,
    cellLowCut: 2.9,
    cellLowRelease: 3.1,
    forceChargeCell: 3.0,
    forceChargeClearCell: 3.2,
    dvlCell: 3.0,
    cellWarnHigh: 3.55,
    cellAlarmHigh: 3.6,
    cellWarnLow: 3.0,
    cellAlarmLow: 2.9,
    blindCellMax: 3.38,
    blindCellMin: 3.2,
    spreadMinCell: 3.35,
    rebulkSpreadMinCell: 3.35,
    genStartCell: 3.05,
    cellChargeTable: DEFAULTS.cellChargeTable,
    cellDischargeTable: DEFAULTS.cellDischargeTable,
    relayVMin: 2.9,
    relayVBalance: 3.4,
    relayVMax: 3.7,
  },
  lto: {
    chemistry: 'lto',
    cellValidMin: 1.5,
    cellValidMax: 3.0,
    vCellAbsorb: 2.55,
    vCellFloat: 2.45,
    vCellRebulk: 2.35,
    vCellBalance: 2.6,
    cellHighCut: 2.65,
    cellHighRelease: 2.45,
    cellLowCut: 2.15,
    cellLowRelease: 2.3,
    forceChargeCell: 2.2,
    forceChargeClearCell: 2.35,
    dvlCell: 2.2,
    cellWarnHigh: 2.62,
    cellAlarmHigh: 2.68,
    cellWarnLow: 2.2,
    cellAlarmLow: 2.15,
    blindCellMax: 2.45,
    blindCellMin: 2.3,
    spreadMinCell: 2.4,
    rebulkSpreadMinCell: 2.4,
    genStartCell: 2.25,
    cellChargeTable: t([2.62, 2.58, 2.55, 2.5, 2.45], [0, 0.05, 0.15, 0.5, 1]),
    cellDischargeTable: t([2.15, 2.18, 2.2, 2.25, 2.3], [0, 0.05, 0.2, 0.5, 1]),
    relayVMin: 2.15,
    relayVBalance: 2.6,
    relayVMax: 2.7,
  },
  nmc: {
    chemistry: 'nmc',
    cellValidMin: 2.5,
    cellValidMax: 4.4,
    vCellAbsorb: 4.0,
    vCellFloat: 3.95,
    vCellRebulk: 3.85,
    vCellBalance: 4.05,
    cellHighCut: 4.08,
    cellHighRelease: 3.95,
    cellLowCut: 3.43,
    cellLowRelease: 3.55,
    forceChargeCell: 3.45,
    forceChargeClearCell: 3.6,
    dvlCell: 3.45,
    cellWarnHigh: 4.06,
    cellAlarmHigh: 4.1,
    cellWarnLow: 3.48,
    cellAlarmLow: 3.43,
    blindCellMax: 3.95,
    blindCellMin: 3.6,
    spreadMinCell: 3.9,
    rebulkSpreadMinCell: 3.9,
    genStartCell: 3.5,
    cellChargeTable: t([4.07, 4.05, 4.0, 3.95, 3.9], [0, 0.05, 0.15, 0.5, 1]),
    cellDischargeTable: t([3.43, 3.46, 3.5, 3.55, 3.6], [0, 0.05, 0.2, 0.5, 1]),
    relayVMin: 3.43,
    relayVBalance: 4.0,
    relayVMax: 4.1,
  },
  'li-ion': {
    chemistry: 'li-ion',
    cellValidMin: 2.5,
    cellValidMax: 4.4,
    vCellAbsorb: 4.05,
    vCellFloat: 4.0,
    vCellRebulk: 3.9,
    vCellBalance: 4.1,
    cellHighCut: 4.13,
    cellHighRelease: 4.0,
    cellLowCut: 3.43,
    cellLowRelease: 3.55,
    forceChargeCell: 3.45,
    forceChargeClearCell: 3.6,
    dvlCell: 3.45,
    cellWarnHigh: 4.11,
    cellAlarmHigh: 4.15,
    cellWarnLow: 3.48,
    cellAlarmLow: 3.43,
    blindCellMax: 4.0,
    blindCellMin: 3.6,
    spreadMinCell: 3.95,
    rebulkSpreadMinCell: 3.95,
    genStartCell: 3.5,
    cellChargeTable: t([4.12, 4.1, 4.05, 4.0, 3.95], [0, 0.05, 0.15, 0.5, 1]),
    cellDischargeTable: t([3.43, 3.46, 3.5, 3.55, 3.6], [0, 0.05, 0.2, 0.5, 1]),
    relayVMin: 3.43,
    relayVBalance: 4.1,
    relayVMax: 4.15,
  },
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkTable(name: string, v: unknown): string | undefined {
  if (!isObj(v) || !Array.isArray(v.x) || !Array.isArray(v.y)) return `${name} must be {x: number[], y: number[]}`;
  if (v.x.length < 1 || v.x.length !== v.y.length) return `${name}: x and y must have the same, non-zero length`;
  if (![...v.x, ...v.y].every((n) => typeof n === 'number' && Number.isFinite(n)))
    return `${name}: finite numbers only`;
  const x = v.x as number[];
  const up = x.every((n, i) => i === 0 || n > x[i - 1]);
  const down = x.every((n, i) => i === 0 || n < x[i - 1]);
  if (!up && !down) return `${name}: x must be strictly monotone`;
  if (!(v.y as number[]).every((n) => n >= 0 && n <= 1)) return `${name}: y are fractions 0..1`;
  return undefined;
}

const MAY_BE_NEGATIVE = new Set([
  'tempValidMin',
  'tChargeMin',
  'tChargeMinRelease',
  'tDisMin',
  'tDisMinRelease',
  'relayTMin',
  'voltageDropV',
]);

/** Parameters that scale a limit down: above 1 they would raise it (a BLIND fraction of 3 triples the last limits). */
const FRACTIONS = new Set(['shareMargin', 'restartMinFrac', 'publishDeadbandFrac', 'blindFrac']);

const ENUMS: Partial<Record<keyof RulesConfig, readonly string[]>> = {
  chemistry: CHEMISTRIES,
  chargeRelayMode: ['limits', 'normal', 'critical'],
  loadRelayMode: ['limits', 'normal', 'critical'],
  shareMode: ['capacity', 'count'],
  socSource: ['weighted', 'own', 'min'],
};

/**
 * Builds a full configuration: defaults ← chemistry preset ← user values, then refuses contradicting
 * settings (config-checks.ts), naming them through `label` (code names unless the caller has labels).
 */
export function resolveConfig(user: unknown, label?: Label): Result<RulesConfig> {
  const merged = mergeConfig(user);
  if (!merged.ok) return merged;
  const reasons = checkConfig(merged.value, label);
  return reasons.length === 0 ? merged : { ok: false, reason: reasons.join('; ') };
}

/**
 * Defaults ← chemistry preset ← user values, each value checked alone. Unknown keys are rejected
 * (a typo must not silently fall back to a default), and every number must be finite where it matters.
 */
export function mergeConfig(user: unknown): Result<RulesConfig> {
  if (user === undefined || user === null) user = {};
  if (!isObj(user)) return { ok: false, reason: 'rules configuration must be an object' };
  for (const k of Object.keys(user)) {
    if (!(k in DEFAULTS)) return { ok: false, reason: `unknown parameter "${k}"` };
  }
  const chem = (user.chemistry ?? DEFAULTS.chemistry) as Chemistry;
  if (!ENUMS.chemistry!.includes(chem))
    return { ok: false, reason: `chemistry must be one of ${ENUMS.chemistry!.join(', ')}` };
  const cfg = { ...DEFAULTS, ...CHEMISTRY_PRESETS[chem], ...user } as RulesConfig;
  for (const [k, v] of Object.entries(cfg)) {
    const d = (DEFAULTS as unknown as Record<string, unknown>)[k];
    const allowed = ENUMS[k as keyof RulesConfig];
    if (k === 'batteryTemperature') {
      const reason = checkBatteryTemperature(v);
      if (reason) return { ok: false, reason };
    } else if (allowed) {
      if (!allowed.includes(v as string)) return { ok: false, reason: `${k} must be one of ${allowed.join(', ')}` };
    } else if (typeof d === 'number') {
      // floatCcl may be Infinity ("no cap"), everything else finite
      if (typeof v !== 'number' || Number.isNaN(v) || (!Number.isFinite(v) && k !== 'floatCcl')) {
        return { ok: false, reason: `${k} must be a finite number` };
      }
      if (v < 0 && !MAY_BE_NEGATIVE.has(k)) return { ok: false, reason: `${k} must not be negative` };
      if (v > 1 && FRACTIONS.has(k)) return { ok: false, reason: `${k} is a fraction: 0 to 1` };
    } else if (typeof d === 'boolean' && typeof v !== 'boolean') {
      return { ok: false, reason: `${k} must be true or false` };
    } else if (typeof d === 'string' && typeof v !== 'string') {
      return { ok: false, reason: `${k} must be a string` };
    } else if (isObj(d) && 'x' in d) {
      const r = checkTable(k, v);
      if (r) return { ok: false, reason: r };
    }
  }
  if (!Number.isInteger(cfg.cellsSeries) || cfg.cellsSeries < 1 || cfg.cellsSeries > 64) {
    return { ok: false, reason: 'cellsSeries must be an integer 1..64' };
  }
  const packs = checkPacks(cfg.packs, 'packs');
  if (typeof packs === 'string') return { ok: false, reason: packs };
  const dp = checkPacks([{ id: 'default', ...(cfg.defaultPack as object) }], 'defaultPack');
  if (typeof dp === 'string') return { ok: false, reason: dp };
  if (cfg.minPacksOnline < 1) return { ok: false, reason: 'minPacksOnline must be at least 1' };
  if (cfg.cvlLsbV <= 0) return { ok: false, reason: 'cvlLsbV must be positive' };
  return { ok: true, value: { ...cfg, packs: packs.map((p) => withDefaultRatings(p, cfg.defaultPack)) } };
}

/**
 * Checks the packs table (`name` 'packs') or the unconfigured-pack values ('defaultPack'). Reasons name the
 * row as people count it and the field by its column label ("Pack 2: Capacity (Ah) must be …").
 */
function checkPacks(v: unknown, name: 'packs' | 'defaultPack'): PackConfig[] | string {
  if (!Array.isArray(v)) return `${PACKS_LABEL} must be a list of packs`;
  const ids: string[] = [];
  for (const [i, p] of v.entries()) {
    const where = name === 'packs' ? `Pack ${i + 1}` : DEFAULT_PACK_LABEL;
    if (!isObj(p)) return `${where}: must be a row with a ${packColumnLabel('id')} and ratings`;
    const idReason = name === 'packs' ? packIdReason(p.id, ids) : undefined;
    if (idReason) return `${where}: ${idReason}`;
    ids.push(p.id as string);
    for (const k of PACK_RATINGS) {
      const n = p[k];
      // left out: taken from the pack's BMS settings once it reports them (defaultPack until then)
      if (n === undefined && name === 'packs') continue;
      if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) {
        const orEmpty = name === 'packs' ? ', or empty to take it from the BMS' : '';
        return `${where}: ${packColumnLabel(k)} must be a positive number${orEmpty}`;
      }
    }
  }
  return v as PackConfig[];
}

/** Why a packs-table id is refused (empty, too long, not printable, already used), in people's words. */
function packIdReason(id: unknown, earlier: string[]): string | undefined {
  const label = `the ${packColumnLabel('id')}`;
  if (typeof id !== 'string' || id.trim() === '') return `${label} must not be empty`;
  // checkPackId's reasons read "id must be …"
  const reason = checkPackId(id);
  if (reason) return `${label}${reason.replace(/^id/, '')}`;
  const first = earlier.indexOf(id);
  return first >= 0 ? `${label} "${id}" is already used by pack ${first + 1}` : undefined;
}

/** A packs-table entry with its left-out ratings filled from defaultPack and listed in `unset`. */
function withDefaultRatings(pack: PackConfig, defaults: Omit<PackConfig, 'id'>): PackConfig {
  const unset = PACK_RATINGS.filter((k) => pack[k] === undefined);
  if (unset.length === 0) return pack;
  const filled = { ...pack, unset };
  for (const k of unset) filled[k] = defaults[k];
  return filled;
}

/** Linear interpolation in a table, clamped at the ends. */
export function interp(table: Table, x: number): number {
  const { x: xs, y: ys } = table;
  const asc = xs.length < 2 || xs[1] > xs[0];
  const X = asc ? xs : [...xs].reverse();
  const Y = asc ? ys : [...ys].reverse();
  if (x <= X[0]) return Y[0];
  if (x >= X[X.length - 1]) return Y[Y.length - 1];
  for (let i = 1; i < X.length; i++) {
    if (x <= X[i]) return Y[i - 1] + ((Y[i] - Y[i - 1]) * (x - X[i - 1])) / (X[i] - X[i - 1]);
  }
  return Y[Y.length - 1];
}
