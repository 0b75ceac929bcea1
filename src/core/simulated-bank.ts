/**
 * A simulated battery bank: packs in parallel (one PackModel each, numbered like the simulators'
 * addresses), one bank current, one clock.
 *
 * Interface (for the simulated inverter, the demo and `cellsafe simulate --bank`):
 * - `bank.clock` is a ScaledClock (simulated time). The physics steps every `stepMs` (1 s) on it; put
 *   every other simulated-time timer (inverter control, day profile) on the same clock so results
 *   do not depend on the speed. `bank.start()` / `bank.stop()` let it follow the wall clock,
 *   `bank.setSpeed(n)` (1…600) sets how fast; tests leave it stopped and call `bank.clock.advance(ms)`.
 * - `bank.setCurrent(amps | (timeMs) => amps)`: the current the bank is asked for (+ = charging),
 *   read at each step. `bank.current` is what actually flows (0 when every pack's BMS blocks that
 *   direction), `bank.voltage` the bus voltage after the last step, `bank.resistance` the packs'
 *   resistances in parallel (pack n's own: `bank.pack(n).seriesResistance`).
 * - `bank.pack(n)` is pack n's model (created on demand), `bank.packIds` the packs there are.
 * - Faults: `pullCable(n)` (pack n's simulator falls silent: `bank.cable(n)` is the wire-faults object
 *   the simulators share), `forceCellVoltage(pack, cell, volts)` (cell numbers from 1),
 *   `setAmbient(celsius, { cellsToo })`, `allClear()`. The option `runner` starts one cell ahead.
 *
 * Split: packs in parallel share the bus voltage, V = (I + Σ E_k/R_k) / Σ(1/R_k) and
 * I_k = (V − E_k)/R_k, so the pack currents sum to the bank current; E_k is the pack's internal
 * voltage (open circuit plus polarisation), R_k its series resistance. A pack whose BMS blocks the
 * direction of the bank current is left out; a pack with its data cable pulled stays in.
 */
import { PackModel, type PackModelOptions } from './pack-model';
import { ScaledClock } from './scaled-clock';
import type { Clock } from './clock';

export interface SimulatedBankOptions extends PackModelOptions {
  /** Packs created up front, numbered 1…packs (default 0: the simulators create theirs by address). */
  packs?: number;
  /** One cell that starts `socPct` ahead of the others (pack and cell numbers from 1). */
  runner?: { pack: number; cell: number; socPct: number };
  /** Physics step in ms of simulated time (default 1000). */
  stepMs?: number;
  /** Time acceleration while started, 1…600 (default 1). */
  speed?: number;
  /** Simulated time at the start, ms since the epoch (default 2026-01-01 00:00 UTC). */
  startMs?: number;
  /** The clock simulated time follows once started (default the wall clock). */
  baseClock?: Clock;
}

/** Wire faults of one pack's simulator that the bank can set (the same object the simulator reads). */
export interface PackCable {
  silent?: boolean;
}

/** What the current split needs of a pack. */
export interface ParallelPack {
  emf: number;
  seriesResistance: number;
}

/** Bus voltage and per-pack currents of packs in parallel carrying `current` together. */
export function splitCurrent(packs: readonly ParallelPack[], current: number): { volts: number; currents: number[] } {
  if (packs.length === 0) return { volts: 0, currents: [] };
  let conductance = 0;
  let sourced = 0;
  for (const p of packs) {
    conductance += 1 / p.seriesResistance;
    sourced += p.emf / p.seriesResistance;
  }
  const volts = (current + sourced) / conductance;
  return { volts, currents: packs.map((p) => (volts - p.emf) / p.seriesResistance) };
}

export const DEFAULT_AMBIENT_C = 20;

export class SimulatedBank {
  readonly clock: ScaledClock;
  /** Current flowing in the last step, A (+ = charging). */
  current = 0;
  /** Bus voltage after the last step, V. */
  voltage = 0;
  private demand: (timeMs: number) => number = () => 0;
  private readonly models = new Map<number, PackModel>();
  private readonly cables = new Map<number, PackCable>();

  constructor(private readonly options: SimulatedBankOptions = {}) {
    this.clock = new ScaledClock(options.baseClock, { start: options.startMs, speed: options.speed });
    for (let id = 1; id <= (options.packs ?? 0); id++) this.pack(id);
    const stepMs = Math.max(1, options.stepMs ?? 1000);
    this.clock.setInterval(() => this.step(stepMs), stepMs);
  }

  /** Pack `id`'s model, created on first use with the bank's options (then `options`, if given). */
  pack(id: number, options: PackModelOptions = {}): PackModel {
    let model = this.models.get(id);
    if (!model) {
      model = new PackModel({ ...this.options, ...dropUndefined(options) });
      const runner = this.options.runner;
      if (runner?.pack === id) model.shiftCellSoc(runner.cell - 1, runner.socPct);
      this.models.set(id, model);
      this.voltage = this.busVoltage();
    }
    return model;
  }

  get packIds(): number[] {
    return [...this.models.keys()];
  }

  /** The wire faults pack `id`'s simulator applies (shared object). */
  cable(id: number): PackCable {
    let cable = this.cables.get(id);
    if (!cable) this.cables.set(id, (cable = {}));
    return cable;
  }

  setCurrent(current: number | ((timeMs: number) => number)): void {
    this.demand = typeof current === 'function' ? current : () => current;
  }

  /** The packs' series resistances in parallel, ohm (an inverter's estimate for its voltage loop). */
  get resistance(): number {
    let conductance = 0;
    for (const p of this.models.values()) conductance += 1 / p.seriesResistance;
    return conductance > 0 ? 1 / conductance : Infinity;
  }

  /** The current asked for now, A. */
  get requestedCurrent(): number {
    const amps = this.demand(this.clock.now());
    return Number.isFinite(amps) ? amps : 0;
  }

  /** One physics step of dtMs: split the bank current between the packs that accept it. */
  step(dtMs: number): void {
    const wanted = this.requestedCurrent;
    const packs = [...this.models.values()];
    const open = packs.filter((p) => p.accepts(wanted));
    const split = splitCurrent(open, open.length ? wanted : 0);
    this.current = open.length ? wanted : 0;
    for (const p of packs) {
      const k = open.indexOf(p);
      p.step(k >= 0 ? split.currents[k] : 0, dtMs);
    }
    // With every path open the bus shows the packs' rest voltage.
    this.voltage = open.length ? this.busVoltage(open, this.current) : this.busVoltage();
  }

  get speed(): number {
    return this.clock.speed;
  }
  setSpeed(speed: unknown): void {
    this.clock.setSpeed(speed);
  }
  start(): void {
    this.clock.start();
  }
  stop(): void {
    this.clock.stop();
  }

  pullCable(id: number, pulled = true): void {
    this.cable(id).silent = pulled;
  }

  /** Forces what pack `packId`'s BMS reads on cell `cell` (from 1); undefined releases it. */
  forceCellVoltage(packId: number, cell: number, volts: number | undefined): void {
    const forced = this.pack(packId).forcedCells;
    if (volts === undefined) forced.delete(cell - 1);
    else forced.set(cell - 1, volts);
  }

  /** Sets the ambient temperature; with cellsToo the cells start there at once (a cold morning). */
  setAmbient(celsius: number, { cellsToo = false } = {}): void {
    for (const p of this.models.values()) {
      p.ambient = celsius;
      if (cellsToo) p.temperature = celsius;
    }
  }

  /** Ends every fault: cables back, forced cells and offsets gone, BMS unfrozen, ambient back to normal. */
  allClear(): void {
    for (const cable of this.cables.values()) cable.silent = false;
    for (const p of this.models.values()) {
      p.forcedCells.clear();
      p.cellOffsets.clear();
      p.temperatureOffset = 0;
      p.frozen = false;
    }
    this.setAmbient(this.options.ambient ?? DEFAULT_AMBIENT_C);
  }

  private busVoltage(open = [...this.models.values()], current = 0): number {
    return splitCurrent(open, current).volts;
  }
}

function dropUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
