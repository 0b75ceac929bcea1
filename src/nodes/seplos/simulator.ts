/**
 * Seplos device simulators: V2 ASCII and V3 Modbus packs answering from the shared BatteryModel,
 * with wire faults (silent, bad checksum, garbage, truncated; V2 also a wrong LCHKSUM).
 * A V3 pack answers every register read that lies inside one of its documented blocks (PIA, PIB,
 * SPA, SCA calendar, VIA; coils PIC and SFA in whole bytes), as real packs answer the partial reads
 * of peer tools (e.g. the identification read 0x1700 × 10); other ranges raise exception 2.
 * Profile `bank-master`: the first address is a bank master that polls the other packs itself
 * (V2 0x5A, V3 PIA/PIB/PIC with the slaves' answers, then its own blocks unsolicited), so a
 * listen-only node has traffic to decode. Layouts: docs/protocols/seplos.md.
 */
import { BatteryModel } from '../../core/battery-model';
import { type Framer, takeFrame } from '../../transport/framer';
import { exceptionAnswer, parseRequest, readAnswer, readRequest, requestFramer } from '../../transport/modbus-rtu';
import type {
  DeviceSimulator,
  SimulatedPack,
  SimulatorFactory,
  SimulatorHost,
  SimulatorOptions,
  WireFaults,
} from '../../transport/simulator-api';
import { simulatorPacks, type SimulatorPacks } from '../../transport/simulated-banks';
import { applyWireFaults } from '../../transport/wire-faults';
import * as v2 from './protocol-seplos-v2';
import { BLOCKS, FC_READ_COILS, FC_READ_INPUT, V3_MANUFACTURER, VIA_FIELDS } from './protocol-seplos-v3';
import {
  CONFIG_BLOCKS,
  type SettingsBlock,
  SWITCH_NAME_LIST,
  encodeCalendar,
  encodeFunctionSwitches,
  encodeSettings,
} from './protocol-seplos-v3-settings';
import { V2_SIM_SWITCH_BYTES, encodeV2Parameters, v2SimParameters } from './simulator-settings';

/** V2 adds a fault of its own: the LENGTH field's checksum nibble is wrong (CHKSUM still right). */
export interface SeplosWireFaults extends WireFaults {
  badLengthChecksum?: boolean;
}

/** Cycle of the simulated bank master, ms. */
export const BANK_MASTER_CYCLE_MS = 1000;
/** Gap between frames on the simulated bank bus, ms. */
const FRAME_GAP_MS = 20;

/**
 * Protection settings of every simulated pack (LFP): readModel raises its events at these values and
 * the V3 settings block (SPA) reports the same numbers.
 */
export const SIM_LIMITS = {
  cellHighWarnMv: 3550,
  cellOverMv: 3650,
  cellLowWarnMv: 2900,
  cellUnderMv: 2700,
  chargeHighWarnC: 50,
  chargeOverC: 55,
  dischargeHighWarnC: 55,
  dischargeOverC: 60,
  /** Recommended charge/discharge current (V3 PIA 0x100F/0x1010), A. */
  currentLimitA: 100,
} as const;

const toK10 = (c: number): number => Math.round(c * 10) + 2731;
const clampU16 = (v: number): number => Math.max(0, Math.min(0xffff, Math.round(v)));
const s16 = (v: number): number => Math.max(-0x8000, Math.min(0x7fff, Math.round(v))) & 0xffff;

/** What every protocol reads from the model: the values a Seplos pack would measure. */
export interface PackReading {
  cellsMv: number[];
  /** Four cell sensors, ambient, power (°C). */
  cellTemps: number[];
  ambient: number;
  power: number;
  current: number;
  voltage: number;
  remainingAh: number;
  fullAh: number;
  soc: number;
  cycles: number;
  chargeFetOn: boolean;
  dischargeFetOn: boolean;
  balancingBitmap: number;
  /** Alarm events 1–6 in V2 bit layout. */
  events: number[];
  systemState: number;
}

export function readModel(model: BatteryModel, now: number): PackReading {
  model.update(now);
  const t = model.temperatures;
  const cellTemps = [0, 1, 2, 3].map((k) => t[k % t.length]);
  const cellsMv = model.cells.map((v) => clampU16(v * 1000));
  const maxMv = Math.max(...cellsMv);
  const minMv = Math.min(...cellsMv);
  const maxT = Math.max(...cellTemps);
  // The protections a BMS would raise for these values (V2 event 2 and 3 bit layout).
  const lim = SIM_LIMITS;
  const ev2 =
    (maxMv > lim.cellHighWarnMv ? 0x01 : 0) |
    (maxMv > lim.cellOverMv ? 0x02 : 0) |
    (minMv < lim.cellLowWarnMv ? 0x04 : 0) |
    (minMv < lim.cellUnderMv ? 0x08 : 0);
  const ev3 =
    (maxT > lim.chargeHighWarnC ? 0x01 : 0) |
    (maxT > lim.chargeOverC ? 0x02 : 0) |
    (maxT > lim.dischargeHighWarnC ? 0x10 : 0) |
    (maxT > lim.dischargeOverC ? 0x20 : 0);
  let balancingBitmap = 0;
  if (model.balancerEnabled && maxMv - minMv > 15) {
    cellsMv.forEach((mv, k) => {
      if (k < 16 && mv - minMv > 15) balancingBitmap |= 1 << k;
    });
  }
  const current = model.current;
  return {
    cellsMv,
    cellTemps,
    ambient: t[0],
    power: t[t.length - 1],
    current,
    voltage: cellsMv.reduce((a, b) => a + b, 0) / 1000,
    remainingAh: model.remainingAh,
    fullAh: model.capacityAh,
    soc: model.soc,
    cycles: Math.floor(model.cycles),
    chargeFetOn: model.chargeEnabled && !model.chargeBlocked && (ev2 & 0x02) === 0 && (ev3 & 0x02) === 0,
    dischargeFetOn: model.dischargeEnabled && !model.dischargeBlocked && (ev2 & 0x08) === 0 && (ev3 & 0x20) === 0,
    balancingBitmap,
    events: [0, ev2, ev3, 0, 0, 0],
    systemState: current > 0.05 ? 0x02 : current < -0.05 ? 0x01 : 0x10,
  };
}

const switchState = (r: PackReading): number => (r.dischargeFetOn ? 1 : 0) | (r.chargeFetOn ? 2 : 0);

// ---------------------------------------------------------------------------------------------
// Shared simulator plumbing

interface Engine {
  framer: Framer;
  /** Answer bytes for one request frame, or undefined (silent). */
  answer(frame: Buffer, packs: Map<number, SimulatedPack>): Buffer | undefined;
  /** The master's traffic of one bank cycle, as frames in order. */
  bankCycle(master: SimulatedPack, slaves: SimulatedPack[]): Buffer[];
}

/** The packs of a simulated bank when the options name one, else packs of their own. */
function createPacks(options: SimulatorOptions): SimulatorPacks {
  const addresses = options.addresses ?? [0];
  return simulatorPacks(options, addresses, () => {
    const packs = new Map<number, SimulatedPack>();
    for (const address of addresses) {
      const model = new BatteryModel({
        cells: options.cells ?? 16,
        capacityAh: options.capacityAh ?? 200,
        soc: 50 + address * 5,
      });
      packs.set(address, { address, model, faults: {} });
    }
    return packs;
  });
}

function createSimulator(engine: Engine, options: SimulatorOptions, host: SimulatorHost): DeviceSimulator {
  const { packs, release } = createPacks(options);
  const timers = new Set<number>();
  const later = (fn: () => void, ms: number): void => {
    const id = host.clock.setTimeout(() => {
      timers.delete(id);
      fn();
    }, ms);
    timers.add(id);
  };
  let pending = Buffer.alloc(0);
  let interval: number | undefined;
  if (options.profile === 'bank-master') {
    const [master, ...slaves] = [...packs.values()];
    interval = host.clock.setInterval(() => {
      engine.bankCycle(master, slaves).forEach((frame, k) => later(() => host.send(frame), k * FRAME_GAP_MS));
    }, BANK_MASTER_CYCLE_MS);
  }
  return {
    packs,
    receive(data) {
      pending = Buffer.concat([pending, data]);
      for (;;) {
        const { frame, rest } = takeFrame(pending, engine.framer);
        pending = Buffer.from(rest);
        if (!frame) break;
        const answer = engine.answer(Buffer.from(frame), packs);
        if (answer) later(() => host.send(answer), options.turnaroundMs ?? 5);
      }
    },
    close() {
      host.clock.clearInterval(interval);
      for (const id of timers) host.clock.clearTimeout(id);
      timers.clear();
      release();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// V2

function v2TelemetryInfo(adr: number, r: PackReading): Buffer {
  const b: number[] = [0x00, adr, r.cellsMv.length];
  const u16 = (v: number): void => {
    b.push((v >> 8) & 0xff, v & 0xff);
  };
  r.cellsMv.forEach(u16);
  b.push(6);
  [...r.cellTemps, r.ambient, r.power].forEach((t) => u16(clampU16(toK10(t))));
  u16(s16(r.current * 100));
  u16(clampU16(r.voltage * 100));
  u16(clampU16(r.remainingAh * 100));
  b.push(10);
  u16(clampU16(r.fullAh * 100));
  u16(clampU16(r.soc * 10));
  u16(clampU16(r.fullAh * 100));
  u16(clampU16(r.cycles));
  u16(1000);
  u16(clampU16(r.voltage * 100));
  [0, 0, 0, 0].forEach(u16);
  return Buffer.from(b);
}

function v2AlarmInfo(adr: number, r: PackReading): Buffer {
  const m = r.cellsMv.length;
  return Buffer.from([
    0x00,
    adr,
    m,
    ...new Array<number>(m).fill(0),
    6,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    20,
    ...r.events,
    switchState(r),
    r.balancingBitmap & 0xff,
    (r.balancingBitmap >> 8) & 0xff,
    r.systemState,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    r.systemState,
  ]);
}

function v2IntraPackInfo(r: PackReading): Buffer {
  const b = Buffer.alloc(32);
  const t = r.cellTemps.map(toK10);
  [
    1,
    Math.max(...r.cellsMv),
    Math.min(...r.cellsMv),
    Math.max(...t),
    Math.min(...t),
    s16(r.current * 100),
    clampU16(r.voltage * 100),
    clampU16(r.remainingAh * 100),
    clampU16(r.fullAh * 100),
    clampU16(r.soc * 10),
    clampU16(r.voltage * 100),
  ].forEach((v, i) => b.writeUInt16BE(clampU16(v), i * 2));
  r.events.forEach((e, i) => {
    b[22 + i] = e;
  });
  b[28] = switchState(r);
  b[31] = r.systemState;
  return b;
}

/** The 0x47 answer of a pack: its parameters (simulator-settings.ts), switches and name. */
function v2ParameterInfo(pack: SimulatedPack): Buffer {
  return encodeV2Parameters(v2SimParameters(pack.model.cells.length), V2_SIM_SWITCH_BYTES, '1101-SIM');
}

const V2_DEVICE_INFO = Buffer.concat([
  Buffer.from('1101-SIM  ', 'latin1'),
  Buffer.from([16, 6]),
  Buffer.from('CellSafe simulator  ', 'latin1'),
]);

/** Re-encodes a frame with a wrong LCHKSUM nibble but a CHKSUM that matches the changed text. */
function breakLengthChecksum(frame: Buffer): Buffer {
  const t = frame.toString('latin1');
  const lchk = (parseInt(t[9], 16) + 1) & 0xf;
  const body = t.slice(1, 9) + lchk.toString(16).toUpperCase() + t.slice(10, t.length - 5);
  return Buffer.from(`~${body}${v2.frameChecksum(body).toString(16).toUpperCase().padStart(4, '0')}\r`, 'latin1');
}

/** Corrupts the CHKSUM field (the last hex char before CR), keeping the frame's shape. */
function breakChecksum(frame: Buffer): Buffer {
  const i = frame.length - 2;
  frame[i] = frame[i] === 0x30 ? 0x31 : 0x30;
  return frame;
}

function v2Send(pack: SimulatedPack, frame: string): Buffer | undefined {
  const faults = pack.faults as SeplosWireFaults;
  const out = Buffer.from(frame, 'latin1');
  return applyWireFaults(faults.badLengthChecksum ? breakLengthChecksum(out) : out, faults, breakChecksum);
}

const v2Engine = (now: () => number): Engine => ({
  framer: v2.v2Framer,
  answer(frame, packs) {
    const f = v2.parseFrame(frame);
    if (!f.ok) return undefined; // a real pack ignores what it cannot parse
    const pack = packs.get(f.value.adr);
    if (!pack) return undefined;
    const adr = pack.address;
    const reading = (): PackReading => readModel(pack.model, now());
    switch (f.value.code) {
      case v2.CID2.telemetry:
        return v2Send(pack, v2.encodeFrame(adr, 0, v2TelemetryInfo(adr, reading())));
      case v2.CID2.alarms:
        return v2Send(pack, v2.encodeFrame(adr, 0, v2AlarmInfo(adr, reading())));
      case v2.CID2.deviceInfo:
        return v2Send(pack, v2.encodeFrame(adr, 0, V2_DEVICE_INFO));
      case v2.CID2.parameters:
        return v2Send(pack, v2.encodeFrame(adr, 0, v2ParameterInfo(pack)));
      case v2.CID2.protocolVersion:
        return v2Send(pack, v2.encodeFrame(adr, 0));
      case v2.CID2.intraPack:
        return v2Send(pack, v2.encodeFrame(adr, v2.CID2.intraPack, v2IntraPackInfo(reading())));
      default:
        return v2Send(pack, v2.encodeFrame(adr, 0x04));
    }
  },
  bankCycle(_master, slaves) {
    // The master at address 0 polls each slave with 0x5A; each slave answers with its record.
    const out: Buffer[] = [];
    for (const s of slaves) {
      out.push(v2.buildRequest(s.address, v2.CID2.intraPack));
      const a = v2Send(s, v2.encodeFrame(s.address, v2.CID2.intraPack, v2IntraPackInfo(readModel(s.model, now()))));
      if (a) out.push(a);
    }
    return out;
  },
});

export const createSeplosV2Simulator: SimulatorFactory = (options, host) =>
  createSimulator(
    v2Engine(() => host.clock.now()),
    options,
    host,
  );

// ---------------------------------------------------------------------------------------------
// V3

function piaData(r: PackReading): Buffer {
  const b = Buffer.alloc(36);
  const t = r.cellTemps.map(toK10);
  const avg = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;
  [
    clampU16(r.voltage * 100),
    s16(r.current * 100),
    clampU16(r.remainingAh * 100),
    clampU16(r.fullAh * 100),
    0,
    clampU16(r.soc * 10),
    1000,
    clampU16(r.cycles),
    clampU16(avg(r.cellsMv)),
    clampU16(avg(t)),
    Math.max(...r.cellsMv),
    Math.min(...r.cellsMv),
    Math.max(...t),
    Math.min(...t),
    0,
    SIM_LIMITS.currentLimitA,
    SIM_LIMITS.currentLimitA,
    1000,
  ].forEach((v, i) => b.writeUInt16BE(clampU16(v), i * 2));
  return b;
}

function pibData(r: PackReading): Buffer {
  const b = Buffer.alloc(52);
  r.cellsMv.slice(0, 16).forEach((mv, i) => b.writeUInt16BE(mv, i * 2));
  // Sensors 5–8 are unused on a 4-sensor pack and read 2731 (0 °C), as on real packs.
  [...r.cellTemps.map((t) => clampU16(toK10(t))), 2731, 2731, 2731, 2731].forEach((raw, i) =>
    b.writeUInt16BE(raw, 32 + i * 2),
  );
  b.writeUInt16BE(clampU16(toK10(r.ambient)), 48);
  b.writeUInt16BE(clampU16(toK10(r.power)), 50);
  return b;
}

function picData(r: PackReading): Buffer {
  const b = Buffer.alloc(18);
  b[6] = r.balancingBitmap & 0xff;
  b[7] = (r.balancingBitmap >> 8) & 0xff;
  b[8] = r.systemState === 0x10 ? 0x10 : r.systemState;
  b[9] = r.events[1];
  b[10] = r.events[2];
  b[15] = switchState(r);
  return b;
}

/** Identity text of a simulated pack: the real manufacturer text (peers detect V3 by it), a SIM model. */
function viaData(pack: SimulatedPack): Buffer {
  const b = Buffer.alloc(BLOCKS.via.quantity * 2);
  const serial = String(pack.address).padStart(4, '0');
  const text: Record<keyof typeof VIA_FIELDS, string> = {
    manufacturer: V3_MANUFACTURER,
    deviceName: `SIM${pack.model.cells.length}S${Math.round(pack.model.capacityAh)}A-V3`,
    firmware: '15',
    bmsSerial: `SIMV3-BMS-${serial}`,
    packSerial: `SIMV3-PACK-${serial}`,
  };
  for (const [field, { start, quantity }] of Object.entries(VIA_FIELDS)) {
    b.write(text[field as keyof typeof VIA_FIELDS].slice(0, quantity * 2), (start - BLOCKS.via.start) * 2, 'latin1');
  }
  return b;
}

/** SPA values that do not depend on the pack (vendor example values). */
const FIXED_SETTINGS: SettingsBlock = {
  temperatureSensors: 4,
  cellUnderVoltageFailureV: 2.0,
  cellDifferenceProtectionV: 0.2,
  cellDifferenceProtectionRecoveryV: 0.1,
  chargeOverCurrentDelayS: 10,
  chargeOverCurrent2DelayMs: 300,
  dischargeOverCurrentDelayS: 10,
  dischargeOverCurrent2DelayMs: 300,
  shortCircuitDelayUs: 300,
  overCurrentRecoveryDelayS: 60,
  overCurrentLockoutCount: 5,
  chargeCurrentLimitDurationS: 300,
  pulseCurrentLimitTimeS: 1,
  floatLockVoltageV: 3.5,
  floatReleaseVoltageV: 3.4,
  floatLockCurrentA: 1.5,
  prechargeShortCircuitPercent: 10,
  prechargeNormalPercent: 80,
  prechargeAbnormalPercent: 20,
  prechargeTimeoutS: 3,
  powerHighTemperatureAlarmRecoveryC: 85,
  powerHighTemperatureAlarmC: 95,
  powerOverTemperatureRecoveryC: 85,
  powerOverTemperatureProtectionC: 110,
  heatingStopC: 10,
  heatingStartC: 0,
  balancingMaxTemperatureC: 50,
  balancingMinTemperatureC: 0,
  staticBalancingTimerH: 10,
  balancingStartVoltageV: 3.4,
  balancingStartDifferenceV: 0.05,
  balancingEndDifferenceV: 0.03,
  topUpChargeSocPercent: 96,
  lowSocAlarmRecoveryPercent: 15,
  lowSocAlarmPercent: 10,
  lowSocProtectionRecoveryPercent: 7,
  lowSocProtectionPercent: 5,
  standbySleepH: 48,
  forcedOutputDelayS: 6,
  forcedOutputIntervalMin: 240,
  forcedOutputCount: 10,
  compensation1Cell: 7,
  compensation1MilliOhm: 0,
  compensation2Cell: 13,
  compensation2MilliOhm: 0,
  cellDifferenceAlarmV: 0.5,
  cellDifferenceAlarmRecoveryV: 0.3,
};

/** Cell voltage thresholds (V) by the name suffix SPA uses for both the cell and the pack family. */
const CELL_VOLTAGES: Record<string, number> = {
  HighVoltageAlarmRecoveryV: 3.4,
  HighVoltageAlarmV: SIM_LIMITS.cellHighWarnMv / 1000,
  OverVoltageRecoveryV: 3.4,
  OverVoltageProtectionV: SIM_LIMITS.cellOverMv / 1000,
  LowVoltageAlarmRecoveryV: 3.1,
  LowVoltageAlarmV: SIM_LIMITS.cellLowWarnMv / 1000,
  UnderVoltageRecoveryV: 3.1,
  UnderVoltageProtectionV: SIM_LIMITS.cellUnderMv / 1000,
};

/** One temperature family: alarm and protection thresholds with their recoveries (°C). */
function temperatureSettings(prefix: string, highWarn: number, over: number, lowWarn: number, under: number) {
  return {
    [`${prefix}HighTemperatureAlarmRecoveryC`]: highWarn - 3,
    [`${prefix}HighTemperatureAlarmC`]: highWarn,
    [`${prefix}OverTemperatureRecoveryC`]: over - 5,
    [`${prefix}OverTemperatureProtectionC`]: over,
    [`${prefix}LowTemperatureAlarmRecoveryC`]: lowWarn + 3,
    [`${prefix}LowTemperatureAlarmC`]: lowWarn,
    [`${prefix}UnderTemperatureRecoveryC`]: under + 5,
    [`${prefix}UnderTemperatureProtectionC`]: under,
  };
}

/** Over-current thresholds around the pack's recommended current (A; discharge negative). */
function currentSettings(amps: number): SettingsBlock {
  return {
    chargeOverCurrentRecoveryA: amps * 1.03,
    chargeOverCurrentAlarmA: amps * 1.05,
    chargeOverCurrentProtectionA: amps * 1.1,
    chargeOverCurrent2ProtectionA: amps * 2,
    dischargeOverCurrentRecoveryA: -amps * 1.03,
    dischargeOverCurrentAlarmA: -amps * 1.05,
    dischargeOverCurrentProtectionA: -amps * 1.1,
    dischargeOverCurrent2ProtectionA: -amps * 2.5,
    shortCircuitProtectionA: -amps * 3,
    pulseCurrentLimitA: amps,
    chargeRequestCurrentA: amps,
    dischargeRequestCurrentA: -amps,
  };
}

/**
 * SPA of a simulated pack: the thresholds readModel protects at (SIM_LIMITS), its own cell count and
 * capacity; pack voltage thresholds are cells × the cell thresholds.
 */
export function simulatedSettings(r: PackReading): SettingsBlock {
  const cells = r.cellsMv.length;
  const settings: SettingsBlock = { ...FIXED_SETTINGS, cellsInSeries: cells };
  for (const [suffix, volts] of Object.entries(CELL_VOLTAGES)) {
    settings[`cell${suffix}`] = volts;
    settings[`pack${suffix}`] = Math.round(volts * cells * 100) / 100;
  }
  const lim = SIM_LIMITS;
  return {
    ...settings,
    ...currentSettings(lim.currentLimitA),
    ...temperatureSettings('charge', lim.chargeHighWarnC, lim.chargeOverC, 2, 0),
    ...temperatureSettings('discharge', lim.dischargeHighWarnC, lim.dischargeOverC, -10, -15),
    ...temperatureSettings('ambient', 50, 55, 0, -10),
    ratedCapacityAh: r.fullAh,
    fullCapacityAh: r.fullAh,
    remainingCapacityAh: r.remainingAh,
    // Below the cell high-voltage alarm, so a charger following the request never raises it.
    chargeRequestVoltageV: Math.round(cells * lim.cellHighWarnMv) / 1000,
  };
}

/** Features a simulated pack has off: no heater, fan, network modules, forced output or aerosol. */
const SWITCHED_OFF = new Set([
  'cellHeating',
  'cooling',
  'capacityLedsAlwaysOn',
  'snmp',
  'wifi',
  'dhcp',
  'gyro',
  'intermittentTopUpCharge',
  'externalSwitchControl',
  'lcdDisplay',
  'manualForcedOutput',
  'automaticForcedOutput',
  'aerosolTest',
  'aerosolDisconnectMode',
]);

/** SFA: every protection, alarm and failure detection enabled; balancing as the model has it. */
function sfaData(pack: SimulatedPack): Buffer {
  return encodeFunctionSwitches(
    SWITCH_NAME_LIST.filter((name) => !SWITCHED_OFF.has(name) && (name !== 'balancing' || pack.model.balancerEnabled)),
  );
}

/** One readable block of a V3 pack: function, first address, size (registers, or coils) and contents. */
interface V3Area {
  fn: number;
  start: number;
  quantity: number;
  data(pack: SimulatedPack, now: number): Buffer;
}

const V3_AREAS: V3Area[] = [
  { ...BLOCKS.pia, data: (pack, now) => piaData(readModel(pack.model, now)) },
  { ...BLOCKS.pib, data: (pack, now) => pibData(readModel(pack.model, now)) },
  { ...BLOCKS.pic, data: (pack, now) => picData(readModel(pack.model, now)) },
  { ...CONFIG_BLOCKS.spa, data: (pack, now) => encodeSettings(simulatedSettings(readModel(pack.model, now))) },
  { ...CONFIG_BLOCKS.sfa, data: (pack) => sfaData(pack) },
  // Only the calendar of SCA is readable; the rest of SCA are write-only commands.
  { ...CONFIG_BLOCKS.sca, data: (_pack, now) => encodeCalendar(now) },
  { ...BLOCKS.via, data: (pack) => viaData(pack) },
];

/** Data of a read inside one area (coils in whole bytes, as real packs demand), else undefined. */
function v3Read(pack: SimulatedPack, fn: number, start: number, quantity: number, now: number): Buffer | undefined {
  const area = V3_AREAS.find((a) => a.fn === fn && start >= a.start && start + quantity <= a.start + a.quantity);
  if (!area || quantity < 1) return undefined;
  const offset = start - area.start;
  if (fn === FC_READ_COILS) {
    if (offset % 8 !== 0 || quantity % 8 !== 0) return undefined;
    return area.data(pack, now).subarray(offset / 8, (offset + quantity) / 8);
  }
  return area.data(pack, now).subarray(offset * 2, (offset + quantity) * 2);
}

/** CRC corruption that keeps the frame length (the receiver must reject it by CRC). */
function breakCrc(frame: Buffer): Buffer {
  frame[frame.length - 1] ^= 0x5a;
  return frame;
}

const v3Engine = (now: () => number): Engine => {
  const answer = (pack: SimulatedPack, fn: number, start: number, quantity: number): Buffer | undefined => {
    const data = v3Read(pack, fn, start, quantity, now());
    // Seplos raises exception 2 (illegal data address) for a range outside its blocks.
    const frame = data ? readAnswer(pack.address, fn, data) : exceptionAnswer(pack.address, fn, 2);
    return applyWireFaults(frame, pack.faults, breakCrc);
  };
  return {
    framer: requestFramer,
    answer(frame, packs) {
      const req = parseRequest(frame);
      if (!req) return undefined;
      const pack = packs.get(req.address);
      if (!pack) return undefined;
      // Only reads: the simulator has no writable settings or controls.
      if (req.fn !== FC_READ_INPUT && req.fn !== FC_READ_COILS) {
        return applyWireFaults(exceptionAnswer(pack.address, req.fn, 1), pack.faults, breakCrc);
      }
      return answer(pack, req.fn, req.start, req.quantity);
    },
    bankCycle(master, slaves) {
      const blocks = [BLOCKS.pia, BLOCKS.pib, BLOCKS.pic];
      const out: Buffer[] = [];
      for (const s of slaves) {
        for (const b of blocks) {
          out.push(readRequest(s.address, b.fn, b.start, b.quantity));
          const a = answer(s, b.fn, b.start, b.quantity);
          if (a) out.push(a);
        }
      }
      // The master publishes its own blocks as answers, with no request on the wire.
      for (const b of blocks) {
        const a = answer(master, b.fn, b.start, b.quantity);
        if (a) out.push(a);
      }
      return out;
    },
  };
};

export const createSeplosV3Simulator: SimulatorFactory = (options, host) =>
  createSimulator(
    v3Engine(() => host.clock.now()),
    options,
    host,
  );

/** This folder's simulators by protocol name (bms-serial-bus simulator option, `cellsafe simulate`). */
export const SEPLOS_SIMULATORS: Record<string, SimulatorFactory> = {
  'seplos-v2': createSeplosV2Simulator,
  'seplos-v3': createSeplosV3Simulator,
};
