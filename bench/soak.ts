/**
 * 5. Soak: 24 h of simulated time with 16 Seplos V2 packs through bus (wire time at 19200 baud) →
 * rules → Pylontech encoder, with a random fault every few minutes (fixed seed) so reconnects,
 * redeploys and restarts are part of the load. Heap (after forced GC), RSS and open file
 * descriptors after the first simulated hour and at the end; event-loop delay p99 over the run.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PROTOCOLS } from '../src/nodes/inverter-can/protocols';
import { type PolledProtocol, SEPLOS_V2 } from '../test/helpers/bms-protocols';
import { type FaultRunResult, runFaults } from '../test/helpers/fault-run';
import { type Resources, resources } from './lib/resources';
import { type SectionResult, atMost } from './lib/section';
import { sig } from './lib/stats';

export const SOAK_SEED = 24;

export interface SoakOutcome {
  run: FaultRunResult;
  start: Resources;
  end: Resources;
  hourly: Array<Resources & { hour: number; realSec: number }>;
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
  realSec: number;
}

export interface SoakOptions {
  seed: number;
  hours: number;
  packs: number;
  bms?: PolledProtocol;
  /** Longest quiet time between two faults. */
  maxGapMs: number;
  stopAtFirst: boolean;
  progress?: (line: string) => void;
}

export async function soak({
  seed,
  hours,
  packs,
  bms = SEPLOS_V2,
  maxGapMs,
  stopAtFirst,
  progress,
}: SoakOptions): Promise<SoakOutcome> {
  const t0 = Date.now();
  const eld = monitorEventLoopDelay({ resolution: 1 });
  let start: Resources | undefined;
  const hourly: SoakOutcome['hourly'] = [];
  eld.enable();
  const run = await runFaults({
    seed,
    bms,
    inverter: PROTOCOLS.pylontech,
    packs,
    durationMs: hours * 3_600_000,
    wireTime: true,
    maxGapMs,
    stopAtFirst,
    onHour: (hour) => {
      const r = resources();
      start ??= r;
      hourly.push({ hour, realSec: (Date.now() - t0) / 1000, ...r });
      progress?.(
        `hour ${hour}/${hours}: heap ${r.heapMB.toFixed(1)} MB, rss ${r.rssMB.toFixed(0)} MB, fds ${r.fds}, ${((Date.now() - t0) / 1000).toFixed(0)} s`,
      );
    },
  });
  eld.disable();
  const end = resources();
  return {
    run,
    start: start ?? end,
    end,
    hourly,
    eventLoopP99Ms: eld.percentile(99) / 1e6,
    eventLoopMaxMs: eld.max / 1e6,
    realSec: (Date.now() - t0) / 1000,
  };
}

export async function runSoakBench(quick = false): Promise<SectionResult> {
  const hours = quick ? 2 : 24;
  const s = await soak({ seed: SOAK_SEED, hours, packs: 16, maxGapMs: 20 * 60_000, stopAtFirst: false });
  const heapGrowth = s.end.heapMB - s.start.heapMB;
  const fdGrowth = s.end.fds - s.start.fds;
  const r = s.run;
  return {
    id: 'soak',
    title: `Soak: ${hours} h of simulated time, 16 packs`,
    method:
      `${hours} h of simulated time (seed ${SOAK_SEED}) through the whole chain: 16 Seplos V2 packs (in-process simulator, wire ` +
      'time at 19200 baud, 10 ms turnaround) → SerialBus → Seplos reader → bms-rules engine (every pack message + 1 s tick) → ' +
      'Pylontech CyclicTransmitter, with a random fault (silence, garbage, truncation, checksum, over-voltage cell, unplug, ' +
      'redeploy, restart, all clear) every 1 s–20 min and every fault-suite invariant checked after each step. Heap after forced ' +
      'GC, RSS and /proc/self/fd after simulated hour 1 (warm) and at the end; event-loop delay from perf_hooks over the run.',
    figures: [
      {
        name: 'heap growth (hour 1 → end)',
        value: sig(heapGrowth, 3),
        unit: 'MB',
        target: '< 10 MB',
        met: heapGrowth < 10,
        note: `${s.start.heapMB.toFixed(1)} → ${s.end.heapMB.toFixed(1)} MB`,
      },
      {
        name: 'RSS (hour 1 → end)',
        value: sig(s.end.rssMB, 3),
        unit: 'MB',
        note: `from ${s.start.rssMB.toFixed(0)} MB`,
      },
      {
        name: 'open fd growth',
        value: fdGrowth,
        unit: 'fds',
        target: '0',
        met: fdGrowth <= 0,
        note: `${s.start.fds} → ${s.end.fds}`,
      },
      {
        name: 'event-loop delay p99',
        value: sig(s.eventLoopP99Ms, 3),
        unit: 'ms',
        target: '< 20 ms',
        met: atMost(s.eventLoopP99Ms, 20 - 1e-9),
        note: `max ${sig(s.eventLoopMaxMs, 3)} ms`,
      },
      {
        name: 'invariant violations',
        value: r.violations.length,
        unit: '',
        target: '0',
        met: r.violations.length === 0,
        note:
          `${r.ops} faults, ${r.recoveries} checked recoveries, ${r.counters.polls} polls, ${r.counters.steps} rules steps, ` +
          `${r.counters.cycles} CAN cycles, ${r.counters.redeploys} redeploys, ${r.counters.restarts} restarts, ${r.counters.unplugs} unplugs`,
      },
      {
        name: 'wall time for the simulated run',
        value: Math.round(s.realSec),
        unit: 's',
        note: `${sig((hours * 3600) / s.realSec, 3)}× real time`,
      },
    ],
    detail: {
      seed: SOAK_SEED,
      hours,
      start: s.start,
      end: s.end,
      hourly: s.hourly,
      violations: r.violations,
      opCounts: r.opCounts,
      counters: r.counters,
    },
  };
}
