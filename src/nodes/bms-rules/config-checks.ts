/**
 * Cross-field checks of a bms-rules configuration: settings that are each valid alone but contradict each
 * other (a cut inside the charge range, a resume temperature outside its stop, a taper table that gives
 * more current closer to the limit). The node refuses such a configuration and the editor shows the same
 * reasons (admin endpoint bms-rules/check-config). Pure: settings are named through `label`, the code
 * name by default (library callers) or the dialog's label (the node).
 */
import type { RulesConfig, Table } from './config-types';

/** How a reason names a setting. */
export type Label = (name: keyof RulesConfig) => string;

type NumberName = {
  [K in keyof RulesConfig]: RulesConfig[K] extends number ? K : never;
}[keyof RulesConfig];

/** Chains that must rise strictly from left to right (docs/rules.md#parameters). */
const ORDERED: ReadonlyArray<ReadonlyArray<NumberName>> = [
  ['cellValidMin', 'cellLowCut', 'cellLowRelease', 'vCellFloat'],
  ['vCellRebulk', 'vCellFloat', 'vCellAbsorb', 'cellHighCut', 'cellValidMax'],
  ['vCellBalance', 'cellHighCut'],
  ['cellLowRelease', 'cellHighRelease', 'cellHighCut'],
  ['forceChargeCell', 'forceChargeClearCell'],
  ['cellAlarmLow', 'cellWarnLow'],
  ['cellWarnHigh', 'cellAlarmHigh'],
  ['cellLowCut', 'blindCellMin', 'blindCellMax', 'cellHighCut'],
  ['relayVMin', 'relayVBalance', 'relayVMax'],
  ['tempValidMin', 'tChargeMin', 'tChargeMinRelease', 'tChargeMaxRelease', 'tChargeMax', 'tempValidMax'],
  ['tempValidMin', 'tDisMin', 'tDisMinRelease', 'tDisMaxRelease', 'tDisMax', 'tempValidMax'],
  ['relayTMin', 'relayTMax'],
  ['mosWarn', 'mosAlarm'],
  ['spreadWarn', 'spreadAlarm'],
  ['staleSec', 'offlineSec'],
  ['genStartSoc', 'genStopSoc'],
];

/** Pairs that may also be equal: the balance charge may aim at the absorb voltage. */
const AT_MOST: ReadonlyArray<readonly [NumberName, NumberName]> = [['vCellAbsorb', 'vCellBalance']];

/**
 * How each table's fraction must move as x rises: a charge taper gives less current at a higher cell
 * voltage, SoC or MOS temperature, a discharge taper less at a lower cell voltage; a temperature taper
 * rises to its plateau and falls after it.
 */
const TABLE_SHAPES: ReadonlyArray<readonly [keyof RulesConfig, 'falling' | 'rising' | 'peak']> = [
  ['cellChargeTable', 'falling'],
  ['cellDischargeTable', 'rising'],
  ['socChargeTable', 'falling'],
  ['mosTable', 'falling'],
  ['tempChargeTable', 'peak'],
  ['tempDischargeTable', 'peak'],
];

const SHAPE_WORDS = {
  falling: 'must not give more current at a higher value',
  rising: 'must not give more current at a lower value',
  peak: 'must rise to its plateau and fall after it, never rise again',
};

const show = (v: number): string => String(Math.round(v * 10000) / 10000);

function orderReasons(config: RulesConfig, label: Label): string[] {
  const reasons: string[] = [];
  const pairs: Array<[NumberName, NumberName, boolean]> = [
    ...ORDERED.flatMap((chain) =>
      chain.slice(1).map((upper, i): [NumberName, NumberName, boolean] => [chain[i], upper, false]),
    ),
    ...AT_MOST.map(([lower, upper]): [NumberName, NumberName, boolean] => [lower, upper, true]),
  ];
  for (const [lower, upper, orEqual] of pairs) {
    const a = config[lower];
    const b = config[upper];
    if (orEqual ? a <= b : a < b) continue;
    const words = orEqual ? 'must not be above' : 'must be below';
    reasons.push(`${label(lower)} ${words} ${label(upper)}: ${show(a)} ${orEqual ? '>' : '≥'} ${show(b)}`);
  }
  return reasons;
}

/** The table's fractions in the order of rising x (tables may be written either way). */
function fractionsByRisingX(table: Table): number[] {
  return table.x
    .map((x, i) => [x, table.y[i]] as const)
    .sort((p, q) => p[0] - q[0])
    .map(([, y]) => y);
}

function hasShape(y: number[], shape: 'falling' | 'rising' | 'peak'): boolean {
  const steps = y.slice(1).map((v, i) => v - y[i]);
  if (shape === 'falling') return steps.every((d) => d <= 0);
  if (shape === 'rising') return steps.every((d) => d >= 0);
  const firstFall = steps.findIndex((d) => d < 0);
  return firstFall < 0 || steps.slice(firstFall).every((d) => d <= 0);
}

function tableReasons(config: RulesConfig, label: Label): string[] {
  return TABLE_SHAPES.filter(([name, shape]) => !hasShape(fractionsByRisingX(config[name] as Table), shape)).map(
    ([name, shape]) => `${label(name)} ${SHAPE_WORDS[shape]}`,
  );
}

function batteryTemperatureReasons(config: RulesConfig, label: Label): string[] {
  const choice = config.batteryTemperature;
  if (typeof choice === 'string' || config.packs.length === 0) return [];
  if (config.packs.some((pack) => pack.id === choice.pack)) return [];
  return [`${label('batteryTemperature')}: pack "${choice.pack}" is not in the packs`];
}

/**
 * Every contradiction in `config`, in words; empty when it is consistent. An order reads
 * "Absorb voltage (V per cell) must be below Cell high cut (V per cell): 3.45 ≥ 3.4".
 */
export function checkConfig(config: RulesConfig, label: Label = (name) => name): string[] {
  return [...orderReasons(config, label), ...tableReasons(config, label), ...batteryTemperatureReasons(config, label)];
}
