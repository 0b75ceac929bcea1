/**
 * Maps a decoded 123\SmartBMS frame (plus what earlier frames assembled) to the common PackState
 * (docs/protocols/smartbms.md#mapping-to-packstate). The frame's pack-level fields are complete in every frame; per-cell
 * values and the key/value data come from the assemblers. Every PackState passes the plausibility gate,
 * which also judges what the frame states about cells outside `cells` (lowest, highest, rotating record).
 */
import type { Alarms, PackState } from '../../core/pack-state';
import { plausiblePack } from '../../core/plausibility';
import type { CellRecord } from './cell-assembler';
import type { KeyValues } from './key-values';
import { STATUS1, temperature, type SmartBmsFrame, type TemperatureFormula } from './protocol-smartbms';

export interface PackContext {
  id: string;
  time: number;
  formula: TemperatureFormula;
  /** Status byte 1 to act on (filtered over frames by the listener; the frame's own for one-shot decodes). */
  status1: number;
  /** Cells 1..N, or undefined when not all cells have been seen. */
  cells?: CellRecord[];
  keyValues: KeyValues;
  counters?: Record<string, number>;
}

export function alarmsFromStatus1(status1: number): Alarms {
  const alarms: Alarms = {};
  if (status1 & STATUS1.commError) alarms.communication = 'alarm';
  if (status1 & STATUS1.vMinExceeded) alarms.cellUnderVoltage = 'alarm';
  if (status1 & STATUS1.vMaxExceeded) alarms.cellOverVoltage = 'alarm';
  // One T-min / T-max stops both relays (seed manuals), so both directions are in alarm.
  if (status1 & STATUS1.tMinExceeded) {
    alarms.chargeUnderTemperature = 'alarm';
    alarms.dischargeUnderTemperature = 'alarm';
  }
  if (status1 & STATUS1.tMaxExceeded) {
    alarms.chargeOverTemperature = 'alarm';
    alarms.dischargeOverTemperature = 'alarm';
  }
  return alarms;
}

/** The PackState of a frame, or the reason it is implausible. */
export function toPackState(
  f: SmartBmsFrame,
  ctx: PackContext,
): { ok: true; value: PackState } | { ok: false; reason: string } {
  const formula = ctx.formula;
  const kv = ctx.keyValues;
  const cells = ctx.cells ?? [];
  // Ah only through the nominal cell voltage the BMS itself reports (key 4/5); the frame carries kWh.
  const nominalPackV = kv.vNominal && kv.vNominal > 0 ? kv.vNominal * f.cellCount : undefined;
  const pack: PackState = {
    kind: 'pack',
    id: ctx.id,
    protocol: 'smartbms',
    time: ctx.time,
    voltage: f.packVoltage,
    current: f.batteryCurrent ?? 0,
    soc: f.soc,
    cells: cells.map((c) => c.voltage),
    cellTemperatures: cells.map((c) => temperature(c.tempRaw, formula)),
    // The min/max fields are current in every frame; the rotating per-cell values lag by up to N frames.
    temperatures: [temperature(f.lowestCellTempRaw, formula), temperature(f.highestCellTempRaw, formula)],
    chargeAllowed: (ctx.status1 & STATUS1.allowedToCharge) !== 0,
    dischargeAllowed: (ctx.status1 & STATUS1.allowedToDischarge) !== 0,
    alarms: alarmsFromStatus1(ctx.status1),
  };
  if (kv.soh !== undefined) pack.soh = kv.soh;
  if (kv.cycles !== undefined) pack.cycles = kv.cycles;
  if (nominalPackV) {
    pack.remainingAh = round(f.energyStoredWh / nominalPackV, 1);
    pack.fullAh = round((f.capacityKWh * 1000) / nominalPackV, 1);
  }
  if (cells.length > 0) pack.balancing = cells.some((c) => c.voltage >= f.vBalanceSetting);
  pack.extra = packExtra(f, ctx, cells);
  const { stated, statedTemperatures } = statedValues(f, formula);
  return plausiblePack(pack, {
    frameCellCount: f.cellCount,
    noCells: ctx.cells === undefined,
    statedCellVoltages: stated,
    statedTemperatures,
  });
}

/** Everything beyond the common PackState fields, for dashboards and diagnosis. */
function packExtra(f: SmartBmsFrame, ctx: PackContext, cells: CellRecord[]): Record<string, unknown> {
  const formula = ctx.formula;
  const kv = ctx.keyValues;
  return {
    cellCount: f.cellCount,
    cellAgesMs: cells.map((c) => ctx.time - c.time),
    cellTemperaturesRaw: cells.map((c) => c.tempRaw),
    cellBalancing: cells.map((c) => c.voltage >= f.vBalanceSetting),
    cellInfo: {
      index: f.cellInfoIndex,
      voltage: f.cellInfoVoltage,
      temperature: temperature(f.cellInfoTempRaw, formula),
      temperatureRaw: f.cellInfoTempRaw,
    },
    temperatureFormula: ctx.formula,
    batteryCurrent: f.batteryCurrent,
    current1: f.current1,
    current2: f.current2,
    lowestCell: { voltage: f.lowestCellVoltage, cell: f.lowestCellVoltageCell },
    highestCell: { voltage: f.highestCellVoltage, cell: f.highestCellVoltageCell },
    lowestTemperature: {
      temperature: temperature(f.lowestCellTempRaw, formula),
      raw: f.lowestCellTempRaw,
      cell: f.lowestCellTempCell,
    },
    highestTemperature: {
      temperature: temperature(f.highestCellTempRaw, formula),
      raw: f.highestCellTempRaw,
      cell: f.highestCellTempCell,
    },
    status1: f.status1,
    socNotCalibrated: f.socNotCalibrated,
    energyStoredWh: f.energyStoredWh,
    todayEnergyInWh: f.todayEnergyCollectedWh,
    todayEnergyOutWh: f.todayEnergyConsumedWh,
    totalEnergyInKWh: f.totalEnergyCollectedKWh,
    totalEnergyOutKWh: f.totalEnergyConsumedKWh,
    capacityKWh: f.capacityKWh,
    settings: { vMin: f.vMinSetting, vMax: f.vMaxSetting, vBalance: f.vBalanceSetting },
    ...kv,
    ...(f.frameKind === 'legacy-clock'
      ? { deviceClock: `${pad2(f.legacyClockHours!)}:${pad2(f.legacyClockMinutes!)}` }
      : {}),
    // No generation flag in the frame: firmware major 3 means gen3 [inferred].
    generation: kv.firmware?.startsWith('3.') ? 'gen3' : 'unknown',
    ...ctx.counters,
  };
}

/** What the frame states about cells outside `cells`: lowest, highest and the rotating record. */
function statedValues(
  f: SmartBmsFrame,
  formula: TemperatureFormula,
): { stated: number[]; statedTemperatures: number[] } {
  const stated = [f.lowestCellVoltage, f.highestCellVoltage];
  const statedTemperatures: number[] = [];
  // Index 0 or above the cell count carries no cell record.
  if (f.cellInfoIndex >= 1 && f.cellInfoIndex <= f.cellCount) {
    stated.push(f.cellInfoVoltage);
    statedTemperatures.push(temperature(f.cellInfoTempRaw, formula));
  }
  return { stated, statedTemperatures };
}

const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;
const pad2 = (n: number): string => String(n).padStart(2, '0');
