/**
 * The one description of every bms-rules setting as people see it: a label with its unit, a tooltip, the
 * dialog group and the kind of input. The editor form and the Parameters part of the help are generated
 * from it at build time (scripts/build-bms-rules-editor.js); the runtime's reasons name settings by their
 * label (`labelOf`). Pure data: nothing from Node-RED.
 */
import { CHEMISTRIES } from '../../core/chemistry';
import { DEFAULTS, type RulesConfig } from './config';
import { DEFAULT_PACK_LABEL, PACKS_LABEL } from './pack-columns';

export { PACK_COLUMNS } from './pack-columns';

/** The dialog's sections in display order; everything but `basic` is collapsed until opened. */
export const SCHEMA_GROUPS = [
  { id: 'basic', label: 'Basic' },
  { id: 'voltages', label: 'Voltages' },
  { id: 'charge', label: 'Charge states' },
  { id: 'currents', label: 'Current tables and sharing' },
  { id: 'health', label: 'Pack health and fail-safe' },
  { id: 'temperatures', label: 'Temperatures' },
  { id: 'alarms', label: 'Alarms' },
  { id: 'relays', label: 'Relays and generator' },
  { id: 'telemetry', label: 'Bank name and telemetry' },
] as const;
export type SchemaGroup = (typeof SCHEMA_GROUPS)[number]['id'];

/**
 * How a setting is entered: a number, a whole number, a yes/no switch, one of a few words, a table
 * (JSON {x, y}), a pack's values (capacity and currents), free text, or the packs table.
 */
export type InputKind = 'number' | 'integer' | 'switch' | 'choice' | 'table' | 'pack' | 'text' | 'packs';

/**
 * Where the value is kept in a saved flow: `node` = a property of the node itself (name, bankName,
 * packs, telemetry settings), `rules` = a key of the node's `rules` JSON object of parameter overrides.
 */
export type Storage = 'node' | 'rules';

export interface SettingSchema {
  /** the property or parameter name in saved flows and in `rules` (never shown in the dialog) */
  name: string;
  /** what people read, with the unit, e.g. "Cell high cut (V per cell)" */
  label: string;
  unit: string;
  tooltip: string;
  group: SchemaGroup;
  input: InputKind;
  storage: Storage;
  /** the value × cells in series is a bank voltage, shown next to the field */
  bankVoltage?: boolean;
  /** the allowed values and their labels, for `choice` */
  choices?: ReadonlyArray<{ value: string; label: string }>;
}

type Row = [name: string, label: string, unit: string, tooltip: string, input?: InputKind];

const RELAY_MODES = [
  { value: 'limits', label: 'Follow the limits' },
  { value: 'normal', label: 'Normal (123\\SmartBMS)' },
  { value: 'critical', label: 'Critical (123\\SmartBMS)' },
];
const CHOICES: Record<string, SettingSchema['choices']> = {
  chemistry: CHEMISTRIES.map((value) => ({
    value,
    label: { lifepo4: 'LiFePO4', lto: 'LTO', nmc: 'NMC', 'li-ion': 'Li-ion' }[value],
  })),
  chargeRelayMode: RELAY_MODES,
  loadRelayMode: RELAY_MODES,
  shareMode: [
    { value: 'capacity', label: 'By capacity' },
    { value: 'count', label: 'Equally per pack' },
  ],
  socSource: [
    { value: 'weighted', label: 'Capacity-weighted BMS SoC' },
    { value: 'own', label: 'Own coulomb count' },
    { value: 'min', label: 'Lowest pack SoC' },
  ],
  batteryTemperature: [
    { value: 'max', label: 'Warmest sensor of the bank' },
    { value: 'average', label: 'Average of the bank' },
    { value: 'min', label: 'Coldest sensor of the bank' },
  ],
};

/** Settings the node keeps as its own properties rather than in `rules`. */
const NODE_PROPERTIES = new Set(['name', 'bankName', 'packs', 'telemetry', 'topicPrefix', 'discoveryPrefix']);
/** Per-cell voltages whose bank value (× cells in series) the dialog shows next to the field. */
const BANK_VOLTAGES = new Set([
  'vCellAbsorb',
  'vCellFloat',
  'vCellRebulk',
  'vCellBalance',
  'dvlCell',
  'cellHighCut',
  'cellHighRelease',
  'cellLowCut',
  'cellLowRelease',
]);

const ROWS: Record<SchemaGroup, Row[]> = {
  basic: [
    ['name', 'Name', '', 'The node name shown in the flow.', 'text'],
    [
      'chemistry',
      'Chemistry preset',
      '',
      'Sets every cell-level value; values you enter win over the preset.',
      'choice',
    ],
    [
      'cellsSeries',
      'Cells in series',
      'per pack',
      'Cells in series in each pack; per-cell voltages are multiplied by it.',
      'integer',
    ],
    [
      'packs',
      PACKS_LABEL,
      '',
      'One row per pack: the id its BMS node reports, capacity and maximum currents; an empty value comes from the BMS settings.',
      'packs',
    ],
    [
      'systemMaxChargeA',
      'System max charge current',
      'A',
      'Upper bound of the bank charge limit (inverter or charger rating).',
    ],
    ['systemMaxDischargeA', 'System max discharge current', 'A', 'Upper bound of the bank discharge limit.'],
    [
      'chargeRelayMode',
      'Charge relay mode',
      '',
      'When the charge relay output is on: while charging is allowed, or by the 123\\SmartBMS tables.',
      'choice',
    ],
    [
      'loadRelayMode',
      'Load relay mode',
      '',
      'When the load relay output is on: while discharging is allowed, or by the 123\\SmartBMS tables.',
      'choice',
    ],
  ],
  voltages: [
    [
      'vCellAbsorb',
      'Absorb voltage',
      'V per cell',
      'Charge target in bulk and absorb: charge voltage limit = cells × this.',
    ],
    [
      'vCellFloat',
      'Float voltage',
      'V per cell',
      'Charge voltage in float; also the cap while degraded, blind, in fail-safe or latched.',
    ],
    [
      'vCellRebulk',
      'Rebulk voltage',
      'V per cell',
      'Back to bulk when the highest cell stays at or below this in float; the lowest target the cell controller may set.',
    ],
    ['vCellBalance', 'Balance voltage', 'V per cell', 'Target of the periodic balance charge.'],
    [
      'cellHighCut',
      'Cell high cut',
      'V per cell',
      'A cell at this voltage stops charging at once (over-voltage latch).',
    ],
    [
      'cellHighRelease',
      'Cell high release',
      'V per cell',
      'The over-voltage latch clears when every cell is at or below this for the release time.',
    ],
    [
      'cellHighReleaseSec',
      'Cell high release time',
      's',
      'How long every cell must stay at or below the release voltage.',
    ],
    [
      'cellLowCut',
      'Cell low cut',
      'V per cell',
      'A cell at this voltage stops discharging at once and requests a force charge.',
    ],
    [
      'cellLowRelease',
      'Cell low release',
      'V per cell',
      'The under-voltage latch clears when every cell is at or above this for the release time.',
    ],
    [
      'cellLowReleaseSec',
      'Cell low release time',
      's',
      'How long every cell must stay at or above the release voltage.',
    ],
    [
      'forceChargeCell',
      'Force charge below',
      'V per cell',
      'A cell at or below this asks the inverter to charge the bank.',
    ],
    [
      'forceChargeClearCell',
      'Force charge ends at',
      'V per cell',
      'The force-charge request ends when every cell reaches this.',
    ],
    [
      'forceChargeClearSoc',
      'Force charge ends at SoC',
      '%',
      'The force-charge request also ends at this state of charge.',
    ],
    [
      'dvlCell',
      'Discharge voltage limit',
      'V per cell',
      'Discharge voltage limit sent to the inverter = cells × this.',
    ],
    [
      'voltageDropV',
      'Cable voltage drop',
      'V',
      'Added to the charge voltage sent, for the drop between inverter and battery.',
    ],
    [
      'absorbEntryTolV',
      'Absorb entry tolerance',
      'V',
      'Bulk turns to absorb when the bank is within this of the charge voltage for the absorb entry time.',
    ],
    [
      'absorbEntrySec',
      'Absorb entry time',
      's',
      'How long the bank stays at the charge voltage (or the highest cell at the absorb voltage) before absorb.',
    ],
    ['cvlLsbV', 'Inverter voltage resolution', 'V', 'Resolution of the charge voltage in the inverter protocol.'],
    [
      'ovpDeadband',
      'Cell controller dead band',
      'V',
      'The cell controller acts when the highest cell passes its target by this much.',
    ],
    ['kp', 'Cell controller proportional gain', 'V per V', 'Bank volts removed per cell volt above the target.'],
    ['ki', 'Cell controller integral gain', 'per s', 'Integral gain of the cell controller.'],
    [
      'ovpRecoverHoldSec',
      'Cell controller hold',
      's',
      'After the cell controller lowered the charge voltage, wait this long before raising it.',
    ],
    ['recoverRate', 'Charge voltage rise rate', 'V per cell per s', 'Slew rate of any charge voltage increase.'],
  ],
  charge: [
    [
      'balancedDiff',
      'Balanced spread',
      'V',
      'Absorb ends after the absorb hold time with the largest pack spread at or below this.',
    ],
    ['restartDiff', 'Balance clock restart spread', 'V', 'The balanced clock restarts when the spread exceeds this.'],
    ['absorbHoldSec', 'Absorb hold time', 's', 'Time balanced in absorb before float.'],
    ['tailC', 'Tail current', 'C', 'Absorb also ends when the bank current is at or below this × online capacity …'],
    ['tailHoldSec', 'Tail current hold', 's', '… held this long …'],
    ['tailMaxSpread', 'Tail current max spread', 'V', '… with the cell spread at or below this.'],
    [
      'absorbMaxSec',
      'Absorb timeout',
      's',
      'Absorb ends after this long; a warning says when the bank is still unbalanced.',
    ],
    [
      'absorbClockBandV',
      'Absorb clock band',
      'V',
      'The absorb clock runs while the bank is within this of the charge voltage.',
    ],
    [
      'absorbExitDropV',
      'Absorb exit drop',
      'V',
      'Absorb returns to bulk when the bank stays this far below the charge voltage …',
    ],
    ['absorbExitSec', 'Absorb exit time', 's', '… for this long.'],
    [
      'rampDownVPerCellS',
      'Absorb to float ramp',
      'V per cell per s',
      'Speed at which the charge voltage falls from absorb to float.',
    ],
    ['minFloatSec', 'Minimum float time', 's', 'Time in float before any automatic rebulk.'],
    [
      'rebulkCellSec',
      'Rebulk by cell voltage hold',
      's',
      'How long the highest cell must stay at or below the rebulk voltage.',
    ],
    ['rebulkSoc', 'Rebulk at SoC', '%', 'Rebulk at this state of charge (only when the SoC is trusted).'],
    ['rebulkSocSec', 'Rebulk by SoC hold', 's', 'How long the SoC must stay at or below the rebulk SoC.'],
    ['fullChargeEveryDays', 'Full charge every', 'days', 'Rebulk when the last full charge is this old.'],
    [
      'rebulkSpread',
      'Rebulk at spread',
      'V',
      'Rebulk when a pack spread reaches this while the highest cell is high enough.',
    ],
    [
      'rebulkSpreadMinCell',
      'Rebulk spread counts above',
      'V per cell',
      'The spread counts for rebulk only while the highest cell is at least this.',
    ],
    ['balanceEveryDays', 'Balance charge every', 'days', 'Periodic balance charge to the balance voltage.'],
    ['balanceDoneDiff', 'Balance done spread', 'V', 'The balance charge ends with the spread at or below this …'],
    ['balanceDoneSec', 'Balance done hold', 's', '… held this long.'],
    ['balanceMaxSec', 'Balance timeout', 's', 'The balance charge ends after this long (retried after 24 h).'],
    [
      'resumeMaxAgeSec',
      'Resume saved state within',
      's',
      'After a restart the saved charge state resumes if younger than this.',
    ],
    ['socSource', 'Reported SoC', '', 'Which state of charge the bank reports.', 'choice'],
    ['socTrusted', 'Trust the SoC for rebulk', '', 'Allow rebulk by SoC (off: a BMS SoC drifts).', 'switch'],
    [
      'sendSoc98UntilFull',
      'Report at most 98 % until full',
      '',
      'Keeps the inverter charging until the first full charge.',
      'switch',
    ],
  ],
  currents: [
    ['floatCcl', 'Float charge current cap', 'A', 'Charge limit in float; empty = no cap.'],
    [
      'cellChargeTable',
      'Charge taper by highest cell',
      'V → fraction',
      'Fraction of the pack charge current by the highest cell voltage: x the cell voltages, y fractions 0 to 1.',
      'table',
    ],
    [
      'cellDischargeTable',
      'Discharge taper by lowest cell',
      'V → fraction',
      'Fraction of the pack discharge current by the lowest cell voltage: x the cell voltages, y fractions 0 to 1.',
      'table',
    ],
    [
      'tempChargeTable',
      'Charge taper by temperature',
      '°C → fraction',
      'Fraction of the charge current by pack temperature: x in °C, y fractions 0 to 1.',
      'table',
    ],
    [
      'tempDischargeTable',
      'Discharge taper by temperature',
      '°C → fraction',
      'Fraction of the discharge current by pack temperature: x in °C, y fractions 0 to 1.',
      'table',
    ],
    [
      'mosTable',
      'Taper by MOS temperature',
      '°C → fraction',
      'Fraction of both currents by the BMS switch (MOS) temperature: x in °C, y fractions 0 to 1.',
      'table',
    ],
    [
      'socTaperEnabled',
      'Taper charge by SoC',
      '',
      'Use the SoC charge taper (off: a drifting SoC must not cut the current).',
      'switch',
    ],
    [
      'socChargeTable',
      'Charge taper by SoC',
      '% → fraction',
      'Fraction of the charge current by state of charge: x in %, y fractions 0 to 1.',
      'table',
    ],
    ['shareMode', 'Current sharing', '', 'How the bank current splits over the packs.', 'choice'],
    ['shareMargin', 'Sharing margin', 'fraction', 'With two packs or more the bank limit is multiplied by this.'],
    [
      'ccFloorC',
      'Minimum charge current',
      'C',
      'In bulk and absorb a small charge limit is raised to this × online capacity …',
    ],
    [
      'ccFloorMinA',
      'Minimum charge current at least',
      'A',
      '… but at least this, so the charge voltage can still be reached.',
    ],
    [
      'shareFeedbackSec',
      'Sharing correction after',
      's',
      'A pack carrying more than 1.05 × its limit this long gets its share corrected.',
    ],
    [
      'incHoldSec',
      'Increase hold',
      's',
      'A limit rises only after its target stayed higher this long; decreases apply at once.',
    ],
    ['incRateMinA', 'Increase rate', 'A per s', 'Limits rise at least this fast …'],
    [
      'incRateFrac',
      'Increase rate fraction',
      'per s',
      '… or this fraction of the bank maximum per second, whichever is larger.',
    ],
    ['restartMinA', 'Restart current', 'A', 'A limit leaves 0 for at least this …'],
    [
      'restartMinFrac',
      'Restart current fraction',
      'fraction',
      '… or this fraction of the bank maximum, whichever is larger.',
    ],
    ['publishDeadbandA', 'Send dead band', 'A', 'Changes smaller than this …'],
    [
      'publishDeadbandFrac',
      'Send dead band fraction',
      'fraction',
      '… or this fraction of the value are not sent (a fall to 0 always is).',
    ],
  ],
  health: [
    [
      'defaultPack',
      DEFAULT_PACK_LABEL,
      'Ah, A, A',
      'Capacity and maximum currents used for a pack that sends data without being in the table.',
      'pack',
    ],
    [
      'cellValidMin',
      'Plausible cell voltage from',
      'V per cell',
      'A cell below this is an implausible sample (discarded and counted).',
    ],
    ['cellValidMax', 'Plausible cell voltage up to', 'V per cell', 'A cell above this is an implausible sample.'],
    [
      'staleSec',
      'Pack stale after',
      's',
      'Without a valid sample for this long a pack is stale: its values count, but no limit rises.',
    ],
    [
      'offlineSec',
      'Pack offline after',
      's',
      'Without a valid sample for this long a pack is offline and no longer counts.',
    ],
    [
      'frozenSec',
      'Frozen data after',
      's',
      'Data that does not change this long while the bank moves is frozen: the pack goes offline.',
    ],
    [
      'maxClockSkewSec',
      'Pack clock ahead at most',
      's',
      'A sample time further ahead of this node’s clock than this is invalid.',
    ],
    ['offBusV', 'Off the bus at', 'V', 'A pack this far from the median voltage (three packs or more) …'],
    ['offBusSec', 'Off the bus after', 's', '… this long is off the bus and goes offline.'],
    [
      'minPacksOnline',
      'Packs needed online',
      'packs',
      'Packs that must be OK for degraded operation; fewer is blind.',
      'integer',
    ],
    [
      'initTimeoutSec',
      'Start-up wait',
      's',
      'At start, wait at most this long for every pack before running with those that answered.',
    ],
    ['extStaleSec', 'External current valid for', 's', 'An external bank current older than this is ignored.'],
    ['blindGraceSec', 'Blind grace time', 's', 'Time without any pack data before fail-safe; 0 = fail-safe at once.'],
    [
      'blindCellMax',
      'Blind charging below',
      'V per cell',
      'While blind, charging continues only if every last highest cell was below this.',
    ],
    [
      'blindCellMin',
      'Blind discharging above',
      'V per cell',
      'While blind, discharging continues only if every last lowest cell was above this.',
    ],
    ['blindFrac', 'Blind current fraction', 'fraction', 'While blind, this fraction of the last limits.'],
    [
      'blindCapCvl',
      'Cap charge voltage at float while a pack is offline',
      '',
      'Keeps the charge voltage at float while any pack is offline.',
      'switch',
    ],
    ['failsafeDcl', 'Fail-safe discharge current', 'A', 'Discharge limit in fail-safe.'],
    [
      'recoverHoldSec',
      'Recovery hold',
      's',
      'With only some packs back they must be OK this long to leave blind or fail-safe.',
    ],
    [
      'stopCanAfterSec',
      'Silence inverter CAN after',
      's',
      'After this long in fail-safe the inverter CAN nodes go silent so the inverter’s own protection acts.',
    ],
  ],
  temperatures: [
    [
      'batteryTemperature',
      'Battery temperature for the inverter',
      '',
      'Which temperature the inverter receives: bank warmest, average, coldest or one pack’s sensor.',
      'choice',
    ],
    ['tempValidMin', 'Plausible temperature from', '°C', 'A temperature below this is an implausible sample.'],
    ['tempValidMax', 'Plausible temperature up to', '°C', 'A temperature above this is an implausible sample.'],
    ['tChargeMin', 'Charge stop cold', '°C', 'Charging stops at or below this temperature.'],
    ['tChargeMax', 'Charge stop hot', '°C', 'Charging stops at or above this temperature.'],
    ['tChargeMinRelease', 'Charge resume cold', '°C', 'Charging resumes when the coldest sensor is at least this …'],
    ['tChargeMaxRelease', 'Charge resume hot', '°C', '… and the warmest at most this, for the release time.'],
    ['tDisMin', 'Discharge stop cold', '°C', 'Discharging stops at or below this temperature.'],
    ['tDisMax', 'Discharge stop hot', '°C', 'Discharging stops at or above this temperature.'],
    ['tDisMinRelease', 'Discharge resume cold', '°C', 'Discharging resumes at or above this …'],
    ['tDisMaxRelease', 'Discharge resume hot', '°C', '… and at or below this, for the release time.'],
    [
      'tempReleaseSec',
      'Temperature release time',
      's',
      'How long temperatures must be back in range before a temperature stop clears.',
    ],
  ],
  alarms: [
    [
      'packOfflineAlarmSec',
      'Pack offline alarm after',
      's',
      'A pack offline this long raises its warning to an alarm.',
    ],
    ['cellWarnHigh', 'Cell high warning', 'V per cell', 'Cell over-voltage warning level.'],
    ['cellAlarmHigh', 'Cell high alarm', 'V per cell', 'Cell over-voltage alarm level.'],
    ['cellWarnLow', 'Cell low warning', 'V per cell', 'Cell under-voltage warning level.'],
    ['cellAlarmLow', 'Cell low alarm', 'V per cell', 'Cell under-voltage alarm level.'],
    ['spreadWarn', 'Imbalance warning', 'V', 'Cell imbalance warning level.'],
    ['spreadAlarm', 'Imbalance alarm', 'V', 'Cell imbalance alarm level.'],
    [
      'spreadMinCell',
      'Imbalance counts above',
      'V per cell',
      'Imbalance alarms count only while the highest cell is above this.',
    ],
    ['mosWarn', 'MOS temperature warning', '°C', 'BMS switch over-temperature warning level.'],
    ['mosAlarm', 'MOS temperature alarm', '°C', 'BMS switch over-temperature alarm level.'],
    [
      'overCurrentFactor',
      'Over-current factor',
      '× limit',
      'Over-current alarm when the bank current exceeds this × the limit sent …',
    ],
    ['overCurrentSec', 'Over-current time', 's', '… for this long.'],
    [
      'inverterReactionSec',
      'Inverter reaction time',
      's',
      'How long an inverter may still follow a limit after it was lowered.',
    ],
    [
      'currentMismatchSec',
      'Current mismatch after',
      's',
      'External current and the packs’ sum differing this long raise a communication warning.',
    ],
  ],
  relays: [
    ['relayMinOffSec', 'Relay minimum off time', 's', 'A relay that switched off stays off at least this long.'],
    ['alarmRelayMinOnSec', 'Alarm relay minimum on time', 's', 'The alarm relay stays on at least this long.'],
    ['relayVMin', 'Relay V-min', 'V per cell', 'V-min of the 123\\SmartBMS relay tables.'],
    ['relayVBalance', 'Relay V-balance', 'V per cell', 'V-balance of the 123\\SmartBMS relay tables.'],
    ['relayVMax', 'Relay V-max', 'V per cell', 'V-max of the 123\\SmartBMS relay tables.'],
    ['relayTMin', 'Relay T-min', '°C', 'T-min of the 123\\SmartBMS relay tables.'],
    ['relayTMax', 'Relay T-max', '°C', 'T-max of the 123\\SmartBMS relay tables.'],
    [
      'chargeRestartSoc',
      'Charge relay restart below SoC',
      '%',
      'Normal mode: the charge relay switches on again only below this SoC.',
    ],
    [
      'dischargeRestartSoc',
      'Load relay restart from SoC',
      '%',
      'Normal mode: the load relay switches on again only at or above this SoC.',
    ],
    ['genStartSoc', 'Generator start at SoC', '%', 'Generator relay on at or below this SoC …'],
    ['genStartCell', 'Generator start at cell', 'V per cell', '… or with a cell at or below this …'],
    ['genStartSec', 'Generator start delay', 's', '… held this long.'],
    ['genStopSoc', 'Generator stop at SoC', '%', 'Generator off at this SoC or in float …'],
    ['genMinRunSec', 'Generator minimum run', 's', '… after running at least this long.'],
  ],
  telemetry: [
    ['bankName', 'Bank name', '', 'Topic of the bank messages and part of every telemetry topic.', 'text'],
    [
      'telemetry',
      'Telemetry output (MQTT and Home Assistant discovery)',
      '',
      'Send every value on output 5 for an MQTT out node.',
      'switch',
    ],
    ['topicPrefix', 'Topic prefix', '', 'First part of every telemetry topic.', 'text'],
    [
      'discoveryPrefix',
      'Home Assistant discovery prefix',
      '',
      'Prefix of the Home Assistant discovery topics.',
      'text',
    ],
  ],
};

/** The input a parameter takes when its row does not say: from its default value. */
function inputOf(name: string): InputKind {
  const value = (DEFAULTS as unknown as Record<string, unknown>)[name];
  if (typeof value === 'boolean') return 'switch';
  if (typeof value === 'object' && value !== null) return 'table';
  return 'number';
}

/** Every setting of the bms-rules node, group by group in display order. */
export const SETTINGS_SCHEMA: readonly SettingSchema[] = SCHEMA_GROUPS.flatMap(({ id: group }) =>
  ROWS[group].map(([name, label, unit, tooltip, input]): SettingSchema => {
    const choices = CHOICES[name];
    return {
      name,
      label: unit ? `${label} (${unit})` : label,
      unit,
      tooltip,
      group,
      input: input ?? inputOf(name),
      storage: NODE_PROPERTIES.has(name) ? 'node' : 'rules',
      ...(BANK_VOLTAGES.has(name) ? { bankVoltage: true } : {}),
      ...(choices ? { choices } : {}),
    };
  }),
);

/** A setting's label as people read it ("Cell high cut (V per cell)"); the name itself when unknown. */
export function labelOf(name: keyof RulesConfig | string): string {
  return SETTINGS_SCHEMA.find((s) => s.name === name)?.label ?? name;
}
