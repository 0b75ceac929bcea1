/**
 * 3. Bus efficiency: the serial bus with the in-process simulator emulating wire time at the real baud
 * rate (10 bits per byte) and a device turnaround, on simulated time. For each bank size, the pack
 * poller runs back-to-back cycles through the node's reader; the cycle time is compared with the
 * ideal = Σ over the cycle's transactions of (request wire time + turnaround + answer wire time).
 * With priority polling active (some packs close to a limit, 1 s poll interval), the same ratio over
 * every cycle, full and short, and the longest time any pack waited between two polls.
 */
import { type Clock, RealClock } from '../src/core/clock';
import type { PackState } from '../src/core/pack-state';
import { SerialBus } from '../src/transport/serial-bus';
import { PackPoller } from '../src/transport/pack-poller';
import { SimulatorPort, wireTimeMs } from '../src/transport/simulator-port';
import { type PolledProtocol, POLLED } from '../test/helpers/bms-protocols';
import { type Figure, type SectionResult, atLeast, atMost } from './lib/section';
import { sig } from './lib/stats';
import { StepClock } from '../test/helpers/step-clock';

const TARGET_RATIO = 0.9;
export const TURNAROUND_MS = Number(process.env.BENCH_TURNAROUND_MS ?? 10);
const BANKS: Record<PolledProtocol['protocol'], number[]> = { 'jk-pb': [1, 5, 15], 'seplos-v2': [1, 4, 16] };

export interface BusRun {
  packs: number;
  cycles: number;
  cycleMs: number;
  idealMs: number;
  ratio: number;
  transactionsPerCycle: number;
  bytesPerCycle: number;
  failures: number;
}

/** A bus over `packs` simulated packs whose port counts the bytes both ways and the requests written. */
function countedBus(p: PolledProtocol, packs: number, time: 'simulated' | 'real', turnaroundMs: number) {
  const clock: Clock = time === 'simulated' ? new StepClock() : new RealClock();
  const addresses = Array.from({ length: packs }, (_, i) => i + 1);
  const port = new SimulatorPort(p.factory, { addresses, cells: 16, turnaroundMs }, clock, p.baudRate);
  const traffic = { bytes: 0, transactions: 0 };
  const write = port.write.bind(port);
  port.write = (d: Buffer) => {
    traffic.bytes += d.length;
    traffic.transactions++;
    return write(d);
  };
  port.on('data', (d: Buffer) => {
    traffic.bytes += d.length;
  });
  const bus = new SerialBus({ createPort: () => port, clock, timeoutMs: 1000 });
  bus.register({ id: 'bench', busStatus: () => undefined });
  return { clock, addresses, bus, traffic };
}

/** `time`: simulated (scheduling only) or real (adds CPU cost and Node timer granularity). */
export async function measureBus(
  p: PolledProtocol,
  packs: number,
  cycles: number,
  time: 'simulated' | 'real',
  turnaroundMs = TURNAROUND_MS,
): Promise<BusRun> {
  const { clock, addresses, bus, traffic } = countedBus(p, packs, time, turnaroundMs);
  const ends: number[] = [];
  const marks: Array<{ bytes: number; transactions: number }> = [];
  let failures = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  const poller = new PackPoller(clock, addresses, 0, {
    pollPack: (a) => p.readPack(bus, a, () => clock.now()),
    onPack: (_pack: PackState) => undefined,
    onFailure: () => {
      failures++;
    },
    onCycle: () => {
      ends.push(clock.now());
      marks.push({ bytes: traffic.bytes, transactions: traffic.transactions });
      if (ends.length > cycles) {
        poller.stop();
        resolveDone();
      }
    },
  });
  poller.start();
  if (clock instanceof StepClock) {
    let guard = 0;
    while (ends.length <= cycles && guard++ < 10_000) await clock.runFor(1000);
  }
  await done;
  await bus.close();
  // The first cycle is a warm-up; measure cycles 2..n+1 between their end marks.
  const span = ends[cycles] - ends[0];
  const b = marks[cycles].bytes - marks[0].bytes;
  const t = marks[cycles].transactions - marks[0].transactions;
  const ideal = wireTimeMs(b, p.baudRate) + t * turnaroundMs;
  return {
    packs,
    cycles,
    cycleMs: span / cycles,
    idealMs: ideal / cycles,
    ratio: ideal / span,
    transactionsPerCycle: t / cycles,
    bytesPerCycle: b / cycles,
    failures,
  };
}

export interface PriorityRun {
  packs: number;
  near: number[];
  cycles: number;
  ratio: number;
  /** Longest time between two polls of one pack, per far and close pack, ms. */
  maxGapFarMs: number;
  maxGapNearMs: number;
  pollsPerIntervalFar: number;
  pollsPerIntervalNear: number;
}

const PRIORITY_INTERVAL_MS = 1000;

/**
 * Priority polling on the bus: `near` answer as close to a limit, the poller runs with a 1 s interval
 * for `durationMs`; every cycle (full or short) is compared with the ideal of its own transactions.
 */
export async function measurePriorityBus(
  p: PolledProtocol,
  packs: number,
  near: number[],
  durationMs: number,
  time: 'simulated' | 'real',
  turnaroundMs = TURNAROUND_MS,
): Promise<PriorityRun> {
  const { clock, addresses, bus, traffic } = countedBus(p, packs, time, turnaroundMs);
  const polls = new Map<number, number[]>(addresses.map((a) => [a, []]));
  let cycleStart: { at: number; bytes: number; transactions: number } | undefined;
  let busyMs = 0,
    idealMs = 0,
    cycles = 0;
  const poller = new PackPoller(clock, addresses, PRIORITY_INTERVAL_MS, {
    pollPack: (a) => {
      cycleStart ??= { at: clock.now(), bytes: traffic.bytes, transactions: traffic.transactions };
      polls.get(a)!.push(clock.now());
      return p.readPack(bus, a, () => clock.now());
    },
    onPack: () => undefined,
    onFailure: () => undefined,
    nearLimit: (pack) => near.includes(pack.address!),
    onCycle: () => {
      // The first full cycle is a warm-up (no pack is known to be close yet).
      if (cycleStart && cycles++ > 0) {
        busyMs += clock.now() - cycleStart.at;
        idealMs +=
          wireTimeMs(traffic.bytes - cycleStart.bytes, p.baudRate) +
          (traffic.transactions - cycleStart.transactions) * turnaroundMs;
      }
      cycleStart = undefined;
    },
  });
  const started = clock.now();
  poller.start();
  if (clock instanceof StepClock) await clock.runFor(durationMs);
  else await new Promise((r) => setTimeout(r, durationMs));
  poller.stop();
  const end = clock.now();
  await bus.close();
  const gap = (times: number[]) =>
    Math.max(end - times[times.length - 1], ...times.slice(1).map((t, i) => t - times[i]), times[0] - started);
  const far = addresses.filter((a) => !near.includes(a));
  const intervals = (end - started) / PRIORITY_INTERVAL_MS;
  const perInterval = (group: number[]) =>
    group.reduce((n, a) => n + polls.get(a)!.length, 0) / group.length / intervals;
  return {
    packs,
    near,
    cycles: cycles - 1,
    ratio: idealMs / busyMs,
    maxGapFarMs: Math.max(...far.map((a) => gap(polls.get(a)!))),
    maxGapNearMs: Math.max(...near.map((a) => gap(polls.get(a)!))),
    pollsPerIntervalFar: perInterval(far),
    pollsPerIntervalNear: perInterval(near),
  };
}

/** Figures for priority polling: efficiency on real time, fairness on simulated time (exact scheduling). */
async function priorityFigures(p: PolledProtocol, quick: boolean): Promise<{ figures: Figure[]; runs: object[] }> {
  const figures: Figure[] = [];
  const runs: object[] = [];
  for (const [packs, near] of [
    [5, [3]],
    [15, [2, 5, 8, 11, 14]],
  ] as Array<[number, number[]]>) {
    const real = await measurePriorityBus(p, packs, near, quick ? 3000 : 15_000, 'real');
    const sim = await measurePriorityBus(p, packs, near, quick ? 10_000 : 120_000, 'simulated');
    runs.push({ real, simulated: sim });
    const label = `${p.protocol} ${packs} packs, ${near.length} close to a limit`;
    figures.push(
      {
        name: `priority polling, ${label}: bus efficiency`,
        value: sig(real.ratio, 3),
        unit: '× ideal',
        target: `≥ ${TARGET_RATIO}`,
        met: atLeast(real.ratio, TARGET_RATIO),
        note:
          `real time, ${real.cycles} cycles (full and short); simulated time: ${sig(sim.ratio, 3)}; close packs polled ` +
          `${sig(real.pollsPerIntervalNear, 3)}×, far packs ${sig(real.pollsPerIntervalFar, 3)}× per interval`,
      },
      {
        name: `priority polling, ${label}: longest wait of a pack between polls`,
        value: sig(Math.max(sim.maxGapFarMs, sim.maxGapNearMs), 4),
        unit: 'ms',
        target: `≤ ${PRIORITY_INTERVAL_MS} ms (the poll interval)`,
        met: atMost(Math.max(sim.maxGapFarMs, sim.maxGapNearMs), PRIORITY_INTERVAL_MS),
        note:
          `simulated time, ${Math.round((quick ? 10_000 : 120_000) / 1000)} s; close packs at most ${sig(sim.maxGapNearMs, 3)} ms; ` +
          `real time: far ${sig(real.maxGapFarMs, 4)} ms, close ${sig(real.maxGapNearMs, 3)} ms (timers and the event loop add delay on real time)`,
      },
    );
  }
  return { figures, runs };
}

export async function runBusEfficiency(quick = false): Promise<SectionResult> {
  const figures: SectionResult['figures'] = [];
  const detail: Record<string, unknown[]> = {};
  const skipped: string[] = [];
  for (const protocol of ['jk-pb', 'seplos-v2'] as const) {
    const p = POLLED.find((x) => x.protocol === protocol);
    if (!p) {
      skipped.push(`${protocol}: no simulator/reader in the tree yet`);
      continue;
    }
    detail[protocol] = [];
    for (const n of BANKS[protocol]) {
      const sim = await measureBus(p, n, quick ? 3 : 20, 'simulated');
      const real = await measureBus(p, n, quick ? 2 : 5, 'real');
      detail[protocol].push({ ...real, simulated: sim });
      const failures = sim.failures + real.failures;
      if (failures) skipped.push(`${protocol} ${n} packs: ${failures} polls failed during the run`);
      figures.push({
        name: `${protocol} ${n} pack${n > 1 ? 's' : ''} @ ${p.baudRate}`,
        value: sig(real.ratio, 3),
        unit: '× ideal',
        target: `≥ ${TARGET_RATIO}`,
        met: atLeast(real.ratio, TARGET_RATIO),
        note:
          `real time: cycle ${sig(real.cycleMs, 4)} ms vs ideal ${sig(real.idealMs, 4)} ms; simulated time: ${sig(sim.ratio, 3)}; ` +
          `${real.transactionsPerCycle} transactions, ${Math.round(real.bytesPerCycle)} bytes per cycle`,
      });
    }
  }
  const jk = POLLED.find((x) => x.protocol === 'jk-pb');
  if (jk) {
    const priority = await priorityFigures(jk, quick);
    figures.push(...priority.figures);
    detail.priority = priority.runs;
  }
  return {
    id: 'bus',
    title: 'Bus efficiency (poll cycle vs ideal)',
    method:
      `SerialBus + PackPoller + the node's pure reader against the in-process simulator with wire-time emulation ` +
      `(10 bits/byte at the protocol's baud rate) and a device turnaround of ${TURNAROUND_MS} ms (BENCH_TURNAROUND_MS). ` +
      'Back-to-back poll cycles (interval 0); ratio = ideal / measured cycle time after one warm-up cycle, ideal = ' +
      'Σ (request wire time + turnaround + answer wire time) of the bytes actually exchanged. The judged figure runs on ' +
      'real time (5 cycles: CPU cost and Node timer granularity of the emulated wire count against it, so it is a lower ' +
      'bound); the note gives the same run on simulated time (20 cycles: scheduling gaps of bus and poller only). ' +
      'Priority polling: poll interval 1 s, the named packs answer as close to a limit (polled in short cycles ' +
      'between the full ones); efficiency over every cycle after the first, on real time (15 s); the longest wait ' +
      'between two polls of any pack on simulated time (120 s), where scheduling is exact.',
    figures,
    detail,
    skipped,
  };
}
