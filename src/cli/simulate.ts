/**
 * `cellsafe simulate --protocol <p> --port <path> [--addresses 1-5] [--cells 16] [--profile x] [--baud n]
 * [--bank [name] --current <A|day> --speed <1…600> --soc <%>]`: answers as one or more simulated BMS packs on a
 * real serial port or pty until interrupted. With `--bank` the packs answer from a simulated bank
 * (simulate-bank.ts) and a status line goes to stderr every 10 s.
 */
import { parseAddressList } from '../core/address-list';
import { RealClock } from '../core/clock';
import { runSimulatorOnSerialPort, type SimulatorRun } from '../transport/simulator-runner';
import { SIMULATORS } from './simulators';
import type { CliCommand, CliIo } from './command';
import { parseArgs, untilInterrupted } from './command';
import { setUpBank } from './simulate-bank';

const DEFAULT_BAUD: Record<string, number> = {
  'seplos-v2': 19200,
  'seplos-v3': 19200,
  smartbms: 9600,
  'pylontech-485-inverter': 9600,
};
const STATUS_EVERY_MS = 10_000;

/** A running simulation: the simulator on its port, and what else must stop with it. */
export interface Simulation {
  run: SimulatorRun;
  close(): Promise<void>;
}

/** Starts the simulators the options describe; an error text when they cannot start. */
export async function startSimulation(options: Record<string, string>, io: CliIo): Promise<Simulation | string> {
  const protocol = options.protocol ?? '';
  const factory = SIMULATORS[protocol];
  if (!factory) return `unknown protocol "${protocol}"; one of: ${Object.keys(SIMULATORS).join(', ')}`;
  if (!options.port) return '--port <path> is required';
  const addresses = parseAddressList(options.addresses ?? '1');
  if (!addresses.ok) return `--addresses: ${addresses.reason}`;
  const bank = options.bank ? setUpBank(options) : undefined;
  if (bank && !bank.ok) return bank.reason;
  const baudRate = Number(options.baud ?? DEFAULT_BAUD[protocol] ?? 115200);
  const run = await runSimulatorOnSerialPort({
    path: options.port,
    baudRate,
    factory,
    options: {
      addresses: addresses.value,
      cells: Number(options.cells ?? 16),
      profile: options.profile,
      bank: bank?.setup.name,
      // a simulated inverter prints what it read, one JSON line per poll cycle
      onReport: (line) => io.stdout(`${line}\n`),
    },
  });
  const where = `${protocol} packs ${addresses.value.join(',')} on ${options.port} at ${baudRate} baud`;
  io.stderr(`simulating ${where}${bank ? ` from bank "${bank.setup.name}"` : ''}; Ctrl-C to stop\n`);
  const clock = new RealClock();
  const ticker = bank ? clock.setInterval(() => io.stderr(bank.setup.status()), STATUS_EVERY_MS) : undefined;
  return {
    run,
    async close() {
      clock.clearInterval(ticker);
      await run.close();
    },
  };
}

export const simulateCommand: CliCommand = {
  name: 'simulate',
  summary: 'answer as simulated BMS packs on a serial port or pty',
  usage:
    'cellsafe simulate --protocol <protocol> --port <path> [--addresses 1-5] [--cells 16] [--profile <name>] [--baud <rate>] [--bank [name] [--current <A>|day] [--speed 1-600] [--soc 50]]',
  async run(args, io) {
    const { options } = parseArgs(args);
    const simulation = await startSimulation(options, io);
    if (typeof simulation === 'string') {
      io.stderr(`${simulation}\n`);
      return 2;
    }
    await untilInterrupted();
    await simulation.close();
    return 0;
  },
};
