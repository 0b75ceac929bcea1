/**
 * One CAN interface as its users see it (the can-bus config node's logic; the twin of SerialBus): the
 * interface opens with the first user, is shared process-wide with any other bus naming the same
 * device (can-registry.ts), and its status and received frames are fanned out to every user.
 */
import type { Clock, TimerId } from '../core/clock';
import type { CanBusApi, CanBusUser } from './can-bus-api';
import type { CanChannel, CanStatus } from './can-channel';
import type { CanFrame } from './can-frame';
import { acquireCanChannel, type CanLease } from './can-registry';

/** How to open an interface: its process-wide key, the settings every sharer must agree on, the opener. */
export interface CanOpener {
  key: string;
  settings: string;
  open: () => CanChannel;
}

export interface CanBusLog {
  error(message: string): void;
  warn(message: string): void;
}

export interface CanBusOptions {
  /** How to open the interface, or why it cannot be used (a configuration error). */
  opener: CanOpener | string;
  clock: Clock;
  log: CanBusLog;
  /** The bitrate the bus opens with when CellSafe sets it (slcan). */
  bitrate?: number;
}

export class CanBus implements CanBusApi {
  readonly bitrate: number | undefined;
  private readonly users = new Map<string, CanBusUser>();
  private readonly frameListeners = new Set<(frame: CanFrame) => void>();
  private readonly unsubscribe: (() => void)[] = [];
  private lease: CanLease | undefined;
  private problem: string | undefined;

  constructor(private readonly options: CanBusOptions) {
    this.bitrate = options.bitrate;
    if (typeof options.opener === 'string') {
      this.problem = options.opener;
      options.log.error(this.problem);
    }
  }

  get interfaceStatus(): CanStatus {
    if (this.problem) return { state: 'error', reason: this.problem };
    return this.lease?.channel.status ?? { state: 'connecting' };
  }

  /** The open channel, if any (the can-bus node shows its simulated inverter to tests and demos). */
  get channel(): CanChannel | undefined {
    return this.lease?.channel;
  }

  register(user: CanBusUser): void {
    this.users.set(user.id, user);
    this.ensureOpen();
    user.canStatus(this.interfaceStatus);
  }

  deregister(user: CanBusUser): void {
    this.users.delete(user.id);
  }

  transmit(frame: CanFrame): void {
    this.lease?.channel.send(frame);
  }

  onFrame(listener: (frame: CanFrame) => void): () => void {
    this.frameListeners.add(listener);
    return () => {
      this.frameListeners.delete(listener);
    };
  }

  /** Releases the interface, waiting at most `timeoutMs`: a hung adapter must not hold a redeploy. */
  async close(timeoutMs: number): Promise<void> {
    for (const stop of this.unsubscribe.splice(0)) stop();
    this.frameListeners.clear();
    this.users.clear();
    const held = this.lease;
    this.lease = undefined;
    if (!held) return;
    const { clock, log } = this.options;
    let timer: TimerId | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = clock.setTimeout(() => {
        log.warn('CAN interface did not close in time');
        resolve();
      }, timeoutMs);
    });
    await Promise.race([held.release(), timeout])
      .catch((e: unknown) => log.warn(`closing CAN interface: ${String(e)}`))
      .finally(() => clock.clearTimeout(timer));
  }

  private ensureOpen(): void {
    const { opener, log } = this.options;
    if (this.lease || this.problem || typeof opener === 'string') return;
    try {
      this.lease = acquireCanChannel(opener.key, opener.settings, opener.open);
    } catch (e) {
      this.problem = (e as Error).message;
      log.error(this.problem);
      return;
    }
    // The node statuses show a short fix; the log gets the whole reason (e.g. socketcan not built).
    const opened = this.lease.channel.status;
    if (opened.state === 'unavailable') log.error(opened.reason);
    this.unsubscribe.push(
      this.lease.channel.onStatus((status) => {
        for (const user of this.users.values()) user.canStatus(status);
      }),
      this.lease.channel.onFrame((frame) => {
        for (const listener of [...this.frameListeners]) listener(frame);
      }),
    );
  }
}
