/**
 * `npm run bench`: runs every benchmark section and writes bench/results.json and bench/REPORT.md.
 * Options: `--quick` (short runs, for trying it out), `--only <id,id>` (decode, encode, rules, bus,
 * latency, soak, footprint, require: these sections replace theirs in an existing results.json, the
 * others are kept and the report says which sections were re-run), `--out <dir>` (default: this folder).
 * Environment: BENCH_TURNAROUND_MS, BENCH_LATENCY_EVENTS, BENCH_FOOTPRINT_SECONDS,
 * BENCH_FOOTPRINT_WARMUP_SECONDS (see the sections).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBusEfficiency } from './bus-efficiency';
import { runDecode } from './decode';
import { runEncode } from './encode';
import { runFootprint } from './footprint';
import { machine } from './lib/machine';
import type { SectionResult } from './lib/section';
import { runLatency } from './latency';
import { type Results, renderReport } from './report';
import { runRequireTime } from './require-time';
import { runRules } from './rules';
import { runSoakBench } from './soak';

const SECTIONS: Array<{ id: string; title: string; run: (quick: boolean) => Promise<SectionResult> }> = [
  { id: 'decode', title: 'Decode throughput per BMS protocol', run: runDecode },
  { id: 'encode', title: 'Encode throughput per inverter protocol', run: runEncode },
  { id: 'rules', title: 'Rules engine step time vs bank size', run: runRules },
  { id: 'bus', title: 'Bus efficiency', run: runBusEfficiency },
  // Before latency: the soak's heap figures then do not include the Node-RED runtime latency loads.
  { id: 'soak', title: 'Soak: 24 h of simulated time', run: runSoakBench },
  { id: 'latency', title: 'Reaction latency in the Node-RED runtime', run: runLatency },
  // Builds dist when it is stale (through npm start), which the require section then loads.
  { id: 'footprint', title: 'Footprint: Node-RED RSS and CPU in steady state', run: runFootprint },
  { id: 'require', title: 'require time of the node files', run: runRequireTime },
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', cwd: __dirname }).trim();
  } catch {
    return 'unknown';
  }
}

/** A partial run's sections replace theirs in the full run's results; the rerun is recorded. */
function mergeRerun(full: Results, rerun: Results): Results {
  const ids = new Set(rerun.sections.map((s) => s.id));
  const { sections, ...header } = rerun;
  return {
    ...full,
    sections: [
      ...full.sections.map((s) => sections.find((r) => r.id === s.id) ?? s),
      ...sections.filter((r) => !full.sections.some((s) => s.id === r.id)),
    ],
    reruns: [
      ...(full.reruns ?? []).filter((r) => !r.sections.every((id) => ids.has(id))),
      { ...header, sections: [...ids] },
    ],
  };
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = arg('--only')?.split(',');
  const outDir = path.resolve(arg('--out') ?? __dirname);
  const started = Date.now();
  const loadStart = os.loadavg()[0];
  const sections: SectionResult[] = [];
  for (const s of SECTIONS) {
    if (only && !only.includes(s.id)) continue;
    const t0 = Date.now();
    process.stdout.write(`bench: ${s.id} … `);
    try {
      sections.push(await s.run(quick));
      process.stdout.write(`${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    } catch (e) {
      // One broken section must not hide the others: it is reported as not measured.
      process.stdout.write('failed\n');
      console.error(e);
      sections.push({
        id: s.id,
        title: s.title,
        method: '',
        figures: [],
        skipped: [`the section failed: ${e instanceof Error ? e.message : String(e)}`],
      });
    }
  }
  const run: Results = {
    generatedAt: new Date().toISOString(),
    commit: commit(),
    machine: machine(),
    loadAverage: { start: loadStart, end: os.loadavg()[0] },
    durationSec: (Date.now() - started) / 1000,
    sections,
  };
  const previous = path.join(outDir, 'results.json');
  const results =
    only && existsSync(previous) ? mergeRerun(JSON.parse(readFileSync(previous, 'utf8')) as Results, run) : run;
  writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(path.join(outDir, 'REPORT.md'), renderReport(results) + '\n');
  console.log(`bench: wrote ${path.join(outDir, 'results.json')} and REPORT.md in ${Math.round(run.durationSec)} s`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
