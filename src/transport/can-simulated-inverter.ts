/**
 * A CAN "bus" with a simulated inverter on it: what the battery side sends is decoded with the
 * protocol's own decoder and kept as the values an inverter would show; the inverter's frames
 * (Pylon 0x305 ACK, Growatt 0x301 poll, Victron/SMA 0x305-0x307) are delivered to listeners every
 * inverterPeriodMs, as if received from the bus. Used by the can-bus "simulated inverter" option,
 * tests and demos.
 */
import type { Clock, TimerId } from '../core/clock';
import type { EncodeOptions, InverterProtocol, InverterView } from './can-inverter-api';
import { EventedChannel, frameProblem } from './can-channel';
import type { CanFrame } from './can-frame';

export interface SimulatedInverterOptions {
  protocol: InverterProtocol;
  encodeOptions?: EncodeOptions;
  clock: Clock;
  /** The inverter reports a communication loss after this long without frames (default 10 s). */
  commsTimeoutMs?: number;
}

export class SimulatedInverterChannel extends EventedChannel {
  private readonly latest = new Map<string, CanFrame>();
  private timer?: TimerId;
  /** What the inverter would show; undefined until it has received anything. */
  view?: InverterView;
  /** Frames received per id (hex). */
  readonly received = new Map<string, number>();
  lastReceivedAt?: number;
  /** Tests: when true the inverter stops sending its own frames (ACK/poll loss). */
  silent = false;

  constructor(private readonly options: SimulatedInverterOptions) {
    super();
    const { protocol, clock } = options;
    if (protocol.inverterFrames && protocol.inverterPeriodMs) {
      const frames = protocol.inverterFrames.bind(protocol);
      this.timer = clock.setInterval(() => {
        if (this.silent) return;
        for (const f of frames(this.view)) this.events.emitFrame(f);
      }, protocol.inverterPeriodMs);
    }
    this.events.setStatus({ state: 'connected' });
  }

  /** True when the inverter would raise its BMS-communication-lost alarm. */
  get commsLost(): boolean {
    const last = this.lastReceivedAt;
    return last === undefined || this.options.clock.now() - last > (this.options.commsTimeoutMs ?? 10000);
  }

  send(frame: CanFrame): void {
    if (frameProblem(frame)) return;
    const id = `0x${frame.id.toString(16).toUpperCase()}`;
    this.latest.set(`${frame.ext ? 'x' : 's'}${frame.id}`, frame);
    this.received.set(id, (this.received.get(id) ?? 0) + 1);
    this.lastReceivedAt = this.options.clock.now();
    try {
      this.view = this.options.protocol.decode([...this.latest.values()], this.options.encodeOptions);
    } catch {
      // A decoder must not throw; if one does, the inverter simply shows nothing new.
    }
  }

  close(): Promise<void> {
    this.options.clock.clearInterval(this.timer);
    this.timer = undefined;
    this.events.setStatus({ state: 'closed' });
    this.events.clear();
    return Promise.resolve();
  }
}
