/**
 * 6. Start-up cost: how long `require` of each CellSafe node file takes in a fresh Node.js process
 * (the compiled files Node-RED loads, from package.json `node-red.nodes`), and all of them in one
 * process, in package order, as Node-RED loads them. Median of 5 fresh processes each.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../test/helpers/fixtures';
import { type Figure, type SectionResult, atMost } from './lib/section';
import { sig } from './lib/stats';

const RUNS = 5;
const TARGET_MS = 150;

/** ms to require `files` one after the other in a fresh process. */
function requireMs(files: string[]): number {
  const script =
    'const t = process.hrtime.bigint();' +
    `for (const f of ${JSON.stringify(files)}) require(f);` +
    'process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));';
  return Number(execFileSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8' }));
}

function median(measure: () => number): number {
  const values = Array.from({ length: RUNS }, measure).sort((a, b) => a - b);
  return values[Math.floor(RUNS / 2)];
}

export async function runRequireTime(): Promise<SectionResult> {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    'node-red': { nodes: Record<string, string> };
  };
  const nodes = Object.entries(pkg['node-red'].nodes).map(([name, file]) => ({
    name,
    file: path.join(REPO_ROOT, file),
  }));
  const base = {
    id: 'require',
    title: 'require time of the node files',
    method:
      `Each node file of package.json \`node-red.nodes\` (compiled, from dist) required in a fresh Node.js process; ` +
      `median of ${RUNS} processes. Each file alone includes the modules it shares with others (transport, core); ` +
      '"all together" requires every file in package order in one process, as Node-RED loads them, and is the ' +
      `figure judged against the target (≤ ${TARGET_MS} ms). Requiring does not start anything: no port, no timer.`,
  };
  const missing = nodes.filter((n) => !existsSync(n.file)).map((n) => n.file);
  if (missing.length) return { ...base, figures: [], skipped: [`not built (npm run build): ${missing.join(', ')}`] };
  const figures: Figure[] = nodes.map((n) => ({
    name: `${n.name}`,
    value: sig(
      median(() => requireMs([n.file])),
      3,
    ),
    unit: 'ms',
  }));
  const all = median(() => requireMs(nodes.map((n) => n.file)));
  figures.push({
    name: 'all node files together',
    value: sig(all, 3),
    unit: 'ms',
    target: `≤ ${TARGET_MS} ms`,
    met: atMost(all, TARGET_MS),
  });
  return { ...base, figures };
}
