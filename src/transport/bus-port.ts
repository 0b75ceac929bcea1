/**
 * The byte pipe under a serial bus: a real serial port or the in-process simulator.
 * Events: 'data' (Buffer), 'close' (disconnected: boolean — true when the device went away),
 * 'error' (Error). Every implementation must never throw out of write/close.
 */
import type { EventEmitter } from 'node:events';

export interface BusPort extends EventEmitter {
  readonly isOpen: boolean;
  open(): Promise<void>;
  write(data: Buffer): Promise<void>;
  /** Closes within a bounded time, even if the device hangs. */
  close(): Promise<void>;
}

export interface SerialSettings {
  path: string;
  baudRate: number;
  dataBits?: 5 | 6 | 7 | 8;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
}
