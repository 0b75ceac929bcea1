/**
 * 4. Reaction latency in the real runtime (node-red-node-test-helper, real clock), chains as in
 * lib/runtime-chain.ts. Step: at t0 one simulated cell is raised above the high cut; the latency is
 * the time until a 0x351 frame with CCL = 0 leaves the encoder. Then the cell is restored and, once
 * CCL is back above 0, the next event starts after a random delay so t0 falls anywhere in the poll
 * cycle. Ramp (latency-ramp.ts): a runner cell rising (falling) at 5–20 mV/s, default settings.
 * Several independent chains run side by side (the same runtime, separate buses) to collect events
 * within the bench's time budget. BENCH_LATENCY_EVENTS sets the ramp events per direction (default 100).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import type { DeviceSimulator } from '../src/transport/simulator-api';
import { Rng } from '../test/helpers/rng';
import { type RampDirection, type RampEvent, rampChain, rampCut, simulatedRamp } from './latency-ramp';
import { type HelperNode, PACKS, chainFlow, nextLimit } from './lib/runtime-chain';
import { type Figure, type SectionResult, atMost } from './lib/section';
import { type Summary, sig, summarize } from './lib/stats';
import { StepClock } from '../test/helpers/step-clock';
import { stepUntil } from './lib/step-until';
import { simulatedChain } from './lib/simulated-chain';

const RULES_NODE = path.join(__dirname, '../src/nodes/bms-rules/bms-rules.ts');
const CHAINS = 8;
const POLL_INTERVAL_S = 1;
const TARGET_SLACK_MS = 50;
const RAMP_TARGET_MS = 300;
const RAMP_EVENTS = Number(process.env.BENCH_LATENCY_EVENTS ?? 100);
/**
 * Chains per ramp direction. Fewer than for the step: a pack close to a limit is polled up to 20 times a
 * second, so every chain in a ramp adds that load to the one runtime, where a real bank has one chain.
 */
const RAMP_CHAINS = 4;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const nextCcl = (out: HelperNode, test: (ccl: number) => boolean, ms: number) => nextLimit(out, 'ccl', test, ms);

const simulatorOf = (k: number) => (): DeviceSimulator =>
  (helper.getNode(`bus${k}`) as { simulator: DeviceSimulator }).simulator;

async function chain(k: number, events: number, sink: number[], errors: string[]): Promise<void> {
  const out = helper.getNode(`out${k}`) as HelperNode;
  const sim = simulatorOf(k);
  if ((await nextCcl(out, (c) => c > 0, 60_000)) === undefined) {
    errors.push(`chain ${k}: CCL never above 0 after start`);
    return;
  }
  for (let e = 0; e < events; e++) {
    await sleep(Math.random() * POLL_INTERVAL_S * 1000);
    const pack = sim().packs.get(1 + Math.floor(Math.random() * PACKS))!;
    const zero = nextCcl(out, (c) => c === 0, 10_000);
    const t0 = performance.now();
    pack.model.cellOffsets.set(Math.floor(Math.random() * 16), 0.35);
    const t1 = await zero;
    pack.model.cellOffsets.clear();
    if (t1 === undefined) {
      errors.push(`chain ${k} event ${e}: no CCL = 0 frame within 10 s`);
      return;
    }
    sink.push(t1 - t0);
    if ((await nextCcl(out, (c) => c > 0, 30_000)) === undefined) {
      errors.push(`chain ${k} event ${e}: CCL did not recover`);
      return;
    }
  }
}

/**
 * The same measurement on simulated time with the pure chain (test/helpers/pipeline.ts: same bus, reader, engine
 * and transmitter, no Node-RED): the latency the design itself has, free of machine noise.
 */
export async function simulatedLatency(events: number, seed = 1): Promise<number[]> {
  const clock = new StepClock();
  const rng = new Rng(seed);
  const p = simulatedChain(clock, POLL_INTERVAL_S * 1000);
  let ccl = NaN,
    at = 0;
  p.onTransmit = (e) => {
    ccl = e.view.ccl ?? NaN;
    at = e.now;
  };
  p.start();
  const out: number[] = [];
  if (!(await stepUntil(clock, () => ccl > 0, 120_000))) throw new Error('simulated chain: CCL never above 0');
  for (let e = 0; e < events; e++) {
    await clock.runFor(rng.next() * POLL_INTERVAL_S * 1000);
    const pack = p.pack(rng.int(1, PACKS));
    const t0 = clock.now();
    pack.model.cellOffsets.set(rng.int(0, 15), 0.35);
    if (!(await stepUntil(clock, () => ccl === 0 && at >= t0, 10_000)))
      throw new Error(`simulated event ${e}: no CCL = 0 frame`);
    out.push(at - t0);
    pack.model.cellOffsets.clear();
    if (!(await stepUntil(clock, () => ccl > 0, 120_000))) throw new Error(`simulated event ${e}: CCL did not recover`);
  }
  await p.stop();
  return out;
}

export async function runLatency(quick = false): Promise<SectionResult> {
  const target = POLL_INTERVAL_S * 1000 + TARGET_SLACK_MS;
  const sim = summarize(await simulatedLatency(quick ? 20 : 500));
  const simRampEvents = quick ? 10 : RAMP_EVENTS;
  const simHigh = summarize((await simulatedRamp('high', simRampEvents, 1)).map((e) => e.latencyMs));
  const simLow = summarize((await simulatedRamp('low', simRampEvents, 2)).map((e) => e.latencyMs));
  const simFigures: Figure[] = [
    ...rampFigures('simulated time, ramp up (CCL = 0)', simHigh),
    ...rampFigures('simulated time, ramp down (DCL = 0)', simLow),
    { name: 'simulated time, step: latency p50', value: sig(sim.median, 4), unit: 'ms' },
    {
      name: 'simulated time, step: latency p99',
      value: sig(sim.p99, 4),
      unit: 'ms',
      target: `≤ ${target} ms`,
      met: atMost(sim.p99, target),
      note: `${sim.n} events; min ${sig(sim.min, 3)} ms, max ${sig(sim.max, 4)} ms`,
    },
  ];
  const simMethod =
    `Simulated time (no Node-RED): the same chain as pure parts — SerialBus + JK reader (${PACKS} PB packs, wire time at ` +
    `115200 baud, poll interval ${POLL_INTERVAL_S} s) → bms-rules engine → CyclicTransmitter (pylontech) — ${sim.n} events at random ` +
    'moments; the same chain with priority polling (default poll interval and margins) for the ramps below, ' +
    `${simRampEvents} events per direction. This is the latency of the design itself. `;
  const base = { id: 'latency', title: 'Reaction latency (cell above the high cut → CAN frame with CCL = 0)' };
  if (!existsSync(RULES_NODE)) {
    return {
      ...base,
      method: simMethod,
      figures: simFigures,
      detail: { simulated: { step: sim, rampHigh: simHigh, rampLow: simLow } },
      skipped: ['real runtime: the bms-rules node shell (src/nodes/bms-rules/bms-rules.ts) is not in the tree yet'],
    };
  }
  const nodes = [
    require('../src/nodes/bms-serial-bus/bms-serial-bus'),
    require('../src/nodes/jk-bms/jk-bms'),
    require(RULES_NODE),
    require('../src/nodes/inverter-can/inverter-can'),
  ];
  helper.init(require.resolve('node-red'));
  await new Promise<void>((r) => helper.startServer(r));
  const latencies: number[] = [];
  const errors: string[] = [];
  const ramps: Record<RampDirection, RampEvent[]> = { high: [], low: [] };
  const perChain = quick ? 3 : Math.ceil(200 / CHAINS) + 1;
  const rampPerChain = quick ? 1 : Math.ceil(RAMP_EVENTS / RAMP_CHAINS);
  const chains = (count: number, intervalS: number | undefined) => [
    { id: 'tab', type: 'tab' },
    ...Array.from({ length: count }, (_, k) => chainFlow(k, intervalS)).flat(),
  ];
  try {
    await helper.load(nodes, chains(CHAINS, POLL_INTERVAL_S));
    await Promise.all(Array.from({ length: CHAINS }, (_, k) => chain(k, perChain, latencies, errors)));
    await helper.unload();
    // Default settings (the jk-bms poll interval and margins, the bus's priority polling); both directions at once.
    await helper.load(nodes, chains(2 * RAMP_CHAINS, undefined));
    const out = (k: number) => helper.getNode(`out${k}`) as HelperNode;
    const ramp = (k: number) => {
      const direction: RampDirection = k < RAMP_CHAINS ? 'high' : 'low';
      return rampChain(simulatorOf(k), out(k), direction, rampPerChain, ramps[direction], errors);
    };
    await Promise.all(Array.from({ length: 2 * RAMP_CHAINS }, (_, k) => ramp(k)));
  } finally {
    await helper.unload();
    await new Promise<void>((r) => helper.stopServer(r));
  }
  const s = summarize(latencies);
  const high = summarize(ramps.high.map((e) => e.latencyMs));
  const low = summarize(ramps.low.map((e) => e.latencyMs));
  return {
    ...base,
    title: 'Reaction latency (cell past the limit → CAN frame with CCL = 0 / DCL = 0)',
    method:
      simMethod +
      `Real runtime: ${CHAINS} independent chains in one Node-RED runtime, each bms-serial-bus (JK PB simulator, ${PACKS} packs, wire time at ` +
      `115200 baud) → jk-bms (FC 0x03) → bms-rules (default cuts and tables) → pylontech-can → helper. Step (poll interval ` +
      `${POLL_INTERVAL_S} s): a cell is raised to about 3.66 V at a random moment; latency = time until the first 0x351 frame with ` +
      'CCL = 0 reaches the helper; target: one poll cycle (the poll interval) + 50 ms. Ramp (default bus and jk-bms settings: ' +
      'priority polling on, poll interval 5 s, near-limit margin 100 mV): a runner cell of a random pack starts 120 mV short of the ' +
      `voltage where the default rules bring the current to 0 (charge ${rampCut('high')} V: the cell charge table reaches 0 there, ` +
      `before the 3.58 V latch; discharge ${rampCut('low')} V) and moves towards it at a random 5–20 mV/s from a random moment; ` +
      'the simulated BMS measures it to the mV at each request. Latency = from the moment it crosses that voltage to the first ' +
      `0x351 frame with CCL = 0 (DCL = 0); target ≤ ${RAMP_TARGET_MS} ms. ${RAMP_CHAINS} chains ramp up while ${RAMP_CHAINS} others ramp ` +
      'down, in the same runtime; events per direction: BENCH_LATENCY_EVENTS.',
    figures: [
      ...rampFigures('ramp up, end of charge (CCL = 0)', high),
      ...rampFigures('ramp down, end of discharge (DCL = 0)', low),
      { name: 'step, runtime: latency p50', value: sig(s.median, 4), unit: 'ms' },
      {
        name: 'step, runtime: latency p99',
        value: sig(s.p99, 4),
        unit: 'ms',
        target: `≤ ${target} ms`,
        met: s.n >= (quick ? 1 : 200) && atMost(s.p99, target),
        note: `${s.n} events; min ${sig(s.min, 3)} ms, max ${sig(s.max, 4)} ms`,
      },
      ...simFigures,
    ],
    detail: {
      latencies: latencies.map((x) => sig(x, 4)),
      summary: s,
      ramp: {
        high: ramps.high.map((e) => ({ ms: sig(e.latencyMs, 4), mVs: sig(e.rateMvS, 3) })),
        low: ramps.low.map((e) => ({ ms: sig(e.latencyMs, 4), mVs: sig(e.rateMvS, 3) })),
        summary: { high, low },
      },
      errors,
      simulated: { step: sim, rampHigh: simHigh, rampLow: simLow },
    },
    skipped: errors,
  };
}

function rampFigures(name: string, s: Summary): Figure[] {
  return [
    { name: `${name}: latency p50`, value: sig(s.median, 4), unit: 'ms' },
    {
      name: `${name}: latency p99`,
      value: sig(s.p99, 4),
      unit: 'ms',
      target: `≤ ${RAMP_TARGET_MS} ms`,
      met: s.n > 0 && atMost(s.p99, RAMP_TARGET_MS),
      note: `${s.n} events; min ${sig(s.min, 3)} ms, max ${sig(s.max, 4)} ms`,
    },
  ];
}
