/**
 * Captures the bytes a device simulator puts on the wire, without a bus: requests go straight into
 * `receive`, simulated time advances past the turnaround, answers are collected. The benchmarks use
 * it to get realistic frames from the project's own simulators (no captured files needed).
 */
import { SimClock } from '../../src/core/clock';
import type { DeviceSimulator, SimulatorFactory, SimulatorOptions } from '../../src/transport/simulator-api';

export interface Capture {
  sim: DeviceSimulator;
  clock: SimClock;
  /** Sends one request and returns everything the device sent within `waitMs`. */
  ask(request: Buffer, waitMs?: number): Buffer;
  /** Lets simulated time pass and returns what the device sent meanwhile (periodic senders). */
  listen(ms: number): Buffer;
  close(): void;
}

export function capture(factory: SimulatorFactory, options: SimulatorOptions): Capture {
  const clock = new SimClock();
  const chunks: Buffer[] = [];
  const sim = factory({ turnaroundMs: 1, ...options }, { clock, send: (d) => chunks.push(Buffer.from(d)) });
  const drain = (): Buffer => Buffer.concat(chunks.splice(0));
  return {
    sim,
    clock,
    ask(request, waitMs = 50) {
      sim.receive(request);
      clock.advance(waitMs);
      return drain();
    },
    listen(ms) {
      clock.advance(ms);
      return drain();
    },
    close() {
      sim.close();
    },
  };
}
