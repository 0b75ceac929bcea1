/**
 * Real pseudo-terminal pairs for serial tests: socat links two ptys under stable symlink paths.
 * Killing socat is an unplug (the open port gets `close` with `disconnected`); restart() brings
 * the same paths back.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface PtyPair {
  /** Symlink path of one end (give it to the code under test). */
  a: string;
  /** Symlink path of the other end (the fake device / simulator). */
  b: string;
  /** Kills socat: both ends disappear (unplug). */
  stop(): Promise<void>;
  /** Starts socat again with the same paths (replug). */
  restart(): Promise<void>;
}

export function socatAvailable(): boolean {
  return spawnSync('sh', ['-c', 'command -v socat'], { stdio: 'ignore' }).status === 0;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function createPtyPair(): Promise<PtyPair> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellsafe-pty-'));
  const a = path.join(dir, 'ttyA');
  const b = path.join(dir, 'ttyB');
  let proc: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const p = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
    live.add(p);
    p.on('exit', () => live.delete(p));
    p.on('error', () => live.delete(p));
    proc = p;
    await waitFor(() => fs.existsSync(a) && fs.existsSync(b), 5000, 'socat ptys');
  };

  const stop = async (): Promise<void> => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    await exited;
    await waitFor(() => !fs.existsSync(a) && !fs.existsSync(b), 2000, 'socat links to go').catch(() => {
      for (const f of [a, b]) fs.rmSync(f, { force: true });
    });
  };

  await start();
  return { a, b, stop, restart: start };
}
