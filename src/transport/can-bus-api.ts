/**
 * What an inverter encoder node sees of a `can-bus` config node. Encoder nodes never touch the
 * interface itself.
 */
import type { CanStatus } from './can-channel';
import type { CanFrame } from './can-frame';

/** A node using the bus: it gets the interface status fanned out to it. */
export interface CanBusUser {
  id: string;
  canStatus(status: CanStatus): void;
}

export interface CanBusApi {
  /** (Named so it does not clash with Node's own status()/send().) */
  readonly interfaceStatus: CanStatus;
  /** The bitrate the bus was opened with when CellSafe sets it (slcan); the OS's business otherwise. */
  readonly bitrate?: number;
  register(user: CanBusUser): void;
  deregister(user: CanBusUser): void;
  transmit(frame: CanFrame): void;
  /** Frames received from the bus; returns the unsubscribe function. */
  onFrame(listener: (frame: CanFrame) => void): () => void;
}
