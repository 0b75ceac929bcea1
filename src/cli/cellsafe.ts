#!/usr/bin/env node
/**
 * The `cellsafe` command: subcommand dispatch. Each subcommand lives in its own file.
 */
import * as readline from 'node:readline';
import { answerCommand } from './answer';
import type { CliCommand, CliIo } from './command';
import { decodeCommand } from './decode';
import { encodeCommand } from './encode';
import { simulateCommand } from './simulate';
import { replayCommand } from './replay';
import { settingsCommand } from './settings';

export const COMMANDS: CliCommand[] = [
  decodeCommand,
  simulateCommand,
  encodeCommand,
  replayCommand,
  answerCommand,
  settingsCommand,
];

function helpText(): string {
  const lines = ['usage: cellsafe <command> [options]', '', 'commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.name.padEnd(10)} ${c.summary}`, `             ${c.usage}`);
  lines.push('', 'cellsafe <command> --help shows the usage of one command.');
  return lines.join('\n') + '\n';
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(helpText());
    return name ? 0 : 1;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`cellsafe: unknown command "${name}"\n\n${helpText()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`usage: ${command.usage}\n`);
    return 0;
  }
  return command.run(rest, io);
}

export const processIo: CliIo = {
  stdout: (t) => {
    process.stdout.write(t);
  },
  stderr: (t) => {
    process.stderr.write(t);
  },
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  stdinLines: () => readline.createInterface({ input: process.stdin, crlfDelay: Infinity }),
};

if (require.main === module) {
  main(process.argv.slice(2), processIo).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`cellsafe: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
