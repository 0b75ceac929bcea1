/** One `cellsafe` subcommand. `io` is injected so tests run commands in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whole standard input as text (read lazily: only commands that need it call it). */
  readStdin: () => Promise<string>;
  /** Standard input line by line (replay of large files). */
  stdinLines: () => AsyncIterable<string>;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Resolves with the process exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Parses `--flag value` / `--flag=value` options and positional arguments. */
export function parseArgs(args: string[]): { options: Record<string, string>; positional: string[] } {
  const options: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) options[a.slice(2, eq)] = a.slice(eq + 1);
      else if (i + 1 < args.length && !args[i + 1].startsWith('--')) options[a.slice(2)] = args[++i];
      else options[a.slice(2)] = 'true';
    } else {
      positional.push(a);
    }
  }
  return { options, positional };
}

/** Resolves when the process gets Ctrl-C or a SIGTERM: long-running commands stop cleanly then. */
export function untilInterrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
