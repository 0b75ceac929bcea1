/**
 * A BankState as one or more Pylontech packs answer it (docs/protocols/pylontech-485.md#bank-mapping):
 * limits with the stop rules (a stale or fail-safe bank answers with zero limits, both enable bits
 * clear and the fault flags set), the bank split evenly over N virtual packs, and cell voltages from
 * the bank's own cells or a representative view (lowest and highest cell in place, the rest filling
 * the bank voltage). Pure.
 */
import type { AlarmLevel, BankAlarmName, BankState } from '../../core/pack-state';
import {
  ALARM_STATE,
  STATUS1,
  STATUS2,
  STATUS3,
  type AlarmBlock,
  type AnalogBlock,
  type Management,
  type SystemParameters,
} from './protocol-pylontech-485-pack';
import {
  SYSTEM_BITS_1,
  SYSTEM_BITS_2,
  type SystemAlarms,
  type SystemAnalog,
  type TemperatureSummary,
} from './protocol-pylontech-485-system';

/** What the answers are made of: the bank, cell voltages if the input carried them, and whether it is stale. */
export interface BankView {
  bank: BankState;
  /** Cell voltages in V when the input carried them (msg.payload.cells). */
  cells?: number[];
  /** Stale (no update within the stale time), fail-safe or stopCan: limits 0 and the alarm. */
  fault: boolean;
}

export interface PackLayout {
  /** How many virtual packs share the bank (one per answered address). */
  packCount: number;
  /** Cells per pack when the input carries none (16, or 15 for a 15S bank). */
  cellCount: number;
}

/** Below this a CVL is no limit: Pylontech-speaking inverters read it as a fault, never as "stop". */
const MIN_CVL = 1;
/** Above ±0.1 A a current counts as charging/discharging (0x44 status 3). */
const EFFECTIVE_CURRENT = 0.1;
/** Pylontech packs carry at most 16 cells. */
export const MAX_CELLS = 16;

/** 0x92/0x63 values: limits 0 and enable bits clear when stopped; CVL never 0. */
export function managementValues(view: BankView): Management {
  const { bank } = view;
  let ccl = bank.chargeAllowed && !view.fault ? bank.ccl : 0;
  const dcl = bank.dischargeAllowed && !view.fault ? bank.dcl : 0;
  let cvl = bank.cvl;
  if (!(cvl >= MIN_CVL)) {
    // hold the bank at its present voltage and stop charging rather than send CVL 0
    cvl = Math.max(bank.voltage, bank.dvl);
    ccl = 0;
  }
  const forceCharge = bank.forceCharge && !view.fault;
  return {
    cvl,
    dvl: bank.dvl,
    ccl: Math.max(0, ccl),
    dcl: Math.max(0, dcl),
    chargeEnable: ccl > 0,
    dischargeEnable: dcl > 0,
    // Pylontech asks inverters to honour both "charge immediately" bits, so both carry the request
    chargeImmediately1: forceCharge,
    chargeImmediately2: forceCharge,
    fullChargeRequest: bank.fullChargeRequest && !view.fault,
  };
}

/** Whole-percent SOC, truncated so the inverter never sees more charge than there is. */
export const socPercent = (bank: BankState): number => Math.min(100, Math.max(0, Math.floor(bank.soc)));

const positionOf = (cell: number, count: number, fallback: number): number =>
  Number.isInteger(cell) && cell >= 1 && cell <= count ? cell - 1 : fallback;

/** Cell voltages in mV: the input's own cells, else lowest and highest in place and the rest filling the bank voltage. */
export function cellVoltagesMv(view: BankView, cellCount: number): number[] {
  if (view.cells && view.cells.length > 0) return view.cells.slice(0, MAX_CELLS).map((v) => v * 1000);
  const { bank } = view;
  const count = Math.min(MAX_CELLS, Math.max(1, Math.round(cellCount)));
  const average = bank.voltage / count;
  const min = bank.cellMin.v > 0 ? bank.cellMin.v : average;
  const max = bank.cellMax.v > 0 ? bank.cellMax.v : average;
  if (count < 3) return Array.from({ length: count }, () => average * 1000);
  const rest = Math.min(max, Math.max(min, (bank.voltage - min - max) / (count - 2)));
  const cells = Array.from({ length: count }, () => rest);
  const minAt = positionOf(bank.cellMin.cell, count, 0);
  const maxAt = positionOf(bank.cellMax.cell, count, minAt === count - 1 ? 0 : count - 1);
  cells[minAt] = min;
  cells[maxAt === minAt ? (minAt + 1) % count : maxAt] = max;
  return cells.map((v) => v * 1000);
}

/** BMS board, then cell groups 1–4: [avg, min, avg, max, avg]. */
const temperatures = (bank: BankState): number[] => {
  const { min, max, avg } = bank.temperature;
  return [avg, min, avg, max, avg];
};

/** One virtual pack's 0x42 block: the bank's current and capacity split over the packs. */
export function analogBlock(view: BankView, layout: PackLayout): AnalogBlock {
  const { bank } = view;
  const totalAh = bank.capacityAh.online / layout.packCount;
  return {
    cellsMv: cellVoltagesMv(view, layout.cellCount),
    temperaturesC: temperatures(bank),
    current: bank.current / layout.packCount,
    voltage: bank.voltage,
    remainingAh: (totalAh * Math.min(100, Math.max(0, bank.soc))) / 100,
    totalAh,
    cycles: 0,
    // 16-bit mAh fields hold up to 65.5 Ah; bigger packs use the 24-bit pair
    userItems: totalAh > 65 ? 4 : 2,
  };
}

const has = (bank: BankState, name: BankAlarmName, level?: AlarmLevel): boolean =>
  level === undefined ? bank.alarms[name] !== undefined : bank.alarms[name] === level;

const STATUS1_ALARMS: [BankAlarmName, number][] = [
  ['packOverVoltage', STATUS1.moduleOverVoltage],
  ['cellUnderVoltage', STATUS1.cellUnderVoltage],
  ['chargeOverCurrent', STATUS1.chargeOverCurrent],
  ['dischargeOverCurrent', STATUS1.dischargeOverCurrent],
  ['dischargeOverTemperature', STATUS1.dischargeOverTemperature],
  ['chargeOverTemperature', STATUS1.chargeOverTemperature],
  ['packUnderVoltage', STATUS1.moduleUnderVoltage],
];

function moduleVoltageState(view: BankView): number {
  if (has(view.bank, 'packOverVoltage')) return ALARM_STATE.aboveLimit;
  if (has(view.bank, 'packUnderVoltage')) return ALARM_STATE.belowLimit;
  return view.fault ? ALARM_STATE.otherError : ALARM_STATE.normal;
}

function cellStates(view: BankView, count: number): number[] {
  const { bank } = view;
  const states = Array.from({ length: count }, () => ALARM_STATE.normal as number);
  if (has(bank, 'cellUnderVoltage')) states[positionOf(bank.cellMin.cell, count, 0)] = ALARM_STATE.belowLimit;
  if (has(bank, 'cellOverVoltage')) states[positionOf(bank.cellMax.cell, count, count - 1)] = ALARM_STATE.aboveLimit;
  return states;
}

function temperatureStates(bank: BankState): number[] {
  const over = has(bank, 'chargeOverTemperature') || has(bank, 'dischargeOverTemperature');
  const under = has(bank, 'chargeUnderTemperature') || has(bank, 'dischargeUnderTemperature');
  return [0, under ? ALARM_STATE.belowLimit : 0, 0, over ? ALARM_STATE.aboveLimit : 0, 0];
}

/** One virtual pack's 0x44 block: states from the bank alarms, protection bits from alarm-level alarms. */
export function alarmBlock(view: BankView, layout: PackLayout): AlarmBlock {
  const { bank } = view;
  const limits = managementValues(view);
  let status1 = 0;
  for (const [name, bit] of STATUS1_ALARMS) if (has(bank, name, 'alarm')) status1 |= bit;
  const status2 =
    STATUS2.usingModulePower |
    (limits.chargeEnable ? STATUS2.chargeMosfet : 0) |
    (limits.dischargeEnable ? STATUS2.dischargeMosfet : 0);
  const current = bank.current / layout.packCount;
  const status3 =
    (current > EFFECTIVE_CURRENT ? STATUS3.effectiveCharge : 0) |
    (current < -EFFECTIVE_CURRENT ? STATUS3.effectiveDischarge : 0) |
    (bank.soc >= 100 ? STATUS3.fullyCharged : 0);
  return {
    cellStates: cellStates(view, cellVoltagesMv(view, layout.cellCount).length),
    temperatureStates: temperatureStates(bank),
    chargeCurrentState: has(bank, 'chargeOverCurrent') ? ALARM_STATE.aboveLimit : ALARM_STATE.normal,
    moduleVoltageState: moduleVoltageState(view),
    dischargeCurrentState: has(bank, 'dischargeOverCurrent') ? ALARM_STATE.aboveLimit : ALARM_STATE.normal,
    status: [status1, status2, status3, 0, 0],
  };
}

/** LFP thresholds per cell (the usual Pylontech values); currents are the bank's present limits. */
const LFP_CELL = { high: 3.65, low: 3.05, under: 2.9 };

export function systemParameters(view: BankView, layout: PackLayout): SystemParameters {
  const cells = cellVoltagesMv(view, layout.cellCount).length;
  const limits = managementValues(view);
  return {
    dataFlag: 0,
    cellHighVoltage: LFP_CELL.high,
    cellLowVoltage: LFP_CELL.low,
    cellUnderVoltage: LFP_CELL.under,
    chargeHighTemperature: 60,
    chargeLowTemperature: 0,
    chargeCurrentLimit: limits.ccl,
    moduleHighVoltage: LFP_CELL.high * cells,
    moduleLowVoltage: LFP_CELL.low * cells,
    moduleUnderVoltage: LFP_CELL.under * cells,
    dischargeHighTemperature: 60,
    dischargeLowTemperature: -20,
    dischargeCurrentLimit: -limits.dcl,
  };
}

/** Pack 1, cell n (the bank is one system to the inverter). */
const cellId = (cell: number): number => 0x0100 | (Number.isInteger(cell) && cell > 0 && cell < 256 ? cell : 1);

export function systemAnalog(view: BankView): SystemAnalog {
  const { bank } = view;
  const cellsMv = cellVoltagesMv(view, MAX_CELLS);
  const summary: TemperatureSummary = {
    avg: bank.temperature.avg,
    max: bank.temperature.max,
    maxId: 0x0101,
    min: bank.temperature.min,
    minId: 0x0101,
  };
  return {
    voltage: bank.voltage,
    current: bank.current,
    soc: socPercent(bank),
    averageCycles: 0,
    maxCycles: 0,
    averageSoh: bank.soh,
    minSoh: bank.soh,
    maxCellMv: bank.cellMax.v > 0 ? bank.cellMax.v * 1000 : Math.max(...cellsMv),
    maxCellId: cellId(bank.cellMax.cell),
    minCellMv: bank.cellMin.v > 0 ? bank.cellMin.v * 1000 : Math.min(...cellsMv),
    minCellId: cellId(bank.cellMin.cell),
    cellTemperature: summary,
    mosfetTemperature: summary,
    bmsTemperature: summary,
  };
}

const SYSTEM_1_ALARMS: [BankAlarmName, number][] = [
  ['packOverVoltage', SYSTEM_BITS_1.moduleHighVoltage],
  ['packUnderVoltage', SYSTEM_BITS_1.moduleLowVoltage],
  ['cellOverVoltage', SYSTEM_BITS_1.cellHighVoltage],
  ['cellUnderVoltage', SYSTEM_BITS_1.cellLowVoltage],
  ['chargeOverTemperature', SYSTEM_BITS_1.cellHighTemperature],
  ['dischargeOverTemperature', SYSTEM_BITS_1.cellHighTemperature],
  ['chargeUnderTemperature', SYSTEM_BITS_1.cellLowTemperature],
  ['dischargeUnderTemperature', SYSTEM_BITS_1.cellLowTemperature],
  ['mosOverTemperature', SYSTEM_BITS_1.mosfetHighTemperature],
  ['cellImbalance', SYSTEM_BITS_1.cellImbalance],
];

const SYSTEM_2_ALARMS: [BankAlarmName, number][] = [
  ['chargeOverCurrent', SYSTEM_BITS_2.chargeOverCurrent],
  ['dischargeOverCurrent', SYSTEM_BITS_2.dischargeOverCurrent],
  ['communication', SYSTEM_BITS_2.communicationError],
  ['bmsCommLost', SYSTEM_BITS_2.communicationError],
  ['shortCircuit', SYSTEM_BITS_2.systemFault],
  ['internal', SYSTEM_BITS_2.systemFault],
];

/** 0x62: warnings in the alarm bytes, alarm-level alarms in the protection bytes; a stale bank is a system fault. */
export function systemAlarms(view: BankView): SystemAlarms {
  const bits = (table: [BankAlarmName, number][], level: AlarmLevel): number =>
    table.reduce((sum, [name, bit]) => (has(view.bank, name, level) ? sum | bit : sum), 0);
  return {
    alarm1: bits(SYSTEM_1_ALARMS, 'warn'),
    // system fault exists only as a protection bit, communication error only as an alarm bit
    alarm2: bits(SYSTEM_2_ALARMS, 'warn') & ~SYSTEM_BITS_2.systemFault,
    // cell imbalance has no protection bit
    protection1: bits(SYSTEM_1_ALARMS, 'alarm') & ~SYSTEM_BITS_1.cellImbalance,
    protection2:
      (bits(SYSTEM_2_ALARMS, 'alarm') & ~SYSTEM_BITS_2.communicationError) |
      (view.fault ? SYSTEM_BITS_2.systemFault : 0),
  };
}
