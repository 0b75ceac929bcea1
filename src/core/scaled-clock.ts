/**
 * Simulated time that runs `speed` times faster than a base clock (×1 … ×600). It is a SimClock, so
 * every timer set on it fires in simulated-time order, and the same timers give the same results at
 * any speed: `start()` only decides how fast `advance()` is called. Tests leave it stopped and call
 * `advance()` themselves.
 */
import { RealClock, SimClock, type Clock, type TimerId } from './clock';

export const MIN_SPEED = 1;
export const MAX_SPEED = 600;
/** A stalled process does not make simulated time jump by more than this much wall time per tick. */
const MAX_CATCH_UP_MS = 1000;

/** A speed setting as a number in 1…600; anything unreadable is 1. */
export function clampSpeed(speed: unknown): number {
  const n = Number(speed);
  if (!Number.isFinite(n)) return MIN_SPEED;
  return Math.min(MAX_SPEED, Math.max(MIN_SPEED, n));
}

export class ScaledClock extends SimClock {
  private speedValue: number;
  private ticker?: TimerId;
  private lastBase = 0;
  private readonly tickMs: number;

  constructor(
    private readonly base: Clock = new RealClock(),
    options: { start?: number; speed?: number; tickMs?: number } = {},
  ) {
    super(options.start);
    this.speedValue = clampSpeed(options.speed ?? 1);
    this.tickMs = Math.max(10, options.tickMs ?? 50);
  }

  get speed(): number {
    return this.speedValue;
  }

  setSpeed(speed: unknown): void {
    this.speedValue = clampSpeed(speed);
  }

  get running(): boolean {
    return this.ticker !== undefined;
  }

  /** Lets simulated time follow the base clock, `speed` times faster. */
  start(): void {
    if (this.ticker !== undefined) return;
    this.lastBase = this.base.now();
    this.ticker = this.base.setInterval(() => {
      const baseNow = this.base.now();
      const elapsed = Math.min(MAX_CATCH_UP_MS, Math.max(0, baseNow - this.lastBase));
      this.lastBase = baseNow;
      this.advance(elapsed * this.speedValue);
    }, this.tickMs);
  }

  stop(): void {
    this.base.clearInterval(this.ticker);
    this.ticker = undefined;
  }
}
