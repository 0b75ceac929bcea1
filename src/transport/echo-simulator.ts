/**
 * A trivial test device for the bus simulator option: every request frame
 * `[0xEE, addr, len, ...payload]` is answered with the same frame (the fake device proves the mechanism; real protocols register
 * their own simulators in simulators.ts when their node module loads).
 */
import { BatteryModel } from '../core/battery-model';
import { takeFrame, type Framer } from './framer';
import type { DeviceSimulator, SimulatedPack, SimulatorFactory } from './simulator-api';
import { applyWireFaults } from './wire-faults';

const START = 0xee;

/** Frames of the echo device: start byte, address byte, length byte, payload. */
export const echoFramer: Framer = (buf) => {
  if (buf[0] !== START) return { kind: 'garbage', skip: 1 };
  if (buf.length < 3) return { kind: 'incomplete', need: 3 - buf.length };
  const total = 3 + buf[2];
  return buf.length >= total ? { kind: 'complete', length: total } : { kind: 'incomplete', need: total - buf.length };
};

export function echoFrame(address: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([START, address, payload.length]), payload]);
}

export const createEchoSimulator: SimulatorFactory = (options, host) => {
  const packs = new Map<number, SimulatedPack>();
  for (const address of options.addresses ?? [1]) {
    packs.set(address, { address, model: new BatteryModel({ cells: options.cells }), faults: {} });
  }
  let pending: Buffer = Buffer.alloc(0);
  const timers = new Set<number>();
  const sim: DeviceSimulator = {
    packs,
    receive(data) {
      pending = Buffer.concat([pending, data]);
      for (;;) {
        const { frame, rest } = takeFrame(pending, echoFramer);
        pending = rest;
        if (!frame) return;
        const pack = packs.get(frame[1]);
        if (!pack) continue;
        const answer = applyWireFaults(Buffer.from(frame), pack.faults);
        if (!answer) continue;
        const id = host.clock.setTimeout(() => {
          timers.delete(id);
          host.send(answer);
        }, options.turnaroundMs ?? 0);
        timers.add(id);
      }
    },
    close() {
      for (const id of timers) host.clock.clearTimeout(id);
      timers.clear();
    },
  };
  return sim;
};
