/**
 * The contract between the serial transport and a protocol's device simulator. A simulator
 * speaks real protocol bytes; the same object runs in-process (bms-serial-bus "simulator" port),
 * on a pty in tests, and on a real port through `cellsafe simulate`.
 */
import type { BatteryModel } from '../core/battery-model';
import type { Clock } from '../core/clock';

/** Faults on the wire, per simulated device. */
export interface WireFaults {
  silent?: boolean;
  badChecksum?: boolean;
  /** Send random bytes before the answer. */
  garbage?: boolean;
  /** Cut the answer short. */
  truncated?: boolean;
}

export interface SimulatedPack {
  address: number;
  model: BatteryModel;
  faults: WireFaults;
}

export interface SimulatorHost {
  /** Bytes the device puts on the wire. */
  send(data: Buffer): void;
  clock: Clock;
}

export interface SimulatorOptions {
  addresses?: number[];
  cells?: number;
  capacityAh?: number;
  /** Protocol-specific variant (e.g. firmware generation). */
  profile?: string;
  /** Device turnaround before an answer, ms. */
  turnaroundMs?: number;
  /** Where a simulated master (an inverter polling a battery) reports what it read, one line each. */
  onReport?: (line: string) => void;
  /** Name of a simulated bank (transport/simulated-banks.ts): the packs answer from its models. */
  bank?: string;
}

export interface DeviceSimulator {
  /** Bytes the master wrote to the wire. */
  receive(data: Buffer): void;
  /** The simulated packs by address: tests change their models and faults. */
  readonly packs: Map<number, SimulatedPack>;
  /** Stops timers (periodic senders). */
  close(): void;
}

export type SimulatorFactory = (options: SimulatorOptions, host: SimulatorHost) => DeviceSimulator;
