/**
 * The serial bus: one port shared by every BMS node on it. Pure transport logic with an injected
 * port and clock (no Node-RED import), so it is tested over real ptys and on simulated time.
 *
 * - exactly one transaction in flight; an answer completes by its protocol framer, else by timeout;
 * - requests are served round-robin over addresses;
 * - an address that times out backs off (its requests are refused at once until a probe is due),
 *   so a silent pack costs at most one timeout per back-off period instead of stalling the others;
 * - bytes that arrive outside a transaction are dropped (listeners still see them);
 * - when the port closes unexpectedly (unplug) it reconnects with exponential back-off.
 * Both back-offs are capped at a few seconds: a pack or adapter that comes back after any outage
 * is polled again within seconds (the bank needs its data back), and a silent address costs at
 * most one answer timeout per probe. A reopened port starts every address afresh.
 */
import type { Clock, TimerId } from '../core/clock';
import { BusError, type BusStatus, type BusUser, type SerialBusApi, type Transaction } from './bus-api';
import type { BusPort } from './bus-port';
import { takeFrame } from './framer';

export interface SerialBusOptions {
  createPort: () => BusPort;
  clock: Clock;
  /** Default answer timeout. */
  timeoutMs?: number;
  /** Silence between the end of one answer and the next request (RS485 turnaround). */
  gapMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Wraps open/close (e.g. serialised per device). */
  serialise?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Requests queued per address before new ones are refused. */
  maxQueuePerAddress?: number;
}

interface Pending {
  t: Transaction;
  resolve: (b: Buffer) => void;
  reject: (e: Error) => void;
}

interface AddressState {
  queue: Pending[];
  failures: number;
  /** Until then requests are refused with 'backoff' (one probe is let through when it passes). */
  backoffUntil: number;
}

export interface BusCounters {
  transactions: number;
  timeouts: number;
  droppedBytes: number;
  reconnects: number;
}

export class SerialBus implements SerialBusApi {
  readonly counters: BusCounters = { transactions: 0, timeouts: 0, droppedBytes: 0, reconnects: 0 };
  private readonly users = new Set<BusUser>();
  private readonly listeners = new Set<(d: Buffer) => void>();
  private readonly addresses = new Map<number, AddressState>();
  private order: number[] = [];
  private lastServed?: number;
  private port?: BusPort;
  private connected = false;
  private closing = false;
  private started = false;
  private status: BusStatus = { state: 'connecting' };
  private inFlight?: { p: Pending; rx: Buffer; timer: TimerId };
  private pumpTimer?: TimerId;
  private reconnectTimer?: TimerId;
  private reconnectDelay: number;
  private readonly o: Required<Omit<SerialBusOptions, 'serialise'>> & Pick<SerialBusOptions, 'serialise'>;

  constructor(options: SerialBusOptions) {
    this.o = {
      timeoutMs: 500,
      gapMs: 0,
      reconnectMinMs: 1000,
      reconnectMaxMs: 4000,
      backoffMinMs: 1000,
      backoffMaxMs: 4000,
      maxQueuePerAddress: 16,
      ...options,
    };
    this.reconnectDelay = this.o.reconnectMinMs;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Listener counts on the open port and on the bus (leak checks across redeploys). */
  listenerCounts(): Record<string, number> {
    const port = this.port;
    return {
      portData: port?.listenerCount('data') ?? 0,
      portClose: port?.listenerCount('close') ?? 0,
      portError: port?.listenerCount('error') ?? 0,
      busData: this.listeners.size,
      users: this.users.size,
    };
  }
  get currentStatus(): BusStatus {
    return this.status;
  }

  register(user: BusUser): void {
    this.users.add(user);
    user.busStatus(this.status);
    if (!this.started) {
      this.started = true;
      void this.connect();
    }
  }

  deregister(user: BusUser): void {
    this.users.delete(user);
  }

  onData(listener: (data: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Sets a status that is not about the port (e.g. a configuration error) and refuses work. */
  fail(reason: string): void {
    this.closing = true;
    this.setStatus({ state: 'error', reason });
  }

  transact(t: Transaction): Promise<Buffer> {
    if (this.closing) {
      return Promise.reject(
        new BusError('closed', this.status.state === 'error' ? this.status.reason : 'bus is closed'),
      );
    }
    if (!this.connected) return Promise.reject(new BusError('disconnected', 'port is not open'));
    const a = this.addressState(t.address);
    if (a.failures > 0 && this.o.clock.now() < a.backoffUntil) {
      return Promise.reject(
        new BusError(
          'backoff',
          `address ${t.address} is silent; next try in ${Math.ceil((a.backoffUntil - this.o.clock.now()) / 1000)} s`,
        ),
      );
    }
    if (a.queue.length >= this.o.maxQueuePerAddress) {
      return Promise.reject(new BusError('overflow', `too many requests queued for address ${t.address}`));
    }
    return new Promise<Buffer>((resolve, reject) => {
      a.queue.push({ t, resolve, reject });
      this.pump();
    });
  }

  /** Stops everything and closes the port (bounded by the port's own close bound). */
  async close(): Promise<void> {
    this.closing = true;
    this.o.clock.clearTimeout(this.reconnectTimer);
    this.o.clock.clearTimeout(this.pumpTimer);
    this.failAll(new BusError('closed', 'bus is closed'));
    this.users.clear();
    this.listeners.clear();
    const port = this.port;
    this.port = undefined;
    this.connected = false;
    if (port) {
      port.removeAllListeners('data');
      port.removeAllListeners('close');
      await this.serialise(() => port.close());
      port.removeAllListeners();
    }
  }

  private serialise<T>(fn: () => Promise<T>): Promise<T> {
    return this.o.serialise ? this.o.serialise(fn) : fn();
  }

  private addressState(address: number): AddressState {
    let a = this.addresses.get(address);
    if (!a) {
      a = { queue: [], failures: 0, backoffUntil: 0 };
      this.addresses.set(address, a);
      this.order.push(address);
    }
    return a;
  }

  private setStatus(s: BusStatus): void {
    this.status = s;
    for (const u of this.users) u.busStatus(s);
  }

  private async connect(): Promise<void> {
    if (this.closing) return;
    this.setStatus({ state: 'connecting' });
    const port = this.o.createPort();
    // A port error is reported but never thrown: an unlistened 'error' would kill Node-RED.
    port.on('error', (e: Error) => this.setStatus({ state: 'error', reason: e.message }));
    try {
      await this.serialise(() => port.open());
    } catch (e) {
      port.removeAllListeners();
      this.setStatus({ state: 'disconnected', reason: e instanceof Error ? e.message : String(e) });
      this.scheduleReconnect();
      return;
    }
    if (this.closing) {
      await this.serialise(() => port.close());
      port.removeAllListeners();
      return;
    }
    this.port = port;
    this.connected = true;
    this.reconnectDelay = this.o.reconnectMinMs;
    // A replugged adapter may have brought its packs back: no address waits out an old back-off.
    for (const a of this.addresses.values()) {
      a.failures = 0;
      a.backoffUntil = 0;
    }
    port.on('data', (d: Buffer) => this.onPortData(d));
    port.on('close', (disconnected: boolean) => this.onPortClose(port, disconnected));
    this.setStatus({ state: 'connected' });
    this.pump();
  }

  private scheduleReconnect(): void {
    if (this.closing) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.o.reconnectMaxMs, this.reconnectDelay * 2);
    this.reconnectTimer = this.o.clock.setTimeout(() => {
      this.counters.reconnects++;
      void this.connect();
    }, delay);
  }

  private onPortClose(port: BusPort, disconnected: boolean): void {
    if (port !== this.port) return;
    port.removeAllListeners();
    this.port = undefined;
    this.connected = false;
    this.failAll(new BusError('disconnected', 'port closed'));
    if (this.closing) return;
    this.setStatus({ state: 'disconnected', reason: disconnected ? 'device disconnected' : 'port closed' });
    this.scheduleReconnect();
  }

  private failAll(err: BusError): void {
    if (this.inFlight) {
      this.o.clock.clearTimeout(this.inFlight.timer);
      this.inFlight.p.reject(err);
      this.inFlight = undefined;
    }
    for (const a of this.addresses.values()) {
      for (const p of a.queue.splice(0)) p.reject(err);
    }
  }

  private onPortData(d: Buffer): void {
    for (const l of this.listeners) l(d);
    const f = this.inFlight;
    if (!f?.p.t.framer) {
      this.counters.droppedBytes += d.length;
      return;
    }
    f.rx = f.rx.length ? Buffer.concat([f.rx, d]) : d;
    const { frame, rest, dropped } = takeFrame(f.rx, f.p.t.framer);
    this.counters.droppedBytes += dropped;
    f.rx = rest;
    if (!frame) return;
    this.counters.droppedBytes += rest.length;
    this.finish(f.p.t.address, true);
    f.p.resolve(Buffer.from(frame));
  }

  /** Ends the in-flight transaction and schedules the next one after the turnaround gap. */
  private finish(address: number, answered: boolean): void {
    if (!this.inFlight) return;
    this.o.clock.clearTimeout(this.inFlight.timer);
    this.inFlight = undefined;
    const a = this.addressState(address);
    if (answered) {
      a.failures = 0;
      a.backoffUntil = 0;
    } else {
      a.failures++;
      const backoff = Math.min(this.o.backoffMaxMs, this.o.backoffMinMs * 2 ** (a.failures - 1));
      a.backoffUntil = this.o.clock.now() + backoff;
      // Everything else queued for a silent address is refused now rather than costing more timeouts.
      for (const p of a.queue.splice(0)) p.reject(new BusError('backoff', `address ${address} is silent`));
    }
    if (this.o.gapMs > 0) {
      this.pumpTimer = this.o.clock.setTimeout(() => {
        this.pumpTimer = undefined;
        this.pump();
      }, this.o.gapMs);
    } else {
      this.pump();
    }
  }

  /** Round-robin: the first address after the one served last that has work queued. */
  private nextPending(): Pending | undefined {
    const start = this.lastServed === undefined ? 0 : this.order.indexOf(this.lastServed) + 1;
    for (let i = 0; i < this.order.length; i++) {
      const address = this.order[(start + i) % this.order.length];
      const p = this.addresses.get(address)!.queue.shift();
      if (p) {
        this.lastServed = address;
        return p;
      }
    }
    return undefined;
  }

  private pump(): void {
    if (this.inFlight || this.pumpTimer !== undefined || !this.connected || !this.port) return;
    const p = this.nextPending();
    if (!p) return;
    const port = this.port;
    const timeoutMs = p.t.timeoutMs ?? this.o.timeoutMs;
    const timer = this.o.clock.setTimeout(() => {
      if (this.inFlight?.p !== p) return;
      this.counters.timeouts++;
      this.finish(p.t.address, false);
      p.reject(new BusError('timeout', `no answer from address ${p.t.address} within ${timeoutMs} ms`));
    }, timeoutMs);
    this.inFlight = { p, rx: Buffer.alloc(0), timer };
    this.counters.transactions++;
    port.write(p.t.request).then(
      () => {
        if (!p.t.framer && this.inFlight?.p === p) {
          this.finish(p.t.address, true);
          p.resolve(Buffer.alloc(0));
        }
      },
      (e: unknown) => {
        if (this.inFlight?.p !== p) return;
        this.o.clock.clearTimeout(this.inFlight.timer);
        this.inFlight = undefined;
        p.reject(new BusError('disconnected', `write failed: ${e instanceof Error ? e.message : String(e)}`));
        this.pump();
      },
    );
  }
}
