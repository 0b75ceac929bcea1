/**
 * One CAN interface as the inverter nodes see it, whatever carries the frames: SocketCAN, an
 * slcan adapter on a serial port, or the simulated inverter. Frames a channel sends are never
 * handed back to its own listeners (a real controller does not receive its own frames).
 */
import type { CanFrame } from './can-frame';

/** Why a transport cannot work on this installation: the optional `socketcan` package is absent or not compiled. */
export type Unavailability = 'socketcan-missing' | 'socketcan-not-built';

export type CanStatus =
  | { state: 'connecting' }
  | { state: 'connected' }
  /** The device went away (unplug, interface down); the channel retries. */
  | { state: 'disconnected'; reason: string }
  /** The transport cannot work here; `problem` names the fix the node status shows. */
  | { state: 'unavailable'; problem: Unavailability; reason: string }
  /** The device answers but refuses (bad bitrate, frames rejected, nobody ACKs). */
  | { state: 'error'; reason: string }
  | { state: 'closed' };

export interface CanChannel {
  readonly status: CanStatus;
  /** Queues one frame; never throws (failures show in status and counters). */
  send(frame: CanFrame): void;
  /** Frames received from the bus. Returns the unsubscribe function. */
  onFrame(listener: (frame: CanFrame) => void): () => void;
  onStatus(listener: (status: CanStatus) => void): () => void;
  /** Releases the device within a bounded time. */
  close(): Promise<void>;
}

/** Listener bookkeeping shared by every transport. */
export class ChannelEvents {
  private readonly frameListeners = new Set<(frame: CanFrame) => void>();
  private readonly statusListeners = new Set<(status: CanStatus) => void>();
  private current: CanStatus = { state: 'connecting' };

  get status(): CanStatus {
    return this.current;
  }

  onFrame(listener: (frame: CanFrame) => void): () => void {
    this.frameListeners.add(listener);
    return () => {
      this.frameListeners.delete(listener);
    };
  }

  onStatus(listener: (status: CanStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => {
      this.statusListeners.delete(listener);
    };
  }

  emitFrame(frame: CanFrame): void {
    for (const l of [...this.frameListeners]) l(frame);
  }

  setStatus(status: CanStatus): void {
    if (JSON.stringify(status) === JSON.stringify(this.current)) return;
    this.current = status;
    for (const l of [...this.statusListeners]) l(status);
  }

  clear(): void {
    this.frameListeners.clear();
    this.statusListeners.clear();
  }
}

/** What every transport answers the same way: status and listeners from one ChannelEvents. */
export abstract class EventedChannel implements CanChannel {
  protected readonly events = new ChannelEvents();

  get status(): CanStatus {
    return this.events.status;
  }
  onFrame(listener: (frame: CanFrame) => void): () => void {
    return this.events.onFrame(listener);
  }
  onStatus(listener: (status: CanStatus) => void): () => void {
    return this.events.onStatus(listener);
  }

  abstract send(frame: CanFrame): void;
  abstract close(): Promise<void>;
}

/** Standard ids are 11 bits, extended 29; data at most 8 bytes (classical CAN, no FD). */
export function frameProblem(frame: CanFrame): string | undefined {
  const max = frame.ext ? 0x1fffffff : 0x7ff;
  if (!Number.isInteger(frame.id) || frame.id < 0 || frame.id > max) return `CAN id ${String(frame.id)} out of range`;
  if (frame.data.length > 8) return `CAN data longer than 8 bytes (${frame.data.length})`;
  return undefined;
}
