/**
 * The poll loop every polling BMS node shares: each cycle, ask every address for its PackState
 * through the bus (the bus serialises and round-robins), report each result or failure, and keep
 * per-address counters for status. Protocol specifics live in `pollPack`.
 */
import type { Clock, TimerId } from '../core/clock';
import type { PackState } from '../core/pack-state';

export interface PollerCallbacks {
  /** Resolves with the pack state of one address; rejects (BusError or Error) on failure. */
  pollPack(address: number): Promise<PackState>;
  onPack(pack: PackState): void;
  onFailure(address: number, error: Error): void;
  /** After each completed cycle, with the counters. */
  onCycle?(stats: PollerStats): void;
}

export interface AddressStats {
  ok: number;
  failed: number;
  /** Consecutive failures: > 0 means the pack is currently not answering. */
  failing: number;
  lastError?: string;
  lastPack?: PackState;
}

export interface PollerStats {
  addresses: number[];
  byAddress: Map<number, AddressStats>;
  cycles: number;
}

export class PackPoller {
  private timer: TimerId | undefined;
  private running = false;
  private stopped = false;
  readonly stats: PollerStats;

  constructor(
    private readonly clock: Clock,
    addresses: number[],
    private readonly intervalMs: number,
    private readonly callbacks: PollerCallbacks,
  ) {
    this.stats = {
      addresses,
      byAddress: new Map(addresses.map((a) => [a, { ok: 0, failed: 0, failing: 0 }])),
      cycles: 0,
    };
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Packs that answered in their last poll. */
  get online(): number {
    let n = 0;
    for (const s of this.stats.byAddress.values()) if (s.ok > 0 && s.failing === 0) n++;
    return n;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      void this.cycle();
    }, delay);
  }

  private async cycle(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    const started = this.clock.now();
    // All addresses are queued at once; the bus serialises them and lets a silent one back off.
    await Promise.all(this.stats.addresses.map((address) => this.pollOne(address)));
    this.running = false;
    if (this.stopped) return;
    this.stats.cycles++;
    this.callbacks.onCycle?.(this.stats);
    const elapsed = this.clock.now() - started;
    this.schedule(Math.max(0, this.intervalMs - elapsed));
  }

  private async pollOne(address: number): Promise<void> {
    const s = this.stats.byAddress.get(address)!;
    try {
      const pack = await this.callbacks.pollPack(address);
      if (this.stopped) return;
      s.ok++;
      s.failing = 0;
      s.lastPack = pack;
      this.callbacks.onPack(pack);
    } catch (e) {
      if (this.stopped) return;
      const err = e instanceof Error ? e : new Error(String(e));
      s.failed++;
      s.failing++;
      s.lastError = err.message;
      this.callbacks.onFailure(address, err);
    }
  }
}
