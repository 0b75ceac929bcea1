/**
 * The types of a bms-rules configuration (docs/rules.md#parameters): the parameters with their meaning,
 * apart from the defaults, presets and resolution in config.ts, so the pure checks of a configuration
 * (config-checks.ts) can read them without importing what imports them.
 */
import type { Chemistry } from '../../core/chemistry';
import type { BatteryTemperature } from './battery-temperature';
/** A piecewise-linear table: y at x, clamped at both ends (x may be given in any monotone order). */
export interface Table {
  x: number[];
  y: number[];
}

export interface PackConfig {
  id: string;
  capacityAh: number;
  maxChargeA: number;
  maxDischargeA: number;
  /** Ratings the packs table left out: the defaultPack value until the BMS reports its own. */
  unset?: PackRating[];
}

export type PackRating = 'capacityAh' | 'maxChargeA' | 'maxDischargeA';

/** charge/load relay behaviour: `limits` = CCL > 0 / DCL > 0; `normal`/`critical` = 123\SmartBMS tables (docs/rules.md#relays). */
export type RelayMode = 'limits' | 'normal' | 'critical';
export type ShareMode = 'capacity' | 'count';
export type SocSource = 'weighted' | 'own' | 'min';

export interface RulesConfig {
  bankName: string;
  chemistry: Chemistry;
  cellsSeries: number;
  packs: PackConfig[];
  /** used for packs that send data without being configured (accepted and flagged) */
  defaultPack: Omit<PackConfig, 'id'>;
  systemMaxChargeA: number;
  systemMaxDischargeA: number;

  // plausibility (docs/rules.md#pack-health)
  cellValidMin: number;
  cellValidMax: number;
  tempValidMin: number;
  tempValidMax: number;

  // voltages (per cell)
  vCellAbsorb: number;
  vCellFloat: number;
  vCellRebulk: number;
  vCellBalance: number;
  cellHighCut: number;
  cellHighRelease: number;
  cellHighReleaseSec: number;
  cellLowCut: number;
  cellLowRelease: number;
  cellLowReleaseSec: number;
  forceChargeCell: number;
  forceChargeClearCell: number;
  forceChargeClearSoc: number;
  dvlCell: number;
  voltageDropV: number;
  absorbEntryTolV: number;
  absorbEntrySec: number;
  cvlLsbV: number;

  // CVL controller
  ovpDeadband: number;
  kp: number;
  ki: number;
  ovpRecoverHoldSec: number;
  recoverRate: number;

  // charge states
  balancedDiff: number;
  restartDiff: number;
  absorbHoldSec: number;
  tailC: number;
  tailHoldSec: number;
  tailMaxSpread: number;
  absorbMaxSec: number;
  absorbClockBandV: number;
  absorbExitDropV: number;
  absorbExitSec: number;
  rampDownVPerCellS: number;
  minFloatSec: number;
  rebulkCellSec: number;
  rebulkSoc: number;
  rebulkSocSec: number;
  fullChargeEveryDays: number;
  rebulkSpread: number;
  rebulkSpreadMinCell: number;
  balanceEveryDays: number;
  balanceDoneDiff: number;
  balanceDoneSec: number;
  balanceMaxSec: number;
  resumeMaxAgeSec: number;
  floatCcl: number;

  // currents
  cellChargeTable: Table;
  cellDischargeTable: Table;
  tempChargeTable: Table;
  tempDischargeTable: Table;
  mosTable: Table;
  socTaperEnabled: boolean;
  socChargeTable: Table;
  shareMode: ShareMode;
  shareMargin: number;
  ccFloorC: number;
  ccFloorMinA: number;
  shareFeedbackSec: number;

  // shaping (docs/rules.md#shaping)
  incHoldSec: number;
  incRateMinA: number;
  incRateFrac: number;
  restartMinA: number;
  restartMinFrac: number;
  publishDeadbandA: number;
  publishDeadbandFrac: number;

  // health (docs/rules.md#pack-health)
  staleSec: number;
  offlineSec: number;
  frozenSec: number;
  /** a PackState `time` further ahead of ours than this is invalid (the pack's clock is wrong) */
  maxClockSkewSec: number;
  offBusV: number;
  offBusSec: number;
  minPacksOnline: number;
  initTimeoutSec: number;
  extStaleSec: number;

  // fail-safe (docs/rules.md#modes)
  blindGraceSec: number;
  blindCellMax: number;
  blindCellMin: number;
  blindFrac: number;
  blindCapCvl: boolean;
  failsafeDcl: number;
  recoverHoldSec: number;
  stopCanAfterSec: number;
  packOfflineAlarmSec: number;

  // temperature latches
  tChargeMin: number;
  tChargeMax: number;
  tChargeMinRelease: number;
  tChargeMaxRelease: number;
  tDisMin: number;
  tDisMax: number;
  tDisMinRelease: number;
  tDisMaxRelease: number;
  tempReleaseSec: number;

  // SoC
  socSource: SocSource;
  socTrusted: boolean;
  sendSoc98UntilFull: boolean;
  /** the temperature the inverter receives as the battery's (BankState temperature.avg) */
  batteryTemperature: BatteryTemperature;

  // alarms
  cellWarnHigh: number;
  cellAlarmHigh: number;
  cellWarnLow: number;
  cellAlarmLow: number;
  spreadWarn: number;
  spreadAlarm: number;
  spreadMinCell: number;
  mosWarn: number;
  mosAlarm: number;
  overCurrentFactor: number;
  overCurrentSec: number;
  /**
   * how long an inverter may still follow a limit after we lowered it: a current is judged against the
   * highest limit sent within this time before it was measured
   */
  inverterReactionSec: number;
  currentMismatchSec: number;

  // relays (docs/rules.md#relays)
  chargeRelayMode: RelayMode;
  loadRelayMode: RelayMode;
  relayMinOffSec: number;
  alarmRelayMinOnSec: number;
  relayVMin: number;
  relayVBalance: number;
  relayVMax: number;
  relayTMin: number;
  relayTMax: number;
  chargeRestartSoc: number;
  dischargeRestartSoc: number;
  genStartSoc: number;
  genStartCell: number;
  genStartSec: number;
  genStopSoc: number;
  genMinRunSec: number;
}
