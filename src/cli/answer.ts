/**
 * `cellsafe answer --protocol pylontech-485 --port <path> [--address N | --addresses 2-4] [--baud 9600]
 * [--cells 16] [--dcl positive] [--system-current 0.01] < bank.json`: answers an inverter's polls on a serial port with one fixed
 * BankState until interrupted, and logs each poll (commissioning without Node-RED). The bank may be a
 * whole BankState or a hand-built object with at least cvl, ccl, dcl, soc, voltage, current, temperature.
 */
import { parseAddressList } from '../core/address-list';
import { RealClock, type Clock } from '../core/clock';
import type { BankState } from '../core/pack-state';
import { toBankState } from '../nodes/inverter-can/bank-completion';
import { PylonAnswerer, type AnswererSettings } from '../nodes/pylontech-485/protocol-pylontech-485-answerer';
import { commandHex } from '../nodes/pylontech-485/protocol-pylontech-485';
import { claimDevice, releaseDevice } from '../transport/port-registry';
import { SerialDevicePort } from '../transport/serial-port';
import { SlavePort } from '../transport/slave-port';
import type { CliCommand, CliIo } from './command';
import { parseArgs, untilInterrupted } from './command';

const PROTOCOLS = ['pylontech-485'];

export interface AnswerPlan {
  port: string;
  baudRate: number;
  bank: BankState;
  settings: AnswererSettings;
}

/** What is wrong with the options before the bank is read, if anything. */
function optionsProblem(options: Record<string, string>): string | undefined {
  if (!PROTOCOLS.includes(options.protocol ?? '')) return `--protocol must be one of: ${PROTOCOLS.join(', ')}`;
  if (!options.port) return '--port <path> is required';
  return undefined;
}

/** Reads the options and the bank; the reason when they do not make a plan. */
export function answerPlan(options: Record<string, string>, bankText: string, now: number): AnswerPlan | string {
  const problem = optionsProblem(options);
  if (problem) return problem;
  const addresses = parseAddressList(options.addresses ?? options.address ?? '2', 1, 254);
  if (!addresses.ok) return `--address: ${addresses.reason}`;
  let input: unknown;
  try {
    input = JSON.parse(bankText);
  } catch (error) {
    return `standard input is not JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  const bank = toBankState(input, now);
  if (!bank.ok) return `bank: ${bank.reason}`;
  const settings: AnswererSettings = {
    addresses: addresses.value,
    cellCount: Number(options.cells ?? 16),
    dclSign: options.dcl === 'positive' ? 'positive' : 'negative',
    systemCurrentLsb: options['system-current'] === '0.01' ? 0.01 : 0.1,
    // one fixed bank on purpose: it never goes stale
    staleSec: Number.POSITIVE_INFINITY,
  };
  return { port: options.port!, baudRate: Number(options.baud ?? 9600), bank: bank.value, settings };
}

/** Answers on the port until `stop` resolves; one log line per poll answered or frame refused. */
export async function runAnswer(
  plan: AnswerPlan,
  io: CliIo,
  stop: Promise<void>,
  clock: Clock = new RealClock(),
): Promise<number> {
  const owner = `cellsafe answer ${process.pid}`;
  const claim = claimDevice(plan.port, owner);
  if (!claim.ok) {
    io.stderr(`${claim.reason}\n`);
    return 1;
  }
  const answerer = new PylonAnswerer(plan.settings, clock);
  answerer.setBank(plan.bank);
  const port = new SlavePort({
    createPort: () => new SerialDevicePort({ path: plan.port, baudRate: plan.baudRate }),
    deviceKey: claim.key,
    clock,
    retryMs: 5000,
    onData: (data) => {
      for (const result of answerer.receive(data)) {
        const time = new Date(clock.now()).toISOString();
        if (result.kind === 'answered') {
          port.write(Buffer.from(result.frame, 'latin1'));
          io.stdout(`${time} ADR ${result.adr} ${commandHex(result.cid2)} → RTN ${commandHex(result.rtn)}\n`);
        } else if (!/not answered here/.test(result.reason)) io.stdout(`${time} not answered: ${result.reason}\n`);
      }
    },
    onState: (state, reason) => {
      if (state === 'error') io.stderr(`port ${plan.port}: ${reason ?? 'error'}\n`);
    },
  });
  port.start();
  io.stderr(
    `answering as pylontech-485 ADR ${plan.settings.addresses.join(',')} on ${plan.port} at ${plan.baudRate} Bd; Ctrl-C to stop\n`,
  );
  await stop;
  await port.close();
  releaseDevice(claim.key, owner);
  const { polls, answered, errors, badFrames } = answerer.counters;
  io.stderr(`${polls} polls, ${answered} answered, ${errors} error answers, ${badFrames} bad frames\n`);
  return 0;
}

export const answerCommand: CliCommand = {
  name: 'answer',
  summary: 'answer an inverter as a battery with one fixed BankState (stdin) on a serial port',
  usage:
    'cellsafe answer --protocol pylontech-485 --port <path> [--address 2] [--baud 9600] [--cells 16] [--dcl negative|positive] [--system-current 0.1|0.01] < bank.json',
  async run(args, io) {
    const { options } = parseArgs(args);
    const problem = optionsProblem(options);
    if (problem) {
      io.stderr(`${problem}\n`);
      return 2;
    }
    const plan = answerPlan(options, await io.readStdin(), Date.now());
    if (typeof plan === 'string') {
      io.stderr(`${plan}\n`);
      return 2;
    }
    return runAnswer(plan, io, untilInterrupted());
  },
};
