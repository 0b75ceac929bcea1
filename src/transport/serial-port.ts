/**
 * BusPort over a real serial device (or pty) with the `serialport` package. The package is loaded at
 * the first open, not when Node-RED loads the node files: it takes longer to load than all CellSafe
 * nodes together, and a flow with only simulated buses never needs it.
 */
import { EventEmitter } from 'node:events';
import type { SerialPort } from 'serialport';
import type { BusPort, SerialSettings } from './bus-port';

const CLOSE_TIMEOUT_MS = 2000;

export class SerialDevicePort extends EventEmitter implements BusPort {
  private port?: SerialPort;

  constructor(private readonly settings: SerialSettings) {
    super();
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  async open(): Promise<void> {
    const { SerialPort } = await import('serialport');
    return new Promise((resolve, reject) => {
      const port = new SerialPort({
        path: this.settings.path,
        baudRate: this.settings.baudRate,
        dataBits: this.settings.dataBits ?? 8,
        parity: this.settings.parity ?? 'none',
        stopBits: this.settings.stopBits ?? 1,
        autoOpen: false,
      });
      // Listeners live on our own SerialPort object, which is dropped on close: nothing leaks.
      port.on('data', (d: Buffer) => this.emit('data', d));
      port.on('error', (e: Error) => this.emit('error', e));
      port.on('close', (err?: Error & { disconnected?: boolean }) => {
        if (this.port === port) this.port = undefined;
        this.emit('close', Boolean(err?.disconnected));
      });
      port.open((err) => {
        if (err) {
          port.removeAllListeners();
          reject(err);
          return;
        }
        this.port = port;
        resolve();
      });
    });
  }

  write(data: Buffer): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.reject(new Error('port is not open'));
    return new Promise((resolve, reject) => {
      port.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (!port?.isOpen) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        port.removeAllListeners();
        resolve();
      }, CLOSE_TIMEOUT_MS);
      port.close(() => {
        clearTimeout(timer);
        port.removeAllListeners();
        resolve();
      });
    });
  }
}
