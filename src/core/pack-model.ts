/**
 * A pack of series cells with their own physics, driven by a current set from outside (the simulated
 * bank calls `step(current, dtMs)`); the device simulators read it like any BatteryModel.
 *
 * Per cell: its own SoC and capacity (a small spread between cells), the open-circuit voltage curve of
 * its chemistry, a series resistance R0 and one RC branch (polarisation: R1, time constant τ), so the
 * voltage keeps rising for minutes under a steady charge current and relaxes after it stops. Per pack:
 * one temperature, heated by the losses and relaxing to the ambient temperature; resistance grows in
 * the cold. Passive balancing bleeds the high cells near the top of charge. The pack protects itself
 * as a BMS does: a cell at the over-voltage cut, the cold-charge cut or over-temperature opens the
 * charge path (latched, released with hysteresis); a cell at the under-voltage cut opens the
 * discharge path. The bank leaves a pack out of the current split in a direction it does not accept.
 *
 * `update(now)` does nothing: the bank owns time. `frozen` keeps the published values (a hung
 * BMS) while the physics goes on. Cell numbers in the fault methods are 0-based indices.
 */
import { BatteryModel, type BatteryModelOptions } from './battery-model';
import { openCircuitVoltage, type ModelledChemistry } from './ocv-curve';

export interface PackModelOptions extends Omit<BatteryModelOptions, 'current' | 'temperature'> {
  /** Capacity spread between cells as a fraction (0.015: from −1.5 % to +1.5 %). */
  capacitySpread?: number;
  /** Polarisation branch per cell: resistance in ohm (0 = plain resistance) and time constant in s. */
  polarisationResistance?: number;
  polarisationTimeS?: number;
  /** Ambient temperature, °C; the pack starts at it. */
  ambient?: number;
  /** Bleed current of the passive balancer per cell, A. */
  balanceCurrentA?: number;
  /** A cell bleeds when it is at least this voltage (default per chemistry) and more than balanceDeltaV above the lowest. */
  balanceStartV?: number;
  balanceDeltaV?: number;
}

/** The simulated BMS's own protection and balancer start; the release points give hysteresis. */
export interface PackProtection {
  cellOverV: number;
  cellOverReleaseV: number;
  cellUnderV: number;
  cellUnderReleaseV: number;
  balanceStartV: number;
  chargeMinC: number;
  chargeMinReleaseC: number;
  overTemperatureC: number;
  overTemperatureReleaseC: number;
  dischargeMinC: number;
}

const TEMPERATURE_CUTS = {
  chargeMinC: 0,
  chargeMinReleaseC: 2,
  overTemperatureC: 60,
  overTemperatureReleaseC: 50,
  dischargeMinC: -20,
};

export const PROTECTION: Record<ModelledChemistry, PackProtection> = {
  lifepo4: {
    cellOverV: 3.65,
    cellOverReleaseV: 3.55,
    cellUnderV: 2.5,
    cellUnderReleaseV: 2.7,
    balanceStartV: 3.4,
    ...TEMPERATURE_CUTS,
  },
  nmc: {
    cellOverV: 4.2,
    cellOverReleaseV: 4.1,
    cellUnderV: 3.0,
    cellUnderReleaseV: 3.2,
    balanceStartV: 4.1,
    ...TEMPERATURE_CUTS,
  },
  lto: {
    cellOverV: 2.8,
    cellOverReleaseV: 2.7,
    cellUnderV: 1.7,
    cellUnderReleaseV: 1.9,
    balanceStartV: 2.6,
    ...TEMPERATURE_CUTS,
  },
};

/** The LiFePO4 values (the default chemistry). */
export const PACK_PROTECTION = PROTECTION.lifepo4;

/** Heat capacity of one cell (J/K) and its thermal resistance to ambient (K/W): a 280 Ah prismatic cell. */
const CELL_HEAT_CAPACITY = 6100;
const CELL_THERMAL_RESISTANCE = 3;

/** Resistance factor in the cold: 1 at 20 °C and above, rising linearly to 2.5 at −20 °C. */
export function coldResistanceFactor(celsius: number): number {
  const below = Math.min(1, Math.max(0, (20 - celsius) / 40));
  return 1 + 1.5 * below;
}

/** A fixed, reproducible spread in −1…1 for cell k (no randomness: the same pack every run). */
const spreadOf = (k: number): number => (((k * 7) % 11) - 5) / 5;

export class PackModel extends BatteryModel {
  /** Per cell: SoC (%; change it through shiftCellSoc), capacity (Ah), polarisation (V), Ah bled so far. */
  readonly cellSoc: number[];
  readonly cellCapacityAh: number[];
  readonly cellPolarisation: number[];
  readonly balancedAh: number[];
  /** Which cells the balancer bleeds during the last step. */
  readonly balancing: boolean[];
  /** Cell temperature (°C, true value; `temperatures` adds the sensor offset) and ambient. */
  temperature: number;
  ambient: number;
  /** Cells whose reading is forced to a voltage (a stuck sensor): index → volts. */
  readonly forcedCells = new Map<number, number>();
  /** Open-circuit voltage per cell, kept in step with cellSoc (one curve lookup per cell and step). */
  private readonly cellOcv: number[];
  /** Scratch: cell voltages under load during a step. */
  private readonly terminal: number[];
  private readonly r0: number;
  private readonly r1: number;
  private readonly tauS: number;
  private readonly balanceCurrentA: number;
  private readonly balanceStartV: number;
  private readonly protection: PackProtection;
  private readonly balanceDeltaV: number;

  constructor(opts: PackModelOptions = {}) {
    super({ ...opts, current: 0 });
    const n = this.cells.length;
    const spread = opts.capacitySpread ?? 0.015;
    this.r0 = opts.cellResistance ?? 0.0003;
    this.r1 = opts.polarisationResistance ?? 0.0005;
    this.tauS = opts.polarisationTimeS ?? 600;
    this.balanceCurrentA = opts.balanceCurrentA ?? 1;
    this.protection = PROTECTION[this.chemistry];
    this.balanceStartV = opts.balanceStartV ?? this.protection.balanceStartV;
    this.balanceDeltaV = opts.balanceDeltaV ?? 0.01;
    this.ambient = opts.ambient ?? 20;
    this.temperature = this.ambient;
    this.cellSoc = new Array<number>(n).fill(this.soc);
    this.cellCapacityAh = Array.from({ length: n }, (_, k) => this.capacityAh * (1 + spread * spreadOf(k)));
    this.cellPolarisation = new Array<number>(n).fill(0);
    this.balancedAh = new Array<number>(n).fill(0);
    this.balancing = new Array<boolean>(n).fill(false);
    this.cellOcv = new Array<number>(n).fill(0);
    this.terminal = new Array<number>(n).fill(0);
    this.refreshOcv();
    this.publish();
  }

  /** The bank owns time: reading the pack never moves it. */
  override update(): void {}

  /** Series resistance of the pack now (ohm), cold included. */
  get seriesResistance(): number {
    return this.cells.length * this.r0 * coldResistanceFactor(this.temperature);
  }

  /** Internal voltage (open-circuit plus polarisation) of the pack, V. */
  get emf(): number {
    let sum = 0;
    for (let k = 0; k < this.cellSoc.length; k++) sum += this.cellEmf(k);
    return sum;
  }

  /** Whether the pack's BMS lets current through in this direction (+ = charge). */
  accepts(current: number): boolean {
    if (current > 0) return this.chargeEnabled && !this.chargeBlocked;
    if (current < 0) return this.dischargeEnabled && !this.dischargeBlocked;
    return true;
  }

  /** Moves a cell's SoC (a "runner" out of balance); the charge of the rest stays as it was. */
  shiftCellSoc(index: number, deltaPct: number): void {
    if (index < 0 || index >= this.cellSoc.length) return;
    this.cellSoc[index] += deltaPct;
    this.refreshOcv();
    this.publish();
  }

  /** Advances the physics by dtMs with `current` A through the pack (+ = charging). */
  step(current: number, dtMs: number): void {
    const dtS = Math.max(0, dtMs) / 1000;
    const amps = Number.isFinite(current) ? current : 0;
    const r0 = this.r0 * coldResistanceFactor(this.temperature);
    const decay = Math.exp(-dtS / this.tauS);
    const terminal = this.terminal;
    let lowest = Infinity;
    for (let k = 0; k < terminal.length; k++) lowest = Math.min(lowest, (terminal[k] = this.reading(k, amps, r0)));
    const socBefore = this.meanSoc();
    let heatW = 0;
    for (let k = 0; k < this.cellSoc.length; k++) {
      const bleed = this.bleeds(terminal[k], lowest) ? this.balanceCurrentA : 0;
      this.balancing[k] = bleed > 0;
      const cellAmps = amps - bleed;
      heatW += amps * amps * r0 + amps * this.cellPolarisation[k] + bleed * terminal[k];
      this.cellSoc[k] += (100 * cellAmps * dtS) / 3600 / this.cellCapacityAh[k];
      this.balancedAh[k] += (bleed * dtS) / 3600;
      this.cellPolarisation[k] = this.cellPolarisation[k] * decay + amps * this.r1 * (1 - decay);
    }
    this.refreshOcv();
    this.heat(heatW, dtS);
    this.countCycles(socBefore, amps);
    this.current = amps;
    this.protect(amps, r0);
    this.publish();
  }

  private bleeds(volts: number, lowest: number): boolean {
    return this.balancerEnabled && volts >= this.balanceStartV && volts - lowest > this.balanceDeltaV;
  }

  private heat(watts: number, dtS: number): void {
    const n = this.cellSoc.length;
    const loss = (this.temperature - this.ambient) / (CELL_THERMAL_RESISTANCE / n);
    this.temperature += ((watts - loss) * dtS) / (CELL_HEAT_CAPACITY * n);
  }

  /** Half a cycle each time the mean SoC crosses 50 %, as the base model counts. */
  private countCycles(before: number, amps: number): void {
    const after = this.meanSoc();
    if (before > 50 && after <= 50 && amps < 0) this.cycles += 0.5;
    if (before < 50 && after >= 50 && amps > 0) this.cycles += 0.5;
  }

  /** The BMS acts on what it measures: the cell voltages under the present current. */
  private protect(amps: number, r0: number): void {
    const p = this.protection;
    let high = -Infinity;
    let low = Infinity;
    for (let k = 0; k < this.cellSoc.length; k++) {
      const volts = this.reading(k, amps, r0);
      high = Math.max(high, volts);
      low = Math.min(low, volts);
    }
    const t = this.temperature;
    if (high >= p.cellOverV || t < p.chargeMinC || t >= p.overTemperatureC) this.chargeBlocked = true;
    else if (high < p.cellOverReleaseV && t >= p.chargeMinReleaseC && t < p.overTemperatureReleaseC) {
      this.chargeBlocked = false;
    }
    if (low <= p.cellUnderV || t < p.dischargeMinC || t >= p.overTemperatureC) this.dischargeBlocked = true;
    else if (low > p.cellUnderReleaseV && t > p.dischargeMinC && t < p.overTemperatureReleaseC) {
      this.dischargeBlocked = false;
    }
  }

  private refreshOcv(): void {
    for (let k = 0; k < this.cellSoc.length; k++) this.cellOcv[k] = openCircuitVoltage(this.chemistry, this.cellSoc[k]);
  }

  private cellEmf(k: number): number {
    return this.cellOcv[k] + this.cellPolarisation[k];
  }

  /** What the BMS measures on cell k with `amps` through resistance r0: forced value, or true voltage + offset. */
  private reading(k: number, amps: number, r0: number): number {
    return this.forcedCells.get(k) ?? this.cellEmf(k) + amps * r0 + (this.cellOffsets.get(k) ?? 0);
  }

  private meanSoc(): number {
    return this.cellSoc.reduce((a, b) => a + b, 0) / this.cellSoc.length;
  }

  /** Writes the values a BMS reports (unless frozen). */
  private publish(): void {
    if (this.frozen) return;
    this.soc = Math.min(100, Math.max(0, this.meanSoc()));
    const r0 = this.r0 * coldResistanceFactor(this.temperature);
    for (let k = 0; k < this.cells.length; k++) {
      this.cells[k] = Math.round(this.reading(k, this.current, r0) * 1000) / 1000;
    }
    const measured = this.temperature + this.temperatureOffset;
    this.temperatures = this.temperatures.map((_, k) => Math.round((measured + k * 0.5) * 10) / 10);
  }
}
