/**
 * The poll loop every polling BMS node shares: each cycle, ask every address for its PackState
 * through the bus (the bus serialises and round-robins), report each result or failure, and keep
 * per-address counters for status. Protocol specifics live in `pollPack`.
 *
 * Priority polling (when `nearLimit` is given): a full cycle polls every address once per interval,
 * as without it; between full cycles, packs whose last PackState was close to a limit are polled in
 * short cycles back-to-back, so a cell running away is seen within one bus cycle instead of one poll
 * interval. A short cycle that would not end before the next full cycle is not started, so every pack
 * keeps its poll interval (no starvation), and a pack that is not answering is left to the bus's back-off.
 */
import type { Clock, TimerId } from '../core/clock';
import type { PackState } from '../core/pack-state';

export interface PollerCallbacks {
  /** Resolves with the pack state of one address; rejects (BusError or Error) on failure. */
  pollPack(address: number): Promise<PackState>;
  onPack(pack: PackState): void;
  onFailure(address: number, error: Error): void;
  /** After each completed cycle (full or priority), with the counters. */
  onCycle?(stats: PollerStats): void;
  /** Priority polling: is this pack, just decoded, close to a limit? Omit to poll every pack once per interval. */
  nearLimit?(pack: PackState): boolean;
}

/** Short cycles start at least this far apart: a bus without wire time (the simulator) must not spin. */
export const PRIORITY_MIN_CYCLE_MS = 50;

export interface AddressStats {
  ok: number;
  failed: number;
  /** Consecutive failures: > 0 means the pack is currently not answering. */
  failing: number;
  lastError?: string;
  lastPack?: PackState;
  /** The last PackState was close to a limit (priority polling). */
  nearLimit: boolean;
}

export interface PollerStats {
  addresses: number[];
  byAddress: Map<number, AddressStats>;
  /** Full cycles (every address). */
  cycles: number;
  /** Short cycles that polled only the packs close to a limit. */
  priorityCycles: number;
}

export class PackPoller {
  private timer: TimerId | undefined;
  private running = false;
  private stopped = false;
  private nextFullAt = -Infinity;
  private lastPriorityMs = 0;
  readonly stats: PollerStats;

  constructor(
    private readonly clock: Clock,
    addresses: number[],
    private readonly intervalMs: number,
    private readonly callbacks: PollerCallbacks,
  ) {
    this.stats = {
      addresses,
      byAddress: new Map(addresses.map((a) => [a, { ok: 0, failed: 0, failing: 0, nearLimit: false }])),
      cycles: 0,
      priorityCycles: 0,
    };
  }

  start(): void {
    this.stopped = false;
    this.nextFullAt = -Infinity;
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
    const full = started >= this.nextFullAt;
    if (full) this.nextFullAt = started + this.intervalMs;
    // All addresses are queued at once; the bus serialises them and lets a silent one back off.
    const addresses = full ? this.stats.addresses : this.nearLimitAddresses();
    await Promise.all(addresses.map((address) => this.pollOne(address)));
    this.running = false;
    if (this.stopped) return;
    if (full) this.stats.cycles++;
    else {
      this.stats.priorityCycles++;
      this.lastPriorityMs = this.clock.now() - started;
    }
    this.callbacks.onCycle?.(this.stats);
    this.schedule(this.nextDelay(started));
  }

  /** The next full cycle, or a short one first when a pack is close to a limit and it fits before. */
  private nextDelay(started: number): number {
    const now = this.clock.now();
    const untilFull = Math.max(0, this.nextFullAt - now);
    if (this.nearLimitAddresses().length === 0) return untilFull;
    const untilPriority = Math.max(0, started + PRIORITY_MIN_CYCLE_MS - now);
    return untilPriority + this.lastPriorityMs <= untilFull ? untilPriority : untilFull;
  }

  /** Packs whose last answer was close to a limit; a pack not answering is not one of them. */
  private nearLimitAddresses(): number[] {
    return this.stats.addresses.filter((address) => {
      const s = this.stats.byAddress.get(address)!;
      return s.nearLimit && s.failing === 0;
    });
  }

  private async pollOne(address: number): Promise<void> {
    const s = this.stats.byAddress.get(address)!;
    try {
      const pack = await this.callbacks.pollPack(address);
      if (this.stopped) return;
      s.ok++;
      s.failing = 0;
      s.lastPack = pack;
      s.nearLimit = this.callbacks.nearLimit?.(pack) ?? false;
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
