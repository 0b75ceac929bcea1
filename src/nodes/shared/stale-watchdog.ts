/** One timer that fires when nothing was heard for `ms`: every arm() starts the wait again. */
import type { Clock, TimerId } from '../../core/clock';

export class StaleWatchdog {
  private timer: TimerId | undefined;

  constructor(
    private readonly clock: Clock,
    readonly ms: number,
    private readonly onStale: () => void,
  ) {}

  arm(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(this.onStale, this.ms);
  }

  stop(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
