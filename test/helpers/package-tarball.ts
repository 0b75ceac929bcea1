/**
 * The package as npm would publish it: `npm pack` of a copy of the working tree without `dist/` (so
 * the `prepack` build has to make it), once per test process; and installs of that tarball.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './fixtures';

/** Git-ignored; downloads and the packed tarball live here. */
export const testOutput = path.join(REPO_ROOT, 'test-output');

export interface PackedPackage {
  tarball: string;
  /** Paths inside the package, as `npm pack` lists them. */
  files: string[];
  size: number;
  unpackedSize: number;
  packMs: number;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a user's shell: without the npm_* variables of the `npm test` / `npx` running the
 * tests (npm_config_nodedir would make node-gyp compile against this Node's headers, not Node 24's).
 */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return { ...env, ...extra };
}

/** Runs a command to its end (no shell); never rejects on a non-zero exit. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? userEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** npm's own entry script, so npm can be run by another Node.js binary (Node 24 in the compat test). */
export function npmCli(): string {
  const fromNpm = process.env.npm_execpath;
  if (fromNpm && /npm-cli\.js$/.test(fromNpm)) return fromNpm;
  const prefix = execFileSync('npm', ['prefix', '-g'], { encoding: 'utf8' }).trim();
  return path.join(prefix, 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
}

/** Tracked and untracked-but-not-ignored files: what a clone plus the developer's new files hold. */
function sourceFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  // Deleted-but-tracked files and symlinks (a linked node_modules) are not sources.
  return out.split('\0').filter((f) => f && fs.lstatSync(path.join(REPO_ROOT, f), { throwIfNoEntry: false })?.isFile());
}

async function pack(): Promise<PackedPackage> {
  const started = Date.now();
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'cellsafe-pack-'));
  try {
    for (const file of sourceFiles()) {
      fs.mkdirSync(path.dirname(path.join(stage, file)), { recursive: true });
      fs.copyFileSync(path.join(REPO_ROOT, file), path.join(stage, file));
    }
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
    const destination = path.join(testOutput, 'package');
    fs.rmSync(destination, { recursive: true, force: true });
    fs.mkdirSync(destination, { recursive: true });
    const result = await run('npm', ['pack', '--json', '--pack-destination', destination], { cwd: stage });
    if (result.code !== 0) throw new Error(`npm pack failed:\n${result.stdout}\n${result.stderr}`);
    const [info] = JSON.parse(result.stdout) as Array<{
      filename: string;
      size: number;
      unpackedSize: number;
      files: Array<{ path: string }>;
    }>;
    return {
      tarball: path.join(destination, info.filename),
      files: info.files.map((f) => f.path),
      size: info.size,
      unpackedSize: info.unpackedSize,
      packMs: Date.now() - started,
    };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

let packed: Promise<PackedPackage> | undefined;

/** Packs once per test process; every test that installs the package shares the tarball. */
export function packPackage(): Promise<PackedPackage> {
  packed ??= pack();
  return packed;
}

/** A fresh directory with an empty project, as a Node-RED user directory or a user's app starts. */
export function freshProject(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'cellsafe-install-test', private: true }));
  return dir;
}
