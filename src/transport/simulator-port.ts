/**
 * BusPort backed by an in-process device simulator (the bms-serial-bus "simulator" option):
 * the same protocol bytes as a real wire, without hardware. With `baudRate` set, delivery is
 * delayed by the wire time of each chunk (10 bits per byte) so bus timing is realistic.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../core/clock';
import type { BusPort } from './bus-port';
import type { DeviceSimulator, SimulatorFactory, SimulatorOptions } from './simulator-api';

export function wireTimeMs(bytes: number, baudRate: number): number {
  return (bytes * 10 * 1000) / baudRate;
}

export class SimulatorPort extends EventEmitter implements BusPort {
  simulator?: DeviceSimulator;
  private open_ = false;
  private readonly timers = new Set<number>();

  constructor(
    private readonly factory: SimulatorFactory,
    private readonly options: SimulatorOptions,
    private readonly clock: Clock,
    private readonly baudRate?: number,
  ) {
    super();
  }

  get isOpen(): boolean {
    return this.open_;
  }

  async open(): Promise<void> {
    this.open_ = true;
    this.simulator ??= this.factory(this.options, {
      clock: this.clock,
      send: (data) => this.deliver(data, (d) => this.emit('data', d)),
    });
  }

  async write(data: Buffer): Promise<void> {
    if (!this.open_) throw new Error('port is not open');
    const copy = Buffer.from(data);
    this.deliver(copy, (d) => this.simulator?.receive(d));
  }

  async close(): Promise<void> {
    if (!this.open_) return;
    this.open_ = false;
    for (const id of this.timers) this.clock.clearTimeout(id);
    this.timers.clear();
    this.simulator?.close();
    this.simulator = undefined;
    this.emit('close', false);
  }

  /** Asynchronous like a real wire (never re-enters the caller), with wire time when a baud rate is set. */
  private deliver(data: Buffer, to: (d: Buffer) => void): void {
    const delay = this.baudRate ? wireTimeMs(data.length, this.baudRate) : 0;
    const id = this.clock.setTimeout(() => {
      this.timers.delete(id);
      if (this.open_) to(data);
    }, delay);
    this.timers.add(id);
  }
}
