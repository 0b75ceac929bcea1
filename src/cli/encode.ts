/**
 * `cellsafe encode --protocol <p> [--profile <name>] < bank.json`: prints the CAN frames of one
 * inverter transmit cycle for a BankState (or a hand-built object with the minimal fields).
 */
import { canIdText } from '../nodes/inverter-can/can-encoding';
import { toBankState } from '../nodes/inverter-can/bank-completion';
import { PROTOCOLS, protocolByName } from '../nodes/inverter-can/protocols';
import { wireClaimProblem } from '../nodes/inverter-can/wire-values';
import type { CliCommand } from './command';
import { parseArgs } from './command';

export const encodeCommand: CliCommand = {
  name: 'encode',
  summary: 'print the inverter CAN frames of one transmit cycle for a BankState read from stdin',
  usage: `cellsafe encode --protocol <${Object.keys(PROTOCOLS).join('|')}> [--profile <name>] < bank.json`,
  async run(args, io) {
    const fail = (error: string): number => {
      io.stdout(JSON.stringify({ error }) + '\n');
      return 1;
    };
    const { options } = parseArgs(args);
    const protocol = protocolByName(options.protocol ?? '');
    if (!protocol)
      return fail(`unknown protocol "${options.protocol ?? ''}"; one of: ${Object.keys(PROTOCOLS).join(', ')}`);
    const encodeOptions = { profile: options.profile };
    const problem = protocol.validateOptions(encodeOptions);
    if (problem) return fail(problem);
    let input: unknown;
    try {
      input = JSON.parse(await io.readStdin());
    } catch (err) {
      return fail(`stdin is not JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    const bank = toBankState(input, Date.now());
    if (!bank.ok) return fail(bank.reason);
    const nothingToSay = wireClaimProblem(bank.value);
    if (nothingToSay) return fail(`${nothingToSay}: an inverter node sends nothing for it`);
    const frames = protocol
      .encode(bank.value, encodeOptions)
      .map((f) => ({ id: canIdText(f.id), data: f.data.toString('hex').toUpperCase() }));
    io.stdout(JSON.stringify(frames) + '\n');
    return 0;
  },
};
