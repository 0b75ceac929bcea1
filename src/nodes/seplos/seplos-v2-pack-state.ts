/**
 * Seplos V2 answers → PackState (docs/protocols/seplos.md#mapping-to-packstate): the alarm event and
 * switch bytes as alarms, flags and charge/discharge permission, then the PackState of a 0x42 + 0x44
 * cycle or of a sniffed 0x5A record. Pure.
 */
import type { AlarmLevel, Alarms, PackState } from '../../core/pack-state';
import { type BitMeaning, applyBitTable } from './alarm-bits';
import { hex2 } from './protocol-seplos-v2';
import type { V2AlarmInfo, V2IntraPack, V2Telemetry } from './seplos-v2-payload';
import { CELL_TEMPERATURE_BITS, type PackContext, VOLTAGE_BITS, bitList } from './seplos-shared';

// Alarm bits (docs/protocols/seplos.md#v2-alarm-bits) → AlarmName or extra flags. Every bit has a meaning here.

const W: AlarmLevel = 'warn';
const A: AlarmLevel = 'alarm';
const EVENT_BITS: BitMeaning[][] = [
  [
    // event 1: hardware faults
    { flag: 'voltageSensorFault', alarm: ['internal', A] },
    { flag: 'temperatureSensorFault', alarm: ['internal', A] },
    { flag: 'currentSensorFault', alarm: ['internal', A] },
    { flag: 'keySwitchFault', alarm: ['internal', W] },
    { flag: 'cellVoltageDifferenceFault', alarm: ['cellImbalance', A] },
    { flag: 'chargeFetFault', alarm: ['internal', A] },
    { flag: 'dischargeFetFault', alarm: ['internal', A] },
    { flag: 'currentLimitSwitchFault', alarm: ['internal', W] },
  ],
  VOLTAGE_BITS,
  CELL_TEMPERATURE_BITS,
  [
    // event 4: ambient and power temperatures (no AlarmName for ambient: extra flags only)
    { flag: 'ambientHighTemperatureWarning' },
    { flag: 'ambientOverTemperatureProtection', blocks: 'both' },
    { flag: 'ambientLowTemperatureWarning' },
    { flag: 'ambientUnderTemperatureProtection', blocks: 'both' },
    { flag: 'powerOverTemperatureProtection', alarm: ['mosOverTemperature', A], blocks: 'both' },
    { flag: 'powerHighTemperatureWarning', alarm: ['mosOverTemperature', W] },
    { flag: 'cellHeatingActive' },
    { flag: 'event4Bit7' },
  ],
  [
    // event 5: currents
    { flag: 'chargeOverCurrentWarning', alarm: ['chargeOverCurrent', W] },
    { flag: 'chargeOverCurrentProtection', alarm: ['chargeOverCurrent', A], blocks: 'charge' },
    { flag: 'dischargeOverCurrentWarning', alarm: ['dischargeOverCurrent', W] },
    { flag: 'dischargeOverCurrentProtection', alarm: ['dischargeOverCurrent', A], blocks: 'discharge' },
    { flag: 'transientOverCurrentProtection', alarm: ['dischargeOverCurrent', A], blocks: 'both' },
    { flag: 'shortCircuitProtection', alarm: ['shortCircuit', A], blocks: 'both' },
    { flag: 'transientOverCurrentLockout', alarm: ['dischargeOverCurrent', A], blocks: 'both' },
    { flag: 'shortCircuitLockout', alarm: ['shortCircuit', A], blocks: 'both' },
  ],
  [
    // event 6
    { flag: 'chargerHighVoltageProtection', alarm: ['packOverVoltage', A], blocks: 'charge' },
    { flag: 'intermittentRechargeWaiting' },
    { flag: 'remainingCapacityWarning' },
    { flag: 'remainingCapacityProtection', blocks: 'discharge' },
    { flag: 'cellTooLowToChargeProtection', alarm: ['cellUnderVoltage', A], blocks: 'charge' },
    { flag: 'outputReversePolarityProtection', alarm: ['internal', A], blocks: 'both' },
    { flag: 'outputConnectionFault', alarm: ['internal', A] },
    { flag: 'event6Bit7' },
  ],
];
const EVENT7_BITS: BitMeaning[] = [
  { flag: 'event7Bit0' },
  { flag: 'event7Bit1' },
  { flag: 'event7Bit2' },
  { flag: 'event7Bit3' },
  { flag: 'autoChargeActivationWaiting' },
  { flag: 'manualChargeActivationWaiting' },
  { flag: 'event7Bit6' },
  { flag: 'event7Bit7' },
];
const EVENT8_BITS: BitMeaning[] = [
  { flag: 'eepromFault', alarm: ['internal', A] },
  { flag: 'rtcFault' },
  { flag: 'voltageNotCalibrated', alarm: ['internal', W] },
  { flag: 'currentNotCalibrated', alarm: ['internal', W] },
  { flag: 'zeroPointNotCalibrated', alarm: ['internal', W] },
  { flag: 'calendarNotSynchronised' },
  { flag: 'event8Bit6' },
  { flag: 'event8Bit7' },
];

export const SYSTEM_STATES: Record<number, string> = {
  0x01: 'discharging',
  0x02: 'charging',
  0x04: 'floating',
  0x08: 'full',
  0x10: 'standby',
  0x20: 'off',
};

/** Names of the set bits of a system-state byte (bit 7 of 0x5A records = current ≥ 3 A). */
export function systemStateName(state: number): string {
  const names = [1, 2, 4, 8, 16, 32].filter((b) => state & b).map((b) => SYSTEM_STATES[b]);
  return names.length > 0 ? names.join('+') : state === 0 ? 'none' : `0x${hex2(state)}`;
}

/** Common result of the event and switch bytes, shared by 0x44 answers and 0x5A records. */
export interface V2Status {
  alarms: Alarms;
  flags: string[];
  chargeFetOn: boolean;
  dischargeFetOn: boolean;
  chargeAllowed: boolean;
  dischargeAllowed: boolean;
}

export function decodeStatus(events: number[], switchState: number, event7: number, event8: number): V2Status {
  const acc = { alarms: {} as Alarms, flags: [] as string[], blocksCharge: false, blocksDischarge: false };
  EVENT_BITS.forEach((table, i) => applyBitTable(events[i] ?? 0, table, acc));
  applyBitTable(event7, EVENT7_BITS, acc);
  applyBitTable(event8, EVENT8_BITS, acc);
  const dischargeFetOn = (switchState & 0x01) !== 0;
  const chargeFetOn = (switchState & 0x02) !== 0;
  // Fail safe: the FET must be on AND no protection that blocks that direction may be active.
  return {
    alarms: acc.alarms,
    flags: acc.flags,
    chargeFetOn,
    dischargeFetOn,
    chargeAllowed: chargeFetOn && !acc.blocksCharge,
    dischargeAllowed: dischargeFetOn && !acc.blocksDischarge,
  };
}

// PackState mapping

/** One PackState from a 0x42 telemetry answer and the 0x44 alarm answer of the same cycle. */
export function toPackState(
  t: V2Telemetry,
  a: V2AlarmInfo,
  ctx: PackContext,
  extra: Record<string, unknown> = {},
): PackState {
  const status = decodeStatus(a.events, a.switchState, a.event7, a.event8);
  const alarms = { ...status.alarms };
  const disconnected = bitList(a.disconnectionBitmap, t.cellsMv.length);
  // A disconnected cell wire makes the cell readings untrustworthy.
  if (disconnected.length > 0) alarms.internal = 'alarm';
  const balancingCells = bitList(a.balancingBitmap, 16);
  return {
    kind: 'pack',
    id: ctx.id,
    protocol: 'seplos-v2',
    address: ctx.address,
    time: ctx.time,
    voltage: t.voltage,
    current: t.current,
    soc: t.soc,
    soh: t.soh,
    cells: t.cellsMv.map((mv) => mv / 1000),
    temperatures: t.cellTemperatures,
    mosTemperature: t.powerTemperature,
    ambientTemperature: t.ambientTemperature,
    remainingAh: t.remainingAh,
    fullAh: t.fullAh,
    designAh: t.designAh,
    cycles: t.cycles,
    chargeAllowed: status.chargeAllowed,
    dischargeAllowed: status.dischargeAllowed,
    balancing: balancingCells.length > 0,
    alarms,
    extra: {
      ...extra,
      portVoltage: t.portVoltage,
      systemState: systemStateName(a.systemState),
      chargeFetOn: status.chargeFetOn,
      dischargeFetOn: status.dischargeFetOn,
      currentLimiterOn: (a.switchState & 0x04) !== 0,
      heaterOn: (a.switchState & 0x08) !== 0,
      balancingCells,
      disconnectedCells: disconnected,
      flags: status.flags,
      cellLimitStates: a.cellLimitStates,
      temperatureLimitStates: a.temperatureLimitStates,
      currentLimitState: a.currentLimitState,
      packVoltageLimitState: a.packVoltageLimitState,
      reservedWordsHex: t.reservedWordsHex,
    },
  };
}

/**
 * A PackState from a sniffed 0x5A record: the master only exchanges extremes, so `cells` is empty
 * and the highest/lowest cell are in `extra`; temperatures are [highest, lowest].
 */
export function intraPackToPackState(p: V2IntraPack, ctx: PackContext): PackState {
  const status = decodeStatus(p.events, p.switchState, p.event7, p.event8);
  return {
    kind: 'pack',
    id: ctx.id,
    protocol: 'seplos-v2',
    address: ctx.address,
    time: ctx.time,
    voltage: p.voltage,
    current: p.current,
    soc: p.soc,
    cells: [],
    temperatures: [p.highestCellTemperature, p.lowestCellTemperature],
    remainingAh: p.remainingAh,
    fullAh: p.fullAh,
    chargeAllowed: status.chargeAllowed,
    dischargeAllowed: status.dischargeAllowed,
    alarms: status.alarms,
    extra: {
      source: 'intra-pack',
      highestCell: p.highestCellMv / 1000,
      lowestCell: p.lowestCellMv / 1000,
      portVoltage: p.portVoltage,
      systemState: systemStateName(p.systemState & 0x7f),
      chargeCurrentAbove3A: (p.systemState & 0x80) !== 0,
      chargeFetOn: status.chargeFetOn,
      dischargeFetOn: status.dischargeFetOn,
      flags: status.flags,
    },
  };
}
