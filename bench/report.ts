/** Renders bench/results.json as the readable bench/REPORT.md. */
import type { Machine } from './lib/machine';
import type { Figure, SectionResult } from './lib/section';

export interface Results {
  generatedAt: string;
  commit: string;
  machine: Machine;
  /** 1-minute load average at start and end: other work on the machine skews p99 figures. */
  loadAverage: { start: number; end: number };
  durationSec: number;
  sections: SectionResult[];
  /** Sections re-run alone (`--only`) after the full run, with that run's own header. */
  reruns?: Array<Omit<Results, 'sections' | 'reruns'> & { sections: string[] }>;
}

/**
 * What was found behind a missed target, per section (profiled while writing the bench). Shown only
 * when the section misses a target, so a fixed cause does not linger in the report.
 */
const FINDINGS: Record<string, string> = {
  decode:
    'The target is 20,000 frames/s per protocol because one RS485 bus at 115200 baud carries at most about 44 ' +
    'JK PB answers per second (a few dozen frames per second on the wire). A miss means the decoder does far more ' +
    'work per frame than its fields need; profile the protocol module before tuning object shapes. The bench runs ' +
    'under tsx, which costs a few percent against the compiled code the nodes run.',
  latency:
    'Ramp (priority polling): once a pack reads within the near-limit margin it is polled in short cycles at least ' +
    '50 ms apart, so the crossing is seen within about one short cycle plus, when a full cycle is on the wire, ' +
    "that cycle (5 packs: about 165 ms); the rest is the engine, the Node-RED message path and the transmitter's " +
    'minimum gap (50 ms). A miss of the ramp target on a loaded machine comes from event-loop delay: compare the ' +
    'p50 and the load average. Step: a cell that jumps from far to past the limit between two polls cannot be ' +
    "anticipated; it waits for its pack's next full poll (up to one poll interval plus the pack's place in the " +
    'cycle, 5 packs at 115200 baud about 33 ms each), plus the engine and the message path. Seen while writing ' +
    'the bench (issue 19): in a full run at load 14.7 on the 2 cores the runtime ramp-up p99 was 317 ms (max ' +
    '1,965 ms, one event-loop stall) and the runtime step p99 1,101 ms; re-run alone at load 1.5 they were 134 ms ' +
    'and 1,027 ms, with the simulated-time figures unchanged.',
  rules:
    'The median step is far below the target; the wall-clock p99 is set by garbage-collection pauses and by ' +
    'preemption when other processes share the two cores (compare the CPU-time p99 in the note).',
  bus:
    'On real time every emulated delivery is a Node timer (at least 1 ms, plus event-loop latency), which costs a ' +
    'few ms per transaction against the ideal; on simulated time the bus and poller add no gap at all (ratio 1). ' +
    "Priority polling's short cycles carry one or a few transactions each, so they pay that per-transaction cost " +
    'like the 1-pack figure does; on a machine busy with other work every real-time ratio drops together.',
  footprint:
    'Profiled (issue 19, 30 s of steady state of (b) at load 1, V8 sampling profiler inside the Node-RED process): ' +
    'the main thread ran JavaScript for 174 ms in 30 s, 0.58 % of one core. The bms-rules node took half of that ' +
    '(86 ms, 0.29 %: the engine step 58 ms, spread over health, limits, shaping, alarms and the bank state with no ' +
    'function above a fifth of it; output messages, state persistence and sending the rest), the in-process ' +
    'simulators 24 ms (0.08 %: answer frames and battery model; real packs cost a serial read instead), decoding, ' +
    'the Node-RED message path and the inverter encoding the rest. The same engine step, output messages and ' +
    'persistence check fed 16 packs once a second each in a plain loop cost 1.6 ms of CPU per second (0.16 %). ' +
    '/proc per thread over 25 s of the same run: 1.48 % in all, 1.08 % on the main thread (JavaScript plus garbage ' +
    'collection, timers and event-loop wake-ups the samples do not attribute), 0.36 % on the runtime threads; bare ' +
    'Node-RED is 0.47 %. So no per-message cost dominates: even a bms-rules that did no work at all would save at ' +
    'most about 0.3 % of a core, and stepping the bank once per tick instead of per pack message (which would give ' +
    'up the single-step reaction) about 0.2 %. The CPU figure also moves by about 0.5 % between runs on this shared ' +
    'machine (1.5 % in the window above, 2.0 % in the bench run). Tried: serialport is no longer loaded with the ' +
    'node files (it loads at the first serial open). RSS: ' +
    "each figure is one process's median RSS, which V8's lazy heap growth and garbage collection move by tens of MB " +
    'between runs (bare Node-RED measured 94 to 121 MB on this machine, (b) 109 to 137 MB); the RSS difference is ' +
    'therefore a rough figure, and a heap comparison after forced garbage collection would be the sharper one.',
  require:
    '`serialport` (native bindings) took longer to load than all CellSafe node files together; it now loads at the ' +
    "first serial open (and for the editor's port list), so simulator-only flows never load it. Each file alone " +
    'includes the core and transport modules the files share; on a loaded machine module loading (disk and ' +
    'compile) is slowed several times: compare with an idle run.',
  soak:
    'The event-loop delay is measured on a process that runs simulated time flat out; long single delays come ' +
    'from garbage collection and from other processes on the shared cores.',
};

const verdict = (f: Figure): string => (f.met === undefined ? '—' : f.met ? 'met' : '**MISSED**');

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en');
  return String(v);
}

export function renderReport(r: Results): string {
  const m = r.machine;
  const out: string[] = [
    '# CellSafe benchmark report',
    '',
    'Generated by `npm run bench` (bench/run.ts); raw numbers in `bench/results.json`. Targets are from issue 9',
    '(decode: ≥ 20,000 frames/s per protocol since issue 15, about 400 times what a bus carries) and issue 19',
    '(reaction to a runaway cell with priority polling, bus fairness, footprint on the host, require time);',
    'a missed target is a finding and is listed as such, not tuned away.',
    '',
    '## Machine',
    '',
    `| item | value |`,
    `|---|---|`,
    `| CPU | ${m.cpuModel} |`,
    `| cores (\`nproc\`) | ${m.nproc} |`,
    `| Node.js (\`node --version\`) | ${m.node} |`,
    `| OS | ${m.platform} |`,
    `| memory | ${m.totalMemMB} MB |`,
    `| load average (1 min) at start / end | ${r.loadAverage.start.toFixed(2)} / ${r.loadAverage.end.toFixed(2)} |`,
    `| commit | ${r.commit} |`,
    `| date | ${r.generatedAt} |`,
    `| bench duration | ${Math.round(r.durationSec)} s |`,
    '',
  ];
  for (const rerun of r.reruns ?? []) {
    out.push(
      `Re-run alone afterwards: ${rerun.sections.join(', ')} at commit ${rerun.commit}, ${rerun.generatedAt}, ` +
        `load ${rerun.loadAverage.start.toFixed(2)} / ${rerun.loadAverage.end.toFixed(2)}.`,
      '',
    );
  }
  if (r.loadAverage.start > m.nproc * 0.5 || r.loadAverage.end > m.nproc * 0.5) {
    out.push(
      `> The machine was shared with other work while this ran (load ${r.loadAverage.start.toFixed(1)} on ${m.nproc} cores:`,
      "> other sessions' builds and test suites): throughput is lower, tail latencies (p99), real-time bus ratios",
      '> and require times higher than on an idle machine; simulated-time figures are unaffected.',
      '',
    );
  }
  const missed = r.sections.flatMap((s) =>
    s.figures
      .filter((f) => f.met === false)
      .map((f) => `${s.title}: ${f.name} = ${fmt(f.value)} ${f.unit} (target ${f.target})`),
  );
  out.push('## Summary', '');
  const judged = r.sections.flatMap((s) => s.figures.filter((f) => f.met !== undefined));
  out.push(`${judged.filter((f) => f.met).length} of ${judged.length} targeted figures met.`, '');
  if (missed.length) out.push('Missed targets (findings):', '', ...missed.map((x) => `- ${x}`), '');
  const skipped = r.sections.flatMap((s) => (s.skipped ?? []).map((x) => `${s.title}: ${x}`));
  if (skipped.length) out.push('Not measured:', '', ...skipped.map((x) => `- ${x}`), '');
  for (const s of r.sections) {
    out.push(`## ${s.title}`, '', s.method, '');
    if (s.figures.length) {
      out.push('| figure | value | target | verdict | note |', '|---|---:|---|---|---|');
      for (const f of s.figures) {
        out.push(`| ${f.name} | ${fmt(f.value)} ${f.unit} | ${f.target ?? '—'} | ${verdict(f)} | ${f.note ?? ''} |`);
      }
      out.push('');
    }
    if (s.figures.some((f) => f.met === false) && FINDINGS[s.id]) out.push(`**Finding.** ${FINDINGS[s.id]}`, '');
    for (const x of s.skipped ?? []) out.push(`- not measured: ${x}`);
    if (s.skipped?.length) out.push('');
  }
  return out.join('\n');
}
