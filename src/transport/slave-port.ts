/**
 * A port on which we are the slave (a battery answering an inverter): opened once, reopened after
 * an unplug or a failed open, bytes in through `onData`, answers out through `write`. Open and close
 * of a claimed device go through the port registry's per-device chain, so a redeploy never opens
 * before the previous close has finished. Every timer runs on the given Clock.
 */
import type { Clock, TimerId } from '../core/clock';
import type { BusPort } from './bus-port';
import { serialised } from './port-registry';

export type SlavePortState = 'opening' | 'open' | 'error' | 'closed';

export interface SlavePortOptions {
  createPort: () => BusPort;
  /** The claimed device (port-registry key); undefined for the in-process simulator. */
  deviceKey?: string;
  clock: Clock;
  /** Wait before reopening after a failure or unplug. */
  retryMs: number;
  onData(data: Buffer): void;
  onState(state: SlavePortState, reason?: string): void;
}

export class SlavePort {
  private port?: BusPort;
  private retryTimer?: TimerId;
  private closed = false;

  constructor(private readonly options: SlavePortOptions) {}

  /** The open port (tests and the node reach an in-process simulator through it). */
  get current(): BusPort | undefined {
    return this.port;
  }

  start(): void {
    if (this.closed) return;
    this.options.onState('opening');
    const port = this.options.createPort();
    port.on('data', (data: Buffer) => this.options.onData(data));
    port.on('error', (error: Error) => this.options.onState('error', error.message));
    port.on('close', (disconnected: boolean) => {
      if (this.port !== port || this.closed) return;
      this.port = undefined;
      port.removeAllListeners();
      this.failed(disconnected ? 'port disconnected' : 'port closed');
    });
    this.withDevice(() => port.open()).then(
      () => {
        if (this.closed) {
          void port.close();
          return;
        }
        this.port = port;
        this.options.onState('open');
      },
      (error: unknown) => {
        port.removeAllListeners();
        this.failed(error instanceof Error ? error.message : String(error));
      },
    );
  }

  /** Writes an answer; a failed write is reported, never thrown. */
  write(data: Buffer): void {
    this.port?.write(data).catch((error: unknown) => this.options.onState('error', String(error)));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.options.clock.clearTimeout(this.retryTimer);
    const port = this.port;
    this.port = undefined;
    if (port) await this.withDevice(() => port.close());
    port?.removeAllListeners();
    this.options.onState('closed');
  }

  private failed(reason: string): void {
    if (this.closed) return;
    this.options.onState('error', reason);
    this.retryTimer = this.options.clock.setTimeout(() => this.start(), this.options.retryMs);
  }

  private withDevice<T>(fn: () => Promise<T>): Promise<T> {
    const key = this.options.deviceKey;
    return key ? serialised(key, fn) : fn();
  }
}
