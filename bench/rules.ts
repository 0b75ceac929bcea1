/**
 * 2. Rules engine step time vs bank size: banks of 1, 4, 16 and 64 packs of 16 cells. Each simulated
 * second every pack sends one state (one step each, as the node calls step on every message) and the
 * 1 s tick runs one step without input. Every step call is timed with hrtime.
 */
import { resolveConfig } from '../src/nodes/bms-rules/config';
import { createState, step } from '../src/nodes/bms-rules/engine';
import { syntheticPack } from './lib/packs';
import { type SectionResult, atMost } from './lib/section';
import { sig, summarize } from './lib/stats';

const SIZES = [1, 4, 16, 64];
const P99_TARGET_MS = 1;

interface Timings {
  pack: number[];
  tick: number[];
  cpu: number[];
}

/** Times one call: wall time (hrtime) and process CPU time, which a busy machine's preemption does not inflate. */
function timed<T>(fn: () => T, wall: number[], cpu: number[], keep: boolean): T {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const r = fn();
  const dt = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  if (keep) {
    wall.push(dt);
    cpu.push((c.user + c.system) / 1000);
  }
  return r;
}

function measure(n: number, seconds: number): Timings {
  const packs = Array.from({ length: n }, (_, i) => ({
    id: `P${i + 1}`,
    capacityAh: 280,
    maxChargeA: 100,
    maxDischargeA: 100,
  }));
  const cfg = resolveConfig({ packs, systemMaxChargeA: 100 * n, systemMaxDischargeA: 100 * n });
  if (!cfg.ok) throw new Error(cfg.reason);
  let now = Date.UTC(2026, 0, 1);
  const state = createState(cfg.value, now);
  const warmup = 60; // leave INIT and let shaping settle before timing
  const t: Timings = { pack: [], tick: [], cpu: [] };
  for (let s = 0; s < warmup + seconds; s++) {
    for (let i = 0; i < n; i++) {
      now += Math.floor(1000 / (n + 1));
      const p = syntheticPack(`P${i + 1}`, i, now);
      const r = timed(() => step(state, { packs: [p] }, now), t.pack, t.cpu, s >= warmup);
      if (!Number.isFinite(r.bank.ccl)) throw new Error('non-finite CCL');
    }
    now += 1000 - n * Math.floor(1000 / (n + 1));
    timed(() => step(state, {}, now), t.tick, t.cpu, s >= warmup);
  }
  return t;
}

export async function runRules(quick = false): Promise<SectionResult> {
  const figures: SectionResult['figures'] = [];
  const detail: Record<string, unknown> = {};
  for (const n of SIZES) {
    const seconds = quick ? 30 : Math.max(120, Math.round(24_000 / n));
    const m = measure(n, seconds);
    const all = summarize([...m.pack, ...m.tick]);
    const tick = summarize(m.tick);
    const cpu = summarize(m.cpu);
    detail[`${n}`] = { steps: all.n, all, tick, cpu };
    figures.push({ name: `${n} packs: step median`, value: sig(all.median), unit: 'ms' });
    figures.push({
      name: `${n} packs: step p99`,
      value: sig(all.p99),
      unit: 'ms',
      ...(n === 16 ? { target: `≤ ${P99_TARGET_MS} ms`, met: atMost(all.p99, P99_TARGET_MS) } : {}),
      note: `${all.n} steps; CPU-time p99 ${sig(cpu.p99)} ms; tick-only p99 ${sig(tick.p99)} ms; max ${sig(all.max)} ms`,
    });
  }
  return {
    id: 'rules',
    title: 'Rules engine step time vs bank size',
    method:
      'bms-rules engine `step()` called in-process with 16-cell packs whose values move every sample: one step per ' +
      'pack message plus the 1 s tick, after 60 s of warm-up (INIT left, shaping settled). Each call timed with ' +
      'process.hrtime (wall time, judged) and process.cpuUsage (CPU time, in the note: not inflated when other processes ' +
      'preempt this one); median and p99 over all timed steps.',
    figures,
    detail,
  };
}
