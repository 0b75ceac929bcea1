/**
 * A trivial test device for the bus simulator option: every request frame `[addr, len, ...payload]`
 * is answered with the same frame (the fake device proves the mechanism; real protocols register
 * their own simulators in simulators.ts).
 */
import { BatteryModel } from '../core/battery-model';
import type { Framer } from './framer';
import type { DeviceSimulator, SimulatedPack, SimulatorFactory } from './simulator-api';
import { applyWireFaults } from './wire-faults';

/** Frames of the echo device: address byte, length byte, payload. */
export const echoFramer: Framer = (buf) => {
  if (buf.length < 2) return { kind: 'incomplete', need: 2 - buf.length };
  const total = 2 + buf[1];
  return buf.length >= total ? { kind: 'complete', length: total } : { kind: 'incomplete', need: total - buf.length };
};

export function echoFrame(address: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([address, payload.length]), payload]);
}

export const createEchoSimulator: SimulatorFactory = (options, host) => {
  const packs = new Map<number, SimulatedPack>();
  for (const address of options.addresses ?? [1]) {
    packs.set(address, { address, model: new BatteryModel({ cells: options.cells }), faults: {} });
  }
  let pending = Buffer.alloc(0);
  const timers = new Set<number>();
  const sim: DeviceSimulator = {
    packs,
    receive(data) {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 2) {
        const r = echoFramer(pending);
        if (r.kind !== 'complete') return;
        const frame = pending.subarray(0, r.length);
        pending = pending.subarray(r.length);
        const pack = packs.get(frame[0]);
        if (!pack) continue;
        const answer = applyWireFaults(Buffer.from(frame), pack.faults);
        if (!answer) continue;
        const id = host.clock.setTimeout(() => { timers.delete(id); host.send(answer); }, options.turnaroundMs ?? 0);
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
