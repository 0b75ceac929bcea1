/**
 * The simulated inverter acting on a simulated bank: every second of simulated time it reads what it
 * decoded from the battery's frames (and how old they are), takes PV and load from its profile, and
 * sets the bank current (inverter-behaviour.ts). The physics runs on the bank's clock (scaled, ×1 …
 * ×600); the age of the frames is measured on the clock they arrive on, because the battery side
 * sends them in wall time whatever the speed.
 */
import type { Clock, TimerId } from '../core/clock';
import type { SimulatedBank } from '../core/simulated-bank';
import type { InverterProtocolName, InverterView } from './can-inverter-api';
import { appliedLimits, inverterStep, type AppliedLimits, type InverterStep } from './inverter-behaviour';
import { hourOfDay, powerAt, type PowerProfile } from './power-profile';

/** What the inverter needs from the bank it drives. */
export interface DrivenBank {
  /** Terminal voltage now (V). */
  readonly voltage: number;
  /** Sets the bank current (A, + = charging) from now on. */
  setCurrent(amps: number): void;
}

/** A simulated bank as the inverter sees it. */
export function drivenBank(bank: SimulatedBank): DrivenBank {
  return {
    get voltage() {
      return bank.voltage;
    },
    setCurrent: (amps) => bank.setCurrent(amps),
  };
}

/** What the inverter decoded and when (the simulated inverter channel). */
export interface DecodedLink {
  readonly view?: InverterView;
  readonly lastReceivedAt?: number;
}

export interface InverterDriveOptions {
  family: InverterProtocolName;
  link: DecodedLink;
  /** The clock frames arrive on (wall time in Node-RED). */
  linkClock: Clock;
  bank: DrivenBank;
  /** The bank's clock: one inverter step per simulated second. */
  simClock: Clock;
  profile: PowerProfile;
  /** The simulated day: hour of day = startHour + the simulated clock's time (a bank's clock starts at midnight). */
  startHour: number;
  gridChargeA: number;
}

export interface DriveRecord extends InverterStep {
  /** Simulated time of the step and the hour of the simulated day. */
  at: number;
  hour: number;
  pvW: number;
  loadW: number;
  voltage: number;
  limits: AppliedLimits;
}

const STEP_MS = 1000;
/**
 * The resistance the constant-voltage loop is tuned for (ohm). An inverter does not know the bank; a
 * loop tuned for 5 mΩ is stable for any bank below 20 mΩ (one cold 16S pack is about 12 mΩ) and
 * settles within a minute on a large bank (1.6 mΩ for three 280 Ah packs).
 */
const CV_LOOP_RESISTANCE_OHM = 0.005;
const HOUR_MS = 3_600_000;

export class InverterDrive {
  /** The latest step (undefined before the first). */
  last?: DriveRecord;
  private readonly timer: TimerId;
  private readonly listeners = new Set<(record: DriveRecord) => void>();

  constructor(private readonly options: InverterDriveOptions) {
    this.timer = options.simClock.setInterval(() => this.step(), STEP_MS);
  }

  /** Every step (tests and the can-bus status). Returns the unsubscribe function. */
  onStep(listener: (record: DriveRecord) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Stops driving; the bank is left at 0 A. */
  close(): void {
    this.options.simClock.clearInterval(this.timer);
    this.listeners.clear();
    this.options.bank.setCurrent(0);
  }

  private step(): void {
    const { link, linkClock, bank, simClock, profile, family } = this.options;
    const silenceMs = link.lastReceivedAt === undefined ? Infinity : linkClock.now() - link.lastReceivedAt;
    const limits = appliedLimits(link.view, family, silenceMs);
    const at = simClock.now();
    const hour = hourOfDay(this.options.startHour * HOUR_MS + at);
    const { pvW, loadW } = powerAt(profile, hour * HOUR_MS);
    const voltage = bank.voltage;
    const result = inverterStep({
      limits,
      pvW,
      loadW,
      bankVoltage: voltage,
      previousCurrent: this.last?.current ?? 0,
      resistanceOhm: CV_LOOP_RESISTANCE_OHM,
      gridChargeA: this.options.gridChargeA,
    });
    bank.setCurrent(result.current);
    this.last = { ...result, at, hour, pvW, loadW, voltage, limits };
    for (const listener of [...this.listeners]) listener(this.last);
  }
}
