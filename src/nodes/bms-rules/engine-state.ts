/**
 * The types of the bms-rules engine: its input, the state the caller owns between steps, and the bank
 * state each step returns.
 */
import type { BankState, PackState } from '../../core/pack-state';
import type { PackRating, RulesConfig } from './config';
import type { Aggregate, Counts } from './aggregate';
import type { PackStatus, PackTrack } from './health';
import type { Limited } from './limits';
import type { ChargeCtl, PersistedCharge } from './charge-state';
import type { ModeCtl } from './safety-mode';
import type { Shaper } from './shaping';
import type { AlarmCtl, SentLimits } from './alarms';
import type { RelayCtl } from './relays';

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

export interface Latch {
  on: boolean;
  clearSince?: number;
  setAt?: number;
}

/** The protection latches: set at once, cleared after a dwell; force charge follows the lowest cell. */
export interface Latches {
  cellHigh: Latch;
  cellLow: Latch;
  tempCharge: Latch;
  tempDis: Latch;
  forceCharge: boolean;
}

export interface EngineState {
  cfg: RulesConfig;
  tracks: PackTrack[];
  charge: ChargeCtl;
  mode: ModeCtl;
  latches: Latches;
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
  /** the ratings (capacityAh, maxChargeA, maxDischargeA) taken from the BMS's settings, when any */
  fromBms?: PackRating[];
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

/** Each counted pack's own limits, by pack id. */
export type PackLimitsById = Map<string, { ccl: Limited; dcl: Limited }>;

export interface StepResult {
  state: EngineState;
  bank: RulesBankState;
}
