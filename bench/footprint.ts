/**
 * 5. Footprint: what Node-RED costs the host in steady state, measured from /proc on the Node-RED
 * process itself (RSS; CPU = user + system time over the window, as a share of one core):
 *  (a) bare Node-RED (no CellSafe installed, empty flow);
 *  (b) CellSafe without dashboard: 16 simulated JK PB packs on two buses (8 each) → two jk-bms at a
 *      1 s poll → bms-rules → one pylontech-can node;
 *  (c) the demo with its dashboard (`npm start`: example 06), no browser connected.
 * (b) and (c) run as `npm start` does (scripts/start.js, CellSafe linked into a user directory);
 * (a) runs node-red's red.js with an empty user directory. Each is measured after a warm-up of
 * BENCH_FOOTPRINT_WARMUP_SECONDS (default 20) over BENCH_FOOTPRINT_SECONDS (default 60).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../test/helpers/fixtures';
import { type FlowNode, freePort, startNodeRed } from '../test/helpers/node-red-process';
import { type Figure, type SectionResult, atMost } from './lib/section';
import { sig } from './lib/stats';

const SECONDS = Number(process.env.BENCH_FOOTPRINT_SECONDS ?? 60);
const WARMUP_SECONDS = Number(process.env.BENCH_FOOTPRINT_WARMUP_SECONDS ?? 20);
const CPU_TARGET_PERCENT = 1;
const RSS_TARGET_MB = 15;
const CLOCK_TICKS_PER_S = 100;
const OUT = path.join(REPO_ROOT, 'test-output', 'bench-footprint');

export interface Footprint {
  rssMB: number;
  cpuPercent: number;
  seconds: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** user + system CPU time of a process, s (/proc/<pid>/stat fields 14 and 15). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

function rssMB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return line ? Number(line[1]) / 1024 : NaN;
}

/**
 * The process listening on a local TCP port (Node-RED's editor port). Node-RED sets its process title,
 * which hides its command line, so the port is what identifies it.
 */
function pidListeningOn(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A') inodes.add(cols[9]);
    }
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      for (const fd of readdirSync(`/proc/${entry}/fd`)) {
        const target = readlinkSync(`/proc/${entry}/fd/${fd}`);
        if (inodes.has(target.slice('socket:['.length, -1))) return Number(entry);
      }
    } catch {
      /* gone, or not ours to read */
    }
  }
  throw new Error(`no process listens on port ${port}`);
}

/** Warm-up, then CPU share and median RSS (sampled every 5 s) over the window. */
async function measure(pid: number, quick: boolean): Promise<Footprint> {
  await sleep((quick ? 3 : WARMUP_SECONDS) * 1000);
  const seconds = quick ? 5 : SECONDS;
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  const rss: number[] = [];
  while (performance.now() - t0 < seconds * 1000) {
    rss.push(rssMB(pid));
    await sleep(Math.min(5000, seconds * 1000 - (performance.now() - t0)));
  }
  rss.push(rssMB(pid));
  const elapsed = (performance.now() - t0) / 1000;
  rss.sort((a, b) => a - b);
  return {
    rssMB: rss[Math.floor(rss.length / 2)],
    cpuPercent: ((cpuSeconds(pid) - cpu0) / elapsed) * 100,
    seconds: elapsed,
  };
}

/** (a) Node-RED alone: red.js with a user directory that has no nodes installed and an empty flow. */
async function bare(quick: boolean): Promise<Footprint> {
  const userDir = path.join(OUT, 'bare');
  rmSync(userDir, { recursive: true, force: true });
  mkdirSync(userDir, { recursive: true });
  const port = await freePort();
  writeFileSync(path.join(userDir, 'flows.json'), '[]');
  writeFileSync(
    path.join(userDir, 'settings.js'),
    `module.exports = { uiHost: '127.0.0.1', uiPort: ${port}, flowFile: 'flows.json', credentialSecret: false, ` +
      `logging: { console: { level: 'info', metrics: false, audit: false } }, telemetry: { enabled: false } };\n`,
  );
  const red = require.resolve('node-red/red.js', { paths: [REPO_ROOT] });
  const child: ChildProcess = spawn(
    process.execPath,
    [red, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')],
    {
      cwd: userDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  try {
    const end = Date.now() + 60_000;
    while (!/Started flows/.test(out)) {
      if (child.exitCode !== null || Date.now() > end) throw new Error(`bare Node-RED did not start:\n${out}`);
      await sleep(100);
    }
    return await measure(child.pid!, quick);
  } finally {
    child.kill('SIGTERM');
    await sleep(500);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** (b) 16 simulated JK PB packs on two buses → bms-rules → one inverter node, 1 s poll. */
export function sixteenPackFlow(): FlowNode[] {
  const packs = (bus: number) => Array.from({ length: 8 }, (_, i) => `b${bus}-${i + 1}`);
  const busAndBms = (bus: number): FlowNode[] => [
    {
      id: `bus${bus}`,
      type: 'bms-serial-bus',
      portType: 'simulator',
      simProtocol: 'jk-pb',
      simAddresses: '1-8',
      simCells: 16,
      simProfile: '',
      simWireTime: false,
      baudRate: 115200,
    },
    {
      id: `jk${bus}`,
      z: 'tab',
      type: 'jk-bms',
      bus: `bus${bus}`,
      protocol: 'pb',
      method: 'fc03',
      addresses: '1-8',
      interval: 1,
      idPrefix: `b${bus}`,
      wires: [['rules'], []],
    },
  ];
  return [
    { id: 'tab', type: 'tab', label: 'footprint' },
    ...busAndBms(1),
    ...busAndBms(2),
    {
      id: 'rules',
      z: 'tab',
      type: 'bms-rules',
      bankName: 'bank',
      telemetry: false,
      packs: [...packs(1), ...packs(2)].map((id) => ({ id, capacityAh: 280, maxChargeA: 100, maxDischargeA: 100 })),
      wires: [['inverter'], [], [], [], []],
    },
    { id: 'inverter', z: 'tab', type: 'pylontech-can', wires: [[]] },
  ];
}

/** (b) or (c) through scripts/start.js, as `npm start` runs them. */
async function cellsafe(dashboard: boolean, quick: boolean): Promise<Footprint> {
  const userDir = path.join(OUT, dashboard ? 'demo-dashboard' : 'sixteen-packs');
  const red = await startNodeRed({ userDir, dashboard, timeoutMs: 180_000 });
  try {
    if (!dashboard) await red.deploy(sixteenPackFlow());
    return await measure(pidListeningOn(red.port), quick);
  } finally {
    await red.stop();
  }
}

const mb = (x: number) => sig(x, 3);

export async function runFootprint(quick = false): Promise<SectionResult> {
  const a = await bare(quick);
  const b = await cellsafe(false, quick);
  const c = await cellsafe(true, quick);
  const figures: Figure[] = [
    { name: '(a) bare Node-RED: RSS', value: mb(a.rssMB), unit: 'MB' },
    { name: '(a) bare Node-RED: CPU', value: sig(a.cpuPercent, 2), unit: '% of one core' },
    {
      name: '(b) 16 packs, two buses, rules, inverter: RSS above bare',
      value: mb(b.rssMB - a.rssMB),
      unit: 'MB',
      target: `≤ ${RSS_TARGET_MB} MB`,
      met: atMost(b.rssMB - a.rssMB, RSS_TARGET_MB),
      note: `${mb(b.rssMB)} MB in all`,
    },
    {
      name: '(b) 16 packs, two buses, rules, inverter: CPU',
      value: sig(b.cpuPercent, 2),
      unit: '% of one core',
      target: `≤ ${CPU_TARGET_PERCENT} %`,
      met: atMost(b.cpuPercent, CPU_TARGET_PERCENT),
      note: `${sig(b.cpuPercent - a.cpuPercent, 2)} % above bare Node-RED`,
    },
    {
      name: '(c) demo with dashboard: RSS above bare',
      value: mb(c.rssMB - a.rssMB),
      unit: 'MB',
      note: `${mb(c.rssMB)} MB in all; the dashboard's share ≈ (c) − (b) = ${mb(c.rssMB - b.rssMB)} MB (different flows)`,
    },
    {
      name: '(c) demo with dashboard: CPU',
      value: sig(c.cpuPercent, 2),
      unit: '% of one core',
      note: 'no browser connected',
    },
  ];
  return {
    id: 'footprint',
    title: 'Footprint: Node-RED RSS and CPU in steady state',
    method:
      'RSS (median of samples every 5 s) and CPU (user + system time over the window, % of one core) of the Node-RED ' +
      `process from /proc, after ${WARMUP_SECONDS} s of warm-up over ${SECONDS} s (BENCH_FOOTPRINT_WARMUP_SECONDS, ` +
      'BENCH_FOOTPRINT_SECONDS). (a) bare Node-RED: red.js, no CellSafe installed, empty flow. (b) `npm start` without ' +
      'the dashboard, then deployed: 16 simulated JK PB packs on two in-process simulator buses (8 each, no wire-time ' +
      'emulation) → two jk-bms polling every 1 s → bms-rules → one pylontech-can node (frames as messages). The simulated ' +
      "packs' own work (battery model, answer frames) runs in the same process and counts against (b): real packs cost " +
      'the host a serial read instead. (c) `npm start` as shipped: the demo with its dashboard (example 06), no browser ' +
      'connected. Packs are far from every limit, so priority polling adds no polls.',
    figures,
    detail: { bare: a, sixteenPacks: b, demoDashboard: c },
  };
}
