/**
 * Runs a device simulator on a real serial port or pty: used by `cellsafe simulate` and by the
 * end-to-end tests (the code under test opens the other end of a pty pair).
 */
import { RealClock, type Clock } from '../core/clock';
import type { DeviceSimulator, SimulatorFactory, SimulatorOptions } from './simulator-api';
import { SerialDevicePort } from './serial-port';

export interface SimulatorRun {
  simulator: DeviceSimulator;
  /** Puts raw bytes on the wire (tests inject garbage between transactions). */
  write(data: Buffer): Promise<void>;
  close(): Promise<void>;
}

export async function runSimulatorOnSerialPort(opts: {
  path: string;
  baudRate: number;
  factory: SimulatorFactory;
  options: SimulatorOptions;
  clock?: Clock;
}): Promise<SimulatorRun> {
  const port = new SerialDevicePort({ path: opts.path, baudRate: opts.baudRate });
  await port.open();
  // A write racing an unplug fails; a simulator has no one to tell, so it just drops the bytes.
  port.on('error', () => undefined);
  const simulator = opts.factory(opts.options, {
    clock: opts.clock ?? new RealClock(),
    send: (data) => {
      port.write(data).catch(() => undefined);
    },
  });
  port.on('data', (d: Buffer) => simulator.receive(d));
  return {
    simulator,
    write: (data) => port.write(data),
    async close() {
      simulator.close();
      await port.close();
    },
  };
}
