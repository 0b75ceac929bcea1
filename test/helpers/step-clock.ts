/**
 * Simulated time for async pipelines. Like SimClock, nothing happens until time is advanced, but
 * `run` fires one timer at a time and lets promise continuations settle before the next, so a chain
 * of timer → promise → new timer (bus → port → simulator → bus) sees the exact simulated instant.
 */
import type { Clock, TimerId } from '../../src/core/clock';

interface Timer {
  id: TimerId;
  at: number;
  seq: number;
  fn: () => void;
  every?: number;
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class StepClock implements Clock {
  private time: number;
  private readonly timers = new Map<TimerId, Timer>();
  private nextId = 1;
  private seq = 0;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    return this.add(fn, Math.max(0, ms));
  }

  setInterval(fn: () => void, ms: number): TimerId {
    const every = Math.max(1, ms);
    return this.add(fn, every, every);
  }

  clearTimeout(id: TimerId | undefined): void {
    if (id !== undefined) this.timers.delete(id);
  }
  clearInterval(id: TimerId | undefined): void {
    this.clearTimeout(id);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Fires every timer due up to `until` in time order (FIFO on ties), settling promises after each. */
  async runUntil(until: number): Promise<void> {
    await settle();
    for (;;) {
      const next = this.due(until);
      if (!next) break;
      this.time = next.at;
      if (next.every) {
        next.at += next.every;
        next.seq = this.seq++;
      } else {
        this.timers.delete(next.id);
      }
      next.fn();
      await settle();
    }
    this.time = Math.max(this.time, until);
  }

  runFor(ms: number): Promise<void> {
    return this.runUntil(this.time + ms);
  }

  private add(fn: () => void, delay: number, every?: number): TimerId {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.time + delay, seq: this.seq++, fn, every });
    return id;
  }

  private due(until: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers.values()) {
      if (t.at > until) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
