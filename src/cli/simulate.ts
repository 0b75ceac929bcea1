/**
 * `cellsafe simulate --protocol <p> --port <path> [--addresses 1-5] [--cells 16] [--profile x] [--baud n]`:
 * answers as one or more simulated BMS packs on a real serial port or pty until interrupted.
 */
import { parseAddressList } from '../core/address-list';
import { runSimulatorOnSerialPort } from '../transport/simulator-runner';
import { SIMULATORS } from './simulators';
import type { CliCommand } from './command';
import { parseArgs } from './command';

const DEFAULT_BAUD: Record<string, number> = { 'seplos-v2': 19200, 'seplos-v3': 19200, smartbms: 9600 };

export const simulateCommand: CliCommand = {
  name: 'simulate',
  summary: 'answer as simulated BMS packs on a serial port or pty',
  usage:
    'cellsafe simulate --protocol <protocol> --port <path> [--addresses 1-5] [--cells 16] [--profile <name>] [--baud <rate>]',
  async run(args, io) {
    const { options } = parseArgs(args);
    const protocol = options.protocol ?? '';
    const factory = SIMULATORS[protocol];
    if (!factory) {
      io.stderr(`unknown protocol "${protocol}"; one of: ${Object.keys(SIMULATORS).join(', ')}\n`);
      return 2;
    }
    if (!options.port) {
      io.stderr('--port <path> is required\n');
      return 2;
    }
    const addresses = parseAddressList(options.addresses ?? '1');
    if (!addresses.ok) {
      io.stderr(`--addresses: ${addresses.reason}\n`);
      return 2;
    }
    const baudRate = Number(options.baud ?? DEFAULT_BAUD[protocol] ?? 115200);
    const run = await runSimulatorOnSerialPort({
      path: options.port,
      baudRate,
      factory,
      options: { addresses: addresses.value, cells: Number(options.cells ?? 16), profile: options.profile },
    });
    io.stderr(
      `simulating ${protocol} packs ${addresses.value.join(',')} on ${options.port} at ${baudRate} baud; Ctrl-C to stop\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await run.close();
    return 0;
  },
};
