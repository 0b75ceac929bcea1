import type { CliIo } from '../../src/cli/command';

/** CliIo for an in-process `main()` run: stdout and stderr collected, `stdin` as its input. */
export function captureIo(stdin = ''): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
    readStdin: async () => stdin,
    stdinLines: async function* () {
      for (const l of stdin.split('\n')) yield l;
    },
  };
  return io;
}
