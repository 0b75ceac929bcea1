/**
 * Every timer in CellSafe goes through a Clock, so tests and scenarios run on simulated time.
 */
export type TimerId = number;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId | undefined): void;
  setInterval(fn: () => void, ms: number): TimerId;
  clearInterval(id: TimerId | undefined): void;
}

/** Wall-clock time backed by Node's timers. */
export class RealClock implements Clock {
  private readonly timers = new Map<TimerId, NodeJS.Timeout>();
  private nextId = 1;

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.nextId++;
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        fn();
      }, ms),
    );
    return id;
  }

  setInterval(fn: () => void, ms: number): TimerId {
    const id = this.nextId++;
    this.timers.set(id, setInterval(fn, ms));
    return id;
  }

  clearTimeout(id: TimerId | undefined): void {
    if (id === undefined) return;
    const t = this.timers.get(id);
    if (t) {
      clearTimeout(t);
      clearInterval(t);
      this.timers.delete(id);
    }
  }

  clearInterval(id: TimerId | undefined): void {
    this.clearTimeout(id);
  }

  /** Number of live timers (leak checks in tests). */
  get pending(): number {
    return this.timers.size;
  }
}

interface SimTimer {
  id: TimerId;
  at: number;
  fn: () => void;
  every?: number;
}

/** Simulated time: nothing happens until advance() is called. Timers fire in time order. */
export class SimClock implements Clock {
  private time: number;
  private timers: SimTimer[] = [];
  private nextId = 1;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.nextId++;
    this.timers.push({ id, at: this.time + Math.max(0, ms), fn });
    return id;
  }

  setInterval(fn: () => void, ms: number): TimerId {
    const id = this.nextId++;
    const every = Math.max(1, ms);
    this.timers.push({ id, at: this.time + every, fn, every });
    return id;
  }

  clearTimeout(id: TimerId | undefined): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }
  clearInterval(id: TimerId | undefined): void {
    this.clearTimeout(id);
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by ms, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: SimTimer | undefined;
      for (const t of this.timers) if (t.at <= end && (!next || t.at < next.at)) next = t;
      if (!next) break;
      this.time = next.at;
      if (next.every) next.at += next.every;
      else this.timers = this.timers.filter((t) => t !== next);
      next.fn();
    }
    this.time = end;
  }
}
