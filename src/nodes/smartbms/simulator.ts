/**
 * A simulated 123\SmartBMS: sends one 58-byte frame per cycle on its own cadence (it never waits
 * for a request — the real EXT OUT has no receive line). gen2: every 0.5 s with the device clock in
 * bytes 47/48; gen3: every 1 s with the rotating key/value pair. Relays follow the seed manuals in
 * normal or critical mode (core/smartbms-relay-rules.ts). Profile: "gen3" (default), "gen2", "gen3-critical",
 * "gen2-critical".
 *
 * Faults: the pack's wire faults (silent, badChecksum, garbage, truncated), the battery model's
 * (runner cell, temperature offset, frozen), `cellCommError` (E flag), and force-off of a relay via
 * `model.chargeEnabled` / `model.dischargeEnabled` (the gen3 app's relay force-off).
 */
import { BatteryModel, type ModelledChemistry } from '../../core/battery-model';
import type { DeviceSimulator, SimulatedPack, SimulatorFactory, SimulatorOptions } from '../../transport/simulator-api';
import { simulatorPacks } from '../../transport/simulated-banks';
import { applyWireFaults } from '../../transport/wire-faults';
import { KEY_COUNT, KEY_OFFSET, STATUS1, STATUS2, encodeFrame, temperatureRawVenus } from './protocol-smartbms';
import {
  fullSync,
  nextRelays,
  type RelayTableMode,
  type RelayThresholds,
  type RelayState,
} from '../../core/smartbms-relay-rules';

export type Generation = 'gen2' | 'gen3';

export interface SmartBmsSimulatorOptions extends SimulatorOptions {
  /** Frame period in ms; default 500 (gen2) / 1000 (gen3). Tests may go faster. */
  cadenceMs?: number;
}

export interface SmartBmsSimulator extends DeviceSimulator {
  readonly generation: Generation;
  mode: RelayTableMode;
  settings: RelayThresholds;
  /** Cell board chain broken: the E flag, both relays off. */
  cellCommError: boolean;
  readonly relays: RelayState;
  /** The pack being simulated (the BMS serves exactly one). */
  readonly pack: SimulatedPack;
}

/** Recommended thresholds per chemistry (gen3 manual); T and restart values are our defaults [asm]. */
const THRESHOLDS: Record<ModelledChemistry, Pick<RelayThresholds, 'vMin' | 'vBalance' | 'vMax'>> = {
  lifepo4: { vMin: 2.9, vBalance: 3.4, vMax: 3.7 },
  lto: { vMin: 2.15, vBalance: 2.6, vMax: 2.7 },
  nmc: { vMin: 3.43, vBalance: 4.0, vMax: 4.1 },
};
const NOMINAL_V: Record<ModelledChemistry, number> = { lifepo4: 3.2, lto: 2.4, nmc: 3.7 };
interface Energy {
  todayIn: number;
  todayOut: number;
  totalIn: number;
  totalOut: number;
}

const FIRMWARE = { major: 3, minor: 3, patch: 11 };

export function parseProfile(profile: string | undefined): { generation: Generation; mode: RelayTableMode } {
  const parts = (profile || 'gen3')
    .toLowerCase()
    .split(/[-,\s]+/)
    .filter(Boolean);
  const known = ['gen2', 'gen3', 'normal', 'critical'];
  const bad = parts.find((p) => !known.includes(p));
  if (bad) throw new Error(`smartbms simulator: unknown profile part "${bad}" (use gen2|gen3, optionally -critical)`);
  return {
    generation: parts.includes('gen2') ? 'gen2' : 'gen3',
    mode: parts.includes('critical') ? 'critical' : 'normal',
  };
}

export const createSmartBmsSimulator = (
  options: SmartBmsSimulatorOptions,
  host: Parameters<SimulatorFactory>[1],
): SmartBmsSimulator => {
  const { generation, mode } = parseProfile(options.profile);
  const cellCount = options.cells ?? 16;
  if (!Number.isInteger(cellCount) || cellCount < 4 || cellCount > 255) {
    throw new Error(`smartbms simulator: cells must be 4..255 (got ${cellCount})`);
  }
  const address = options.addresses?.[0] ?? 1;
  const { packs, release } = simulatorPacks({ ...options, cells: cellCount }, [address], () => {
    const own = new BatteryModel({ cells: cellCount, capacityAh: options.capacityAh });
    return new Map([[address, { address, model: own, faults: {} }]]);
  });
  const pack: SimulatedPack = packs.get(address)!;
  const model = pack.model;
  const nominalV = NOMINAL_V[model.chemistry];
  const capacityKWh = Math.round((model.capacityAh * nominalV * cellCount) / 100) / 10;
  const state: SimState = {
    energy: { todayIn: 0, todayOut: 0, totalIn: 0, totalOut: 0 },
    relays: { charge: true, load: true },
    heldFull: false,
    tick: 0,
  };
  const device: DeviceConstants = { model, generation, cellCount, nominalV, capacityKWh };

  const sim: SmartBmsSimulator = {
    generation,
    mode,
    settings: { ...THRESHOLDS[model.chemistry], tMin: 0, tMax: 50, chargeRestartSoc: 90, dischargeRestartSoc: 20 },
    cellCommError: false,
    get relays() {
      return { ...state.relays };
    },
    pack,
    packs,
    receive() {
      /* output-only device: whatever the host writes is ignored */
    },
    close() {
      host.clock.clearInterval(timer);
      release();
    },
  };

  const timer = host.clock.setInterval(
    () => {
      const out = applyWireFaults(buildFrame(host.clock.now(), sim, state, device), pack.faults);
      if (out) host.send(out);
    },
    options.cadenceMs ?? (generation === 'gen2' ? 500 : 1000),
  );
  return sim;
};

interface SimState {
  energy: Energy;
  relays: RelayState;
  /** Full-sync seen and SoC not yet below 99 %: the BMS reports 100 %. */
  heldFull: boolean;
  /** Frames sent so far: drives the rotating cell record and gen3 key. */
  tick: number;
  /** Time of the previous frame, for the energy counters. */
  last?: number;
}

interface DeviceConstants {
  model: BatteryModel;
  generation: Generation;
  cellCount: number;
  nominalV: number;
  capacityKWh: number;
}

/** One frame at `now`: advances the model, energy counters, relays and the rotating indexes. */
function buildFrame(now: number, sim: SmartBmsSimulator, state: SimState, device: DeviceConstants): Buffer {
  const { model, generation, cellCount, nominalV, capacityKWh } = device;
  model.update(now);
  const hours = state.last === undefined ? 0 : (now - state.last) / 3_600_000;
  state.last = now;
  addEnergy(state.energy, model.voltage * model.current * hours);

  const s = sim.settings;
  const cells = model.cells;
  const temps = cells.map((_, k) => model.temperatures[k % model.temperatures.length]);
  const comm = !sim.cellCommError;
  const full = fullSync(cells, s.vBalance, sim.mode);
  if (full) state.heldFull = true;
  else if (model.soc < 99) state.heldFull = false;
  // The BMS holds SoC at 99 % until the full-sync condition has been met (123electric FAQ, seeds).
  const soc = state.heldFull ? 100 : Math.min(99, Math.round(model.soc));
  const relays = nextRelays(state.relays, { cells, temps, soc, commOk: comm }, s, sim.mode);
  state.relays = relays;
  const charge = relays.charge && model.chargeEnabled && !model.chargeBlocked;
  const load = relays.load && model.dischargeEnabled && !model.dischargeBlocked;

  const limits = exceededLimits(cells, temps, s);
  const { vl, vh, tl, th } = limits;
  const status1 = status1Byte(charge, load, comm, limits);

  const cell = state.tick % cellCount;
  const [b47, b48] =
    generation === 'gen3'
      ? keyValue(state.tick % KEY_COUNT, {
          sim,
          charge,
          load,
          tl,
          alarm: vl || vh || tl || th || !comm,
          cycles: Math.floor(model.cycles),
          energy: state.energy,
          nominalV,
        })
      : [new Date(now).getUTCHours(), new Date(now).getUTCMinutes()];
  state.tick++;
  return encodeSimulatedFrame(
    { model, cells, temps, cellCount, cell, status1, soc, capacityKWh, energy: state.energy, settings: s },
    [b47, b48],
  );
}

function status1Byte(charge: boolean, load: boolean, comm: boolean, limits: ReturnType<typeof exceededLimits>): number {
  return (
    (charge ? STATUS1.allowedToCharge : 0) |
    (load ? STATUS1.allowedToDischarge : 0) |
    (comm ? 0 : STATUS1.commError) |
    (limits.vl ? STATUS1.vMinExceeded : 0) |
    (limits.vh ? STATUS1.vMaxExceeded : 0) |
    (limits.tl ? STATUS1.tMinExceeded : 0) |
    (limits.th ? STATUS1.tMaxExceeded : 0)
  );
}

function addEnergy(energy: Energy, wattHours: number): void {
  if (wattHours > 0) {
    energy.todayIn += wattHours;
    energy.totalIn += wattHours / 1000;
  } else {
    energy.todayOut -= wattHours;
    energy.totalOut -= wattHours / 1000;
  }
}

/** Which of the BMS's cell voltage / temperature limits are exceeded (the status byte 1 flags). */
function exceededLimits(
  cells: number[],
  temps: number[],
  settings: RelayThresholds,
): { vl: boolean; vh: boolean; tl: boolean; th: boolean } {
  return {
    vl: cells.some((v) => v <= settings.vMin),
    vh: cells.some((v) => v >= settings.vMax),
    tl: temps.some((t) => t < settings.tMin),
    th: temps.some((t) => t > settings.tMax),
  };
}

interface FrameInputs {
  model: BatteryModel;
  cells: number[];
  temps: number[];
  cellCount: number;
  /** Zero-based index of this frame's rotating cell record. */
  cell: number;
  status1: number;
  soc: number;
  capacityKWh: number;
  energy: Energy;
  settings: RelayThresholds;
}

function encodeSimulatedFrame(inputs: FrameInputs, [b47, b48]: [number, number]): Buffer {
  const { model, cells, temps, cellCount, cell, status1, soc, capacityKWh, energy, settings: s } = inputs;
  const lo = indexOfExtreme(cells, (a, b) => a < b);
  const hi = indexOfExtreme(cells, (a, b) => a > b);
  const tRaw = temps.map(temperatureRawVenus);
  const tlo = indexOfExtreme(tRaw, (a, b) => a < b);
  const thi = indexOfExtreme(tRaw, (a, b) => a > b);
  const current = model.current;
  return encodeFrame({
    packVoltage: model.voltage,
    current1: Math.max(0, current),
    current2: Math.max(0, -current),
    batteryCurrent: current,
    lowestCellVoltage: cells[lo],
    lowestCellVoltageCell: lo + 1,
    highestCellVoltage: cells[hi],
    highestCellVoltageCell: hi + 1,
    lowestCellTempRaw: tRaw[tlo],
    lowestCellTempCell: tlo + 1,
    highestCellTempRaw: tRaw[thi],
    highestCellTempCell: thi + 1,
    cellInfoIndex: cell + 1,
    cellCount,
    cellInfoVoltage: cells[cell],
    cellInfoTempRaw: tRaw[cell],
    status1,
    todayEnergyCollectedWh: energy.todayIn,
    energyStoredWh: (soc / 100) * capacityKWh * 1000,
    todayEnergyConsumedWh: energy.todayOut,
    soc,
    totalEnergyCollectedKWh: energy.totalIn,
    totalEnergyConsumedKWh: energy.totalOut,
    byte47: b47,
    byte48: b48,
    capacityKWh,
    vMinSetting: s.vMin,
    vMaxSetting: s.vMax,
    vBalanceSetting: s.vBalance,
  });
}

function indexOfExtreme(values: number[], better: (a: number, b: number) => boolean): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (better(values[i], values[best])) best = i;
  return best;
}

interface KeyContext {
  sim: SmartBmsSimulator;
  charge: boolean;
  load: boolean;
  tl: boolean;
  alarm: boolean;
  cycles: number;
  energy: { totalIn: number; totalOut: number };
  nominalV: number;
}

/** Bytes 47/48 of a gen3 frame for one key of the rotation (docs/protocols/smartbms.md#rotating-keyvalue-pair). */
function keyValue(key: number, c: KeyContext): [number, number] {
  const v005 = (v: number): number => Math.round(v / 0.005);
  const byteOf = (v: number, shift: number): number => (Math.max(0, Math.floor(v)) >> shift) & 0xff;
  const values: number[] = [
    100,
    99, // SoH, charge efficiency
    byteOf(v005(c.sim.settings.vMin + 0.1), 8),
    byteOf(v005(c.sim.settings.vMin + 0.1), 0), // V-low
    byteOf(v005(c.nominalV), 8),
    byteOf(v005(c.nominalV), 0),
    (FIRMWARE.major << 4) | FIRMWARE.minor,
    FIRMWARE.patch,
    byteOf(c.cycles, 8),
    byteOf(c.cycles, 0),
    byteOf(c.energy.totalIn, 16),
    byteOf(c.energy.totalIn, 8),
    byteOf(c.energy.totalIn, 0),
    byteOf(c.energy.totalOut, 16),
    byteOf(c.energy.totalOut, 8),
    byteOf(c.energy.totalOut, 0),
    (c.alarm ? STATUS2.earlyWarning : 0) |
      (c.tl ? STATUS2.tMinChargeExceeded | STATUS2.tMinDischargeExceeded : 0) |
      (c.charge ? STATUS2.chargeRelayClosed : 0) |
      (c.load ? STATUS2.loadRelayClosed : 0),
    byteOf(v005(c.sim.settings.vBalance), 8),
    byteOf(v005(c.sim.settings.vBalance), 0), // V-full = V-balance
  ];
  return [key + KEY_OFFSET, values[key]];
}

/** This folder's simulators by protocol name (bms-serial-bus simulator option, `cellsafe simulate`). */
export const SMARTBMS_SIMULATORS: Record<string, SimulatorFactory> = { smartbms: createSmartBmsSimulator };
