/**
 * Device simulators for JK BMS: 'jk-nw' (one JK-B on the GPS/UART port) and 'jk-pb' (a bank of PB
 * packs on RS485, addresses from the options). They answer real protocol bytes built by the same
 * codecs the node decodes with, from a BatteryModel per pack; wire faults (silent, bad checksum,
 * garbage, truncated) come from each pack's `faults`, battery faults (runner cell, over-temperature,
 * frozen) from its model. The packs protect themselves like a BMS: a cell over/under its limit or
 * an over-temperature sets the alarm bit and opens the matching FET.
 */
import { BatteryModel } from '../../core/battery-model';
import { takeFrame, type Framer } from '../../transport/framer';
import {
  exceptionAnswer,
  parseRequest,
  readAnswer,
  requestFramer,
  writeAnswer,
  type ModbusRequest,
} from '../../transport/modbus-rtu';
import type {
  DeviceSimulator,
  SimulatedPack,
  SimulatorFactory,
  SimulatorHost,
  SimulatorOptions,
} from '../../transport/simulator-api';
import { simulatorPacks, type SimulatorPacks } from '../../transport/simulated-banks';
import { applyWireFaults } from '../../transport/wire-faults';
import { SETTINGS_FIELDS, encodeLive, writeFields, encodeDeviceInfo } from './jk-blocks';
import { NW_COMMANDS, NW_ITEMS, encodeNwReadAll, encodeNwWriteAnswer, nwChecksum, nwFramer } from './protocol-jk-nw';
import { PB_SWITCHES, PB_TRIGGERS, blockOf, type PbSwitch } from './protocol-jk-pb';
import { JK02_LENGTH, encodeJk02CellInfo, encodeJk02DeviceInfo, encodeJk02Settings } from './protocol-jk02';
import {
  type ProtectionLimits,
  nwSettingWrite,
  pbSettingWrite,
  protectionLimits,
  simulatedSettingValues,
} from './simulator-settings';

/** Current profiles (A, + = charging) by name; `cycle` is the default. */
export const JK_PROFILES: Record<string, (t: number) => number> = {
  idle: () => 0,
  charge: () => 20,
  discharge: () => -25,
  cycle: (t) => Math.round(30 * Math.sin((2 * Math.PI * t) / 600_000) * 100) / 100,
};

interface Protection {
  cellOver: boolean;
  cellUnder: boolean;
  overTemp: boolean;
  chargeFet: boolean;
  dischargeFet: boolean;
}

/** The simulated BMS protects at its own settings (simulator-settings.ts): a written OVP takes effect. */
function protection(m: BatteryModel, limits: ProtectionLimits): Protection {
  const cellOver = m.cellMax >= limits.cellOvpV;
  const cellUnder = m.cellMin <= limits.cellUvpV;
  const overTemp = Math.max(...m.temperatures) >= limits.overTemperatureC;
  return {
    cellOver,
    cellUnder,
    overTemp,
    chargeFet: m.chargeEnabled && !m.chargeBlocked && !cellOver && !overTemp,
    dischargeFet: m.dischargeEnabled && !m.dischargeBlocked && !cellUnder && !overTemp,
  };
}

const mosOf = (m: BatteryModel): number => Math.round((m.temperatures[0] + 3) * 10) / 10;
const resistance = (i: number): number => 60 + ((i * 7) % 40);

/** What a protocol adds to the common skeleton: how requests are framed and answered. */
interface Responder {
  framer: Framer;
  /** The answer to one request frame, or undefined to stay silent. */
  answer(frame: Buffer): { pack: SimulatedPack; bytes: Buffer; corrupt?: (b: Buffer) => Buffer } | undefined;
}

/** The packs of a simulated bank when the options name one, else packs of their own. */
function createPacks(options: SimulatorOptions, fallback: number): SimulatorPacks {
  const cells = Math.min(32, Math.max(8, options.cells ?? 16));
  const profile = JK_PROFILES[options.profile ?? 'cycle'] ?? JK_PROFILES.cycle;
  const addresses = options.addresses?.length ? options.addresses : [fallback];
  return simulatorPacks({ ...options, cells }, addresses, () => {
    const packs = new Map<number, SimulatedPack>();
    addresses.forEach((address, k) => {
      // Packs start at different SoC so they are told apart in tests and dashboards.
      const model = new BatteryModel({
        cells,
        capacityAh: options.capacityAh ?? 280,
        soc: 40 + ((k * 7) % 50),
        current: profile,
      });
      packs.set(address, { address, model, faults: {} });
    });
    return packs;
  });
}

function simulate(
  { packs, release }: SimulatorPacks,
  host: SimulatorHost,
  turnaroundMs: number,
  r: Responder,
): DeviceSimulator {
  let pending: Buffer = Buffer.alloc(0);
  const timers = new Set<number>();
  return {
    packs,
    receive(data) {
      pending = Buffer.concat([pending, data]);
      for (;;) {
        const { frame, rest } = takeFrame(pending, r.framer);
        pending = rest;
        if (!frame) return;
        const a = r.answer(Buffer.from(frame));
        if (!a) continue;
        const out = applyWireFaults(a.bytes, a.pack.faults, a.corrupt);
        if (!out) continue;
        const id = host.clock.setTimeout(() => {
          timers.delete(id);
          host.send(out);
        }, turnaroundMs);
        timers.add(id);
      }
    },
    close() {
      for (const id of timers) host.clock.clearTimeout(id);
      timers.clear();
      release();
    },
  };
}

// ---- NW ----

/** `settings`: the pack's settings items by NW key (simulator-settings.ts). */
export function nwAnswerFor(
  m: BatteryModel,
  capacityAh: number,
  settings: Record<string, number>,
  limits: ProtectionLimits,
): Buffer {
  const p = protection(m, limits);
  const status = Number(p.chargeFet) | (Number(p.dischargeFet) << 1) | (Number(m.balancerEnabled) << 2);
  const warnings = (Number(p.overTemp) << 4) | (Number(p.cellOver) << 10) | (Number(p.cellUnder) << 11);
  return encodeNwReadAll({
    cells: m.cells,
    temperatures: { mos: mosOf(m), t1: m.temperatures[0], t2: m.temperatures[1] },
    current: m.current,
    protocolVersion: 1,
    values: {
      packVoltage: m.voltage,
      soc: Math.round(m.soc),
      temperatureSensorCount: 2,
      cycles: Math.floor(m.cycles),
      cellCountReported: m.cells.length,
      cellCountSetting: m.cells.length,
      warningsRaw: warnings,
      statusRaw: status,
      nominalCapacityAh: capacityAh,
      actualCapacityAh: capacityAh,
      chargeSwitch: m.chargeEnabled,
      dischargeSwitch: m.dischargeEnabled,
      balancerSwitch: m.balancerEnabled,
      boardAddress: 1,
      batteryType: 0,
      ...settings,
    },
    text: { softwareVersion: '11.XW_S11.261__', deviceId: 'CellSafe', manufacturerId: 'CellSafe simulated JK-B' },
  });
}

/** A JK-B answers on its GPS port as one device; the first configured address names it. */
export const createJkNwSimulator: SimulatorFactory = (options, host) => {
  const owned = createPacks({ ...options, addresses: options.addresses?.slice(0, 1) }, 1);
  const pack = [...owned.packs.values()][0];
  const switches: Record<number, (on: boolean) => void> = {
    [NW_ITEMS.chargeSwitch]: (on) => {
      pack.model.chargeEnabled = on;
    },
    [NW_ITEMS.dischargeSwitch]: (on) => {
      pack.model.dischargeEnabled = on;
    },
    [NW_ITEMS.balancerSwitch]: (on) => {
      pack.model.balancerEnabled = on;
    },
  };
  return simulate(owned, host, options.turnaroundMs ?? 1, {
    framer: nwFramer,
    answer(frame) {
      const length = frame.readUInt16BE(2);
      if (nwChecksum(frame, length - 2) !== frame.readUInt16BE(length)) return undefined;
      const command = frame[8];
      if (command === NW_COMMANDS.readAll || (command === NW_COMMANDS.read && frame[11] === 0)) {
        pack.model.update(host.clock.now());
        const bytes = nwAnswerFor(
          pack.model,
          pack.model.capacityAh,
          simulatedSettingValues(pack, 'nw'),
          protectionLimits(pack),
        );
        return { pack, bytes };
      }
      const settingAnswer = command === NW_COMMANDS.write ? nwSettingWrite(pack, frame) : undefined;
      if (settingAnswer) return { pack, bytes: settingAnswer };
      if (command === NW_COMMANDS.write && switches[frame[11]]) {
        switches[frame[11]](frame[12] !== 0);
        return { pack, bytes: encodeNwWriteAnswer(frame[11], frame[12]) };
      }
      return undefined; // activate/password: no answer is documented
    },
  });
};

// ---- PB ----

const BLOCK_SIZE = { settings: 0x200, live: 0x120, deviceInfo: 0x100 } as const;

function liveValues(pack: SimulatedPack): Record<string, number | boolean> {
  const m = pack.model;
  const p = protection(m, protectionLimits(pack));
  const cells = m.cells;
  const avg = cells.reduce((a, b) => a + b, 0) / cells.length;
  return {
    averageCellVoltageReported: avg,
    deltaCellVoltageReported: m.cellMax - m.cellMin,
    maxCellIndexReported: cells.indexOf(m.cellMax),
    minCellIndexReported: cells.indexOf(m.cellMin),
    mos: mosOf(m),
    packVoltage: m.voltage,
    powerRawW: Math.abs(m.voltage * m.current),
    current: m.current,
    t1: m.temperatures[0],
    t2: m.temperatures[1],
    alarmsRaw:
      (Number(p.cellOver) << 4) | (Number(p.overTemp) << 8) | (Number(p.cellUnder) << 11) | (Number(p.overTemp) << 15),
    balancerState: 0,
    soc: Math.round(m.soc),
    remainingCapacityAh: m.remainingAh,
    fullChargeCapacityAh: m.capacityAh,
    cycles: Math.floor(m.cycles),
    soh: 100,
    chargeFetOn: p.chargeFet,
    dischargeFetOn: p.dischargeFet,
    temperatureSensorPresentMask: 0b111,
    packVoltageAlt: m.voltage,
  };
}

/** The PB settings block of a pack: its named settings (simulator-settings.ts), switches and address. */
function settingsValues(pack: SimulatedPack): Record<string, number | boolean> {
  const m = pack.model;
  return {
    ...simulatedSettingValues(pack, 'pb'),
    chargeEnabled: m.chargeEnabled,
    dischargeEnabled: m.dischargeEnabled,
    balancerEnabled: m.balancerEnabled,
    deviceAddress: pack.address,
  };
}

const deviceValues = (address: number): Record<string, string | number> => ({
  model: 'JK_PB2A16S20P',
  hardwareVersion: '15A',
  softwareVersion: '15.41',
  deviceName: `CellSafe sim ${address}`,
  manufacturingDate: '260101',
  serialNumber: `CS${String(address).padStart(4, '0')}`,
  powerOnCount: 1,
});

/** Breaks the JK02 sum at byte 299 (the ACK after it stays valid, as on a noisy wire). */
const corruptJk02 = (b: Buffer): Buffer => {
  b[JK02_LENGTH - 1] ^= 0xff;
  return b;
};

/** JK PB packs on one RS485 bus: FC 0x03 reads of the byte-addressed blocks, trigger and switch writes. */
export const createJkPbSimulator: SimulatorFactory = (options, host) => {
  const owned = createPacks(options, 1);
  const packs = owned.packs;
  let counter = 0;

  const read = (pack: SimulatedPack, req: ModbusRequest): Buffer => {
    const where = blockOf(req.start);
    if (req.quantity < 1 || req.quantity > 125) return exceptionAnswer(req.address, 0x03, 3);
    if (!where || where.offset + 2 * req.quantity > BLOCK_SIZE[where.block])
      return exceptionAnswer(req.address, 0x03, 2);
    const m = pack.model;
    let block: Buffer;
    if (where.block === 'live')
      block = encodeLive(
        liveValues(pack),
        m.cells,
        m.cells.map((_, i) => resistance(i)),
        false,
        BLOCK_SIZE.live,
      );
    else if (where.block === 'deviceInfo')
      block = encodeDeviceInfo(deviceValues(pack.address), false, BLOCK_SIZE.deviceInfo);
    else {
      block = Buffer.alloc(BLOCK_SIZE.settings);
      writeFields(block, false, SETTINGS_FIELDS, settingsValues(pack));
    }
    return readAnswer(req.address, 0x03, block.subarray(where.offset, where.offset + 2 * req.quantity));
  };

  const write = (pack: SimulatedPack, req: ModbusRequest): { bytes: Buffer; corrupt?: (b: Buffer) => Buffer } => {
    const m = pack.model;
    const ack = writeAnswer(req.address, req.start, req.quantity);
    const frame = (f: Buffer): { bytes: Buffer; corrupt: (b: Buffer) => Buffer } => ({
      bytes: Buffer.concat([f, ack]),
      corrupt: corruptJk02,
    });
    switch (req.start) {
      case PB_TRIGGERS.cellInfo:
        return frame(
          encodeJk02CellInfo(
            liveValues(pack),
            m.cells,
            m.cells.map((_, i) => resistance(i)),
            counter++,
          ),
        );
      case PB_TRIGGERS.settings:
        return frame(encodeJk02Settings(settingsValues(pack), counter++));
      case PB_TRIGGERS.deviceInfo:
        return frame(encodeJk02DeviceInfo(deviceValues(pack.address), counter++));
    }
    const settingAnswer = pbSettingWrite(pack, req);
    if (settingAnswer) return { bytes: settingAnswer };
    const which = (Object.keys(PB_SWITCHES) as PbSwitch[]).find((k) => PB_SWITCHES[k] === req.start);
    if (!which || req.quantity !== 2) return { bytes: exceptionAnswer(req.address, 0x10, 2) };
    const value = req.data!.readUInt32BE(0);
    if (value > 1) return { bytes: exceptionAnswer(req.address, 0x10, 3) };
    if (which === 'chargeFet') m.chargeEnabled = value === 1;
    else if (which === 'dischargeFet') m.dischargeEnabled = value === 1;
    else m.balancerEnabled = value === 1;
    return { bytes: ack };
  };

  return simulate(owned, host, options.turnaroundMs ?? 2, {
    framer: requestFramer,
    answer(frame) {
      const req = parseRequest(frame);
      const pack = req && packs.get(req.address);
      if (!req || !pack) return undefined; // wrong CRC or not our address: a Modbus server stays silent
      pack.model.update(host.clock.now());
      if (req.fn === 0x03) return { pack, bytes: read(pack, req) };
      if (req.fn === 0x10) return { pack, ...write(pack, req) };
      return { pack, bytes: exceptionAnswer(req.address, req.fn, req.fn === 0x06 ? 2 : 1) };
    },
  });
};

/** This folder's simulators by protocol name (bms-serial-bus simulator option, `cellsafe simulate`). */
export const JK_SIMULATORS: Record<string, SimulatorFactory> = {
  'jk-nw': createJkNwSimulator,
  'jk-pb': createJkPbSimulator,
};
