/**
 * What a BMS node sees of a `bms-serial-bus` config node. BMS nodes never touch the port.
 */
import type { Framer } from './framer';

export interface Transaction {
  /** Device address, used for round-robin and for backing off a silent device. */
  address: number;
  request: Buffer;
  /** Says when the answer is complete. Omit for a write that expects no answer. */
  framer?: Framer;
  /** Per-request timeout in ms (default: the bus setting). */
  timeoutMs?: number;
}

export type BusErrorCode = 'timeout' | 'backoff' | 'closed' | 'disconnected' | 'overflow';

export class BusError extends Error {
  constructor(
    readonly code: BusErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BusError';
  }
}

export type BusStatus =
  | { state: 'connecting' }
  | { state: 'connected' }
  | { state: 'disconnected'; reason: string }
  | { state: 'error'; reason: string };

/** A node that uses the bus: it gets the bus status fanned out to it. */
export interface BusUser {
  id: string;
  busStatus(status: BusStatus): void;
}

export interface SerialBusApi {
  /** The bus lets its users poll back-to-back while a pack is close to a limit (priority polling). */
  readonly priorityPolling?: boolean;
  register(user: BusUser): void;
  deregister(user: BusUser): void;
  /** Queues one request/answer; resolves with the answer frame or rejects with a BusError. */
  transact(t: Transaction): Promise<Buffer>;
  /** Raw bytes as they arrive (listen-only decoders). Returns the unsubscribe function. */
  onData(listener: (data: Buffer) => void): () => void;
}
