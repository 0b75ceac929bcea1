/**
 * The cyclic transmitter behind every inverter node (pure: no Node-RED import, all time through a
 * Clock). Input may arrive at any rhythm; frames go out at the protocol's period:
 * - nothing before the first valid bank: a bank in INIT or without a measured voltage
 *   (wireClaimProblem) is never put on the wire, so the inverter never reads SoC 0 % / 0 V from a
 *   bank that does not exist yet; once sending, such a bank counts as no input;
 * - no fresh BankState for staleSec (by the bank's own time: a bank is as old as the older of its
 *   `time` and its arrival) → the last bank with CCL = DCL = 0, charge/discharge disabled
 *   and the communication alarm (CVL is kept: CVL 0 reads as over-voltage on Victron and makes
 *   Deye discharge the battery);
 * - BankState.stopCan, or no input for silenceSec → nothing at all, so the inverter's own
 *   comms-loss protection engages; a fresh bank resumes;
 * - frames from the inverter (Pylon 0x305 ACK, Growatt 0x301 poll, SMA/Victron 0x305…) supervise
 *   the link; a polled protocol's answers replace the periodic cycle while polls come;
 * - a bank that stops a flow the inverter has now (a limit dropping to 0, a permission withdrawn)
 *   goes out at once (after the protocol's minimum gap), not at the next period: reaction time matters
 *   more than cadence when a cell hits its cut-off. The regular cycle restarts from that send.
 */
import type { Clock, TimerId } from '../../core/clock';
import type { BankState } from '../../core/pack-state';
import type { CanFrame } from '../../transport/can-frame';
import type { EncodeOptions, InverterFrameResult, InverterProtocol } from '../../transport/can-inverter-api';
import { measuredAt } from '../../core/data-age';
import { wireClaimProblem } from './wire-values';

/** Shortest time between two frame sets unless the protocol says more (SMA: 200 ms). */
const DEFAULT_MIN_GAP_MS = 50;
/** Lowest period a user may configure: SMA's inhibit time, the largest protocol gap. */
const MIN_PERIOD_MS = 200;

export type TransmitState = 'waiting' | 'transmitting' | 'stale' | 'stopped' | 'silent' | 'closed';
export type LinkState = 'unsupervised' | 'waiting' | 'ok' | 'lost';

export interface TransmitterStatus {
  state: TransmitState;
  link: LinkState;
  /** The bank last put on the wire (fail-safe version while stale). */
  sent?: BankState;
  cycles: number;
  /** The last command the inverter sent (Luxpower 0x300 remote shutdown); the node surfaces it. */
  command?: 'shutdown';
}

export interface TransmitterOptions {
  protocol: InverterProtocol;
  encodeOptions?: EncodeOptions;
  clock: Clock;
  /** Default: the protocol's period. */
  periodMs?: number;
  staleSec: number;
  /** 0 = keep sending the fail-safe frames forever. */
  silenceSec: number;
  /** 0 = no link supervision. */
  linkTimeoutSec: number;
  transmit(frames: CanFrame[]): void;
  /** Called after every input, cycle and inverter frame; the caller de-duplicates. */
  onStatus?(status: TransmitterStatus): void;
}

/** Reasons the options cannot work, for a clear node error. */
export function transmitterOptionsProblem(o: {
  periodMs?: number;
  staleSec: number;
  silenceSec: number;
  linkTimeoutSec: number;
}): string | undefined {
  if (o.periodMs !== undefined && !(o.periodMs >= MIN_PERIOD_MS && o.periodMs <= 10000))
    return `period must be ${MIN_PERIOD_MS}..10000 ms`;
  if (!(o.staleSec > 0)) return 'staleSec must be > 0';
  if (!(o.silenceSec === 0 || o.silenceSec > o.staleSec))
    return 'silenceSec must be 0 (never) or greater than staleSec';
  if (!(o.linkTimeoutSec >= 0)) return 'linkTimeoutSec must be >= 0';
  return undefined;
}

/** The bank an inverter gets when ours is stale: nothing may flow, and it says why. */
export function failSafeBank(bank: BankState): BankState {
  return {
    ...bank,
    ccl: 0,
    dcl: 0,
    chargeAllowed: false,
    dischargeAllowed: false,
    forceCharge: false,
    fullChargeRequest: false,
    mode: 'failsafe',
    limitedBy: { ...bank.limitedBy, ccl: 'stale', dcl: 'stale' },
    alarms: { ...bank.alarms, communication: 'alarm' },
  };
}

/** True when `next` stops a current that `prev` (what the inverter has now) allows. */
export function stopsFlow(prev: BankState | undefined, next: BankState): boolean {
  if (!prev) return false;
  return (
    (prev.ccl > 0 && next.ccl <= 0) ||
    (prev.dcl > 0 && next.dcl <= 0) ||
    (prev.chargeAllowed && !next.chargeAllowed) ||
    (prev.dischargeAllowed && !next.dischargeAllowed)
  );
}

export class CyclicTransmitter {
  private readonly periodMs: number;
  private readonly minGapMs: number;
  private readonly supervised: boolean;
  private bank?: BankState;
  private freshAt = 0;
  private state: TransmitState = 'waiting';
  private timer?: TimerId;
  private nextRegularAt = 0;
  private lastTxAt = -Infinity;
  private staleSent = false;
  private urgent = false;
  private answeredSinceCycle = false;
  private linkAt?: number;
  private sent?: BankState;
  private cycles = 0;
  private command?: 'shutdown';

  constructor(private readonly o: TransmitterOptions) {
    this.periodMs = o.periodMs ?? o.protocol.periodMs;
    this.minGapMs = o.protocol.minGapMs ?? DEFAULT_MIN_GAP_MS;
    this.supervised = o.linkTimeoutSec > 0 && typeof o.protocol.onInverterFrame === 'function';
  }

  get status(): TransmitterStatus {
    return { state: this.state, link: this.link(), sent: this.sent, cycles: this.cycles, command: this.command };
  }

  /** A new, already validated bank. */
  update(bank: BankState): void {
    if (this.state === 'closed') return;
    if (bank.stopCan) {
      // Honoured whatever else the bank says: silence never claims anything.
      this.halt('stopped');
      this.report();
      return;
    }
    if (wireClaimProblem(bank)) {
      this.ignore();
      return;
    }
    const now = this.o.clock.now();
    this.bank = bank;
    this.freshAt = measuredAt(bank.time, now);
    this.staleSent = false;
    if (this.timer === undefined) {
      // Starting (or resuming after silence/stop): first cycle now, then the regular cadence.
      this.nextRegularAt = now;
      this.wake();
      return;
    }
    const staleAlready = now >= this.freshAt + this.o.staleSec * 1000;
    if (this.state === 'stale' && !staleAlready) {
      this.state = 'transmitting';
    } else if (stopsFlow(this.sent, bank) || staleAlready) {
      this.urgent = true;
      this.o.clock.clearTimeout(this.timer);
      this.timer = this.o.clock.setTimeout(() => this.wake(), Math.max(0, this.lastTxAt + this.minGapMs - now));
      return;
    }
    // Measured earlier than the bank before it, it goes stale earlier: plan the next wake-up again.
    this.o.clock.clearTimeout(this.timer);
    this.wake();
  }

  /** A frame received from the inverter side of the bus. */
  onInverterFrame(frame: CanFrame): void {
    const handler = this.o.protocol.onInverterFrame;
    if (!handler || this.state === 'closed') return;
    const active = this.state === 'transmitting' || this.state === 'stale';
    const bank = active ? this.current() : undefined;
    let result: InverterFrameResult;
    try {
      result = handler.call(this.o.protocol, frame, bank, this.o.encodeOptions);
    } catch {
      return; // an odd frame from the bus must never stop the transmitter
    }
    if (result.linkAlive) this.linkAt = this.o.clock.now();
    if (result.command) this.command = result.command;
    if (active && bank && result.reply && result.reply.length > 0) {
      this.o.transmit(result.reply);
      // The answer is what the inverter has now: the status and the next stopsFlow compare with it.
      this.sent = bank;
      this.cycles += 1;
      this.lastTxAt = this.o.clock.now();
      this.answeredSinceCycle = true;
    }
    this.report();
  }

  /**
   * A bank with nothing true to say counts as no input: what is on the wire goes on until stale
   * (a bms-rules redeploy passes through INIT); a transmitter that sends nothing waits for a valid one.
   */
  private ignore(): void {
    if (this.state !== 'transmitting' && this.state !== 'stale') this.state = 'waiting';
    this.report();
  }

  close(): void {
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.state = 'closed';
  }

  private current(): BankState | undefined {
    if (!this.bank) return undefined;
    return this.state === 'stale' ? failSafeBank(this.bank) : this.bank;
  }

  private link(): LinkState {
    if (!this.supervised) return 'unsupervised';
    if (this.linkAt === undefined) return 'waiting';
    return this.o.clock.now() - this.linkAt > this.o.linkTimeoutSec * 1000 ? 'lost' : 'ok';
  }

  private halt(state: 'stopped' | 'silent'): void {
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.state = state;
  }

  /** Runs whatever is due now and schedules the next wake-up. */
  private wake(): void {
    this.timer = undefined;
    if (this.state === 'closed' || !this.bank) return;
    const now = this.o.clock.now();
    const silenceAt = this.o.silenceSec > 0 ? this.freshAt + this.o.silenceSec * 1000 : Infinity;
    if (now >= silenceAt) {
      this.halt('silent');
      this.report();
      return;
    }
    const stale = now >= this.freshAt + this.o.staleSec * 1000;
    const gapOk = now - this.lastTxAt >= this.minGapMs;
    const staleTransition = stale && !this.staleSent && gapOk;
    const urgentNow = this.urgent && gapOk;
    if (now >= this.nextRegularAt || staleTransition || urgentNow) {
      this.state = stale ? 'stale' : 'transmitting';
      // While a polled protocol's inverter is asking, the answers are the cycle.
      if (!this.answeredSinceCycle || staleTransition || urgentNow) this.cycle();
      this.answeredSinceCycle = false;
      this.urgent = false;
      if (stale) this.staleSent = true;
      this.nextRegularAt =
        staleTransition || urgentNow || this.nextRegularAt + this.periodMs <= now
          ? now + this.periodMs
          : this.nextRegularAt + this.periodMs;
    }
    let next = Math.min(this.nextRegularAt, silenceAt);
    if (this.urgent) next = Math.min(next, this.lastTxAt + this.minGapMs);
    if (!this.staleSent)
      next = Math.min(next, Math.max(this.freshAt + this.o.staleSec * 1000, this.lastTxAt + this.minGapMs));
    this.timer = this.o.clock.setTimeout(() => this.wake(), Math.max(0, next - now));
    this.report();
  }

  private cycle(): void {
    const bank = this.current();
    if (!bank) return;
    let frames: CanFrame[];
    try {
      frames = this.o.protocol.encode(bank, this.o.encodeOptions);
    } catch {
      return; // encoders never throw for a valid bank; a bug here must not kill the timer
    }
    if (frames.length === 0) return; // the encoder found nothing true to say
    this.sent = bank;
    this.cycles += 1;
    this.lastTxAt = this.o.clock.now();
    this.o.transmit(frames);
  }

  private report(): void {
    this.o.onStatus?.(this.status);
  }
}
