/**
 * A simple battery pack model shared by every device simulator: cells follow an open-circuit
 * voltage curve from SoC plus IR drop, current comes from a profile, SoC integrates the current.
 * Faults that belong to the battery (runner cell, over-temperature, frozen values) live here;
 * faults that belong to the wire (silence, bad checksum, garbage) live in the simulators.
 */
import { openCircuitVoltage, type ModelledChemistry } from './ocv-curve';

export type { ModelledChemistry };

export interface BatteryModelOptions {
  cells?: number;
  capacityAh?: number;
  soc?: number;
  chemistry?: ModelledChemistry;
  temperature?: number;
  /** Constant current in A (+ = charging) or a profile of time in ms. */
  current?: number | ((timeMs: number) => number);
  /** Internal resistance per cell in ohm. */
  cellResistance?: number;
}

export class BatteryModel {
  readonly capacityAh: number;
  readonly chemistry: ModelledChemistry;
  soc: number;
  current = 0;
  temperatures: number[];
  cells: number[];
  cycles = 0;
  chargeEnabled = true;
  dischargeEnabled = true;
  balancerEnabled = true;
  /** The pack's own protection holds this direction open (latched); only a cell-level model sets them. */
  chargeBlocked = false;
  dischargeBlocked = false;
  /** Extra volts added to one cell (a "runner"): index → offset. */
  readonly cellOffsets = new Map<number, number>();
  /** Added to every temperature sensor (over-temperature fault). */
  temperatureOffset = 0;
  /** Frozen: update() keeps the last values (a BMS whose firmware hangs). */
  frozen = false;
  private readonly profile: (t: number) => number;
  private readonly resistance: number;
  private lastUpdate?: number;

  constructor(opts: BatteryModelOptions = {}) {
    const n = opts.cells ?? 16;
    this.capacityAh = opts.capacityAh ?? 280;
    this.chemistry = opts.chemistry ?? 'lifepo4';
    this.soc = opts.soc ?? 60;
    this.resistance = opts.cellResistance ?? 0.0003;
    const c = opts.current ?? 0;
    this.profile = typeof c === 'function' ? c : () => c;
    this.temperatures = [opts.temperature ?? 25, (opts.temperature ?? 25) + 0.5];
    this.cells = new Array<number>(n).fill(0);
    this.recompute();
  }

  get voltage(): number {
    return this.cells.reduce((a, b) => a + b, 0);
  }
  get remainingAh(): number {
    return (this.capacityAh * this.soc) / 100;
  }
  get cellMin(): number {
    return Math.min(...this.cells);
  }
  get cellMax(): number {
    return Math.max(...this.cells);
  }

  /** Advances the model to time `now` (ms). */
  update(now: number): void {
    if (this.frozen) {
      this.lastUpdate = now;
      return;
    }
    const dtH = this.lastUpdate === undefined ? 0 : Math.max(0, now - this.lastUpdate) / 3_600_000;
    this.lastUpdate = now;
    let i = this.profile(now);
    if (i > 0 && !this.chargeEnabled) i = 0;
    if (i < 0 && !this.dischargeEnabled) i = 0;
    this.current = i;
    const before = this.soc;
    this.soc = Math.min(100, Math.max(0, this.soc + (100 * i * dtH) / this.capacityAh));
    if (before > 50 && this.soc <= 50 && i < 0) this.cycles += 0.5;
    if (before < 50 && this.soc >= 50 && i > 0) this.cycles += 0.5;
    this.recompute();
  }

  private recompute(): void {
    const ocv = openCircuitVoltage(this.chemistry, this.soc);
    const v = ocv + this.current * this.resistance;
    for (let k = 0; k < this.cells.length; k++) {
      // A small fixed spread so cells are distinguishable in tests, plus any injected offset.
      this.cells[k] = Math.round((v + ((k % 4) - 1.5) * 0.002 + (this.cellOffsets.get(k) ?? 0)) * 1000) / 1000;
    }
    const base = 25 + this.temperatureOffset;
    this.temperatures = this.temperatures.map((_, k) => Math.round((base + k * 0.5) * 10) / 10);
  }
}
