/**
 * CAN through Linux SocketCAN (can0, vcan0) with the optional `socketcan` package. The package is
 * native and Linux-only, so it is loaded lazily: when it is missing, or installed without its native
 * module compiled (npm ran no install scripts), the channel reports 'unavailable' with the command
 * that fixes it, and everything else (frames as messages) keeps working. The bitrate is the OS's
 * business (`ip link set can0 type can bitrate 500000`).
 */
import type { Clock, TimerId } from '../core/clock';
import { EventedChannel, frameProblem, type Unavailability } from './can-channel';
import type { CanFrame } from './can-frame';

/** The part of the `socketcan` package we use. */
export interface RawChannelLike {
  start(): void;
  stop(): void;
  send(message: { id: number; ext: boolean; rtr: boolean; data: Buffer }): void;
  addListener(event: string, listener: (...args: never[]) => void): void;
}
export interface SocketCanModule {
  createRawChannel(iface: string, timestamps?: boolean): RawChannelLike;
}

interface RawMessage {
  id: number;
  ext?: boolean;
  rtr?: boolean;
  err?: boolean;
  data?: Buffer;
}

export const SOCKETCAN_MISSING =
  'the optional "socketcan" package is not installed (Linux, Node.js 22.22+ or 24.15+): ' +
  'run "npm install socketcan" in the Node-RED user directory, then restart Node-RED';
export const SOCKETCAN_NOT_BUILT =
  'the "socketcan" package is installed but its native module is not built for this Node.js ' +
  '(npm ran no install scripts): run "npm rebuild socketcan" in the Node-RED user directory ' +
  '(needs python3, make and a C++ compiler), then restart Node-RED';

/** Why the package cannot be used, with the reason to log. */
export interface SocketCanUnusable {
  problem: Unavailability;
  reason: string;
}

/**
 * Only "Cannot find module 'socketcan'" means the package is absent; any other failure (its
 * compiled `can.node` missing, built for another Node.js ABI) is fixed by compiling it again.
 */
export function socketCanLoadProblem(error: unknown): SocketCanUnusable {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const absent = code === 'MODULE_NOT_FOUND' && /Cannot find module 'socketcan'/.test(String(message));
  if (absent) return { problem: 'socketcan-missing', reason: SOCKETCAN_MISSING };
  const cause = String(message).split('\n')[0];
  return { problem: 'socketcan-not-built', reason: `${SOCKETCAN_NOT_BUILT} (${cause})` };
}

/** The `socketcan` package, or why it cannot be used. */
export function loadSocketCanModule(): SocketCanModule | SocketCanUnusable {
  try {
    return require('socketcan') as SocketCanModule;
  } catch (error) {
    return socketCanLoadProblem(error);
  }
}

/** The package when it loads (tests skip what needs it absent). */
export function loadSocketCan(): SocketCanModule | undefined {
  const loaded = loadSocketCanModule();
  return 'problem' in loaded ? undefined : loaded;
}

export interface SocketCanOptions {
  iface: string;
  clock: Clock;
  /** Seam for tests; default requires the optional package. `undefined` means not installed. */
  load?: () => SocketCanModule | SocketCanUnusable | undefined;
  /** Retry period while the interface is missing or down. */
  retryMs?: number;
}

export class SocketCanChannel extends EventedChannel {
  private raw?: RawChannelLike;
  private retryTimer?: TimerId;
  private closed = false;
  readonly counters = { sent: 0, received: 0, dropped: 0 };

  constructor(private readonly options: SocketCanOptions) {
    super();
    const loaded = (options.load ?? loadSocketCanModule)() ?? {
      problem: 'socketcan-missing',
      reason: SOCKETCAN_MISSING,
    };
    if ('problem' in loaded) {
      this.events.setStatus({ state: 'unavailable', problem: loaded.problem, reason: loaded.reason });
      return;
    }
    this.start(loaded);
  }

  send(frame: CanFrame): void {
    if (!this.raw || frameProblem(frame)) {
      this.counters.dropped += 1;
      return;
    }
    try {
      this.raw.send({ id: frame.id, ext: frame.ext, rtr: frame.rtr, data: frame.data });
      this.counters.sent += 1;
    } catch (e) {
      // A full TX queue (nobody ACKing) throws; report it and keep going.
      this.counters.dropped += 1;
      this.events.setStatus({ state: 'error', reason: `send failed: ${(e as Error).message}` });
    }
  }

  close(): Promise<void> {
    this.closed = true;
    this.options.clock.clearTimeout(this.retryTimer);
    this.stopRaw();
    this.events.setStatus({ state: 'closed' });
    this.events.clear();
    return Promise.resolve();
  }

  private start(mod: SocketCanModule): void {
    if (this.closed) return;
    let raw: RawChannelLike;
    try {
      // Throws synchronously when the interface does not exist.
      raw = mod.createRawChannel(this.options.iface, false);
      // The package has no removeListener: stale channels are recognised by identity instead.
      raw.addListener('onMessage', ((msg: RawMessage) => this.received(raw, msg)) as (...args: never[]) => void);
      raw.addListener('onStopped', (() => this.stopped(raw, mod)) as (...args: never[]) => void);
      raw.start();
    } catch (e) {
      this.events.setStatus({ state: 'disconnected', reason: `${this.options.iface}: ${(e as Error).message}` });
      this.retry(mod);
      return;
    }
    this.raw = raw;
    this.events.setStatus({ state: 'connected' });
  }

  private received(raw: RawChannelLike, msg: RawMessage): void {
    if (raw !== this.raw || msg.err) return;
    this.counters.received += 1;
    this.events.emitFrame({
      id: msg.id,
      ext: Boolean(msg.ext),
      rtr: Boolean(msg.rtr),
      data: Buffer.from(msg.data ?? []),
    });
  }

  private stopped(raw: RawChannelLike, mod: SocketCanModule): void {
    if (raw !== this.raw || this.closed) return;
    this.raw = undefined;
    this.events.setStatus({ state: 'disconnected', reason: `${this.options.iface} stopped` });
    this.retry(mod);
  }

  private retry(mod: SocketCanModule): void {
    this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = this.options.clock.setTimeout(() => this.start(mod), this.options.retryMs ?? 5000);
  }

  private stopRaw(): void {
    const raw = this.raw;
    this.raw = undefined;
    try {
      raw?.stop();
    } catch {
      /* already down */
    }
  }
}
