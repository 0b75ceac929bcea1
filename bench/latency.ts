/**
 * 4. Reaction latency in the real runtime (node-red-node-test-helper, real clock): bms-serial-bus
 * with the in-process JK PB simulator (5 packs, wire time at 115200 baud) → jk-bms (FC 0x03 poll) →
 * bms-rules → pylontech-can (frames as messages) → a helper node. At t0 one simulated cell is raised
 * above the high cut; the latency is the time until a 0x351 frame with CCL = 0 leaves the encoder.
 * Then the cell is restored and, once CCL is back above 0, the next event starts after a random delay
 * so t0 falls anywhere in the poll cycle. Several independent chains run side by side (the same
 * runtime, separate buses) to collect ≥ 200 events within the bench's time budget.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import { PROTOCOLS } from '../src/nodes/inverter-can/protocols';
import type { CanFrame } from '../src/transport/can-frame';
import type { DeviceSimulator } from '../src/transport/simulator-api';
import { JK_PB } from '../test/helpers/bms-protocols';
import { Pipeline } from '../test/helpers/pipeline';
import { Rng } from '../test/helpers/rng';
import { type Figure, type SectionResult, atMost } from './lib/section';
import { sig, summarize } from './lib/stats';
import { StepClock } from '../test/helpers/step-clock';

const RULES_NODE = path.join(__dirname, '../src/nodes/bms-rules/bms-rules.ts');
const CHAINS = 8;
const POLL_INTERVAL_S = 1;
const PACKS = 5;
const TARGET_SLACK_MS = 50;
/** Fast release after the cell comes back, so events follow each other quickly; the cut itself is the default. */
const RULES_OVERRIDES = { cellHighReleaseSec: 1, incHoldSec: 1 };

interface FrameMsg {
  payload: CanFrame;
}
type HelperNode = { on(e: 'input', f: (m: FrameMsg) => void): void };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves with the time a 0x351 frame satisfying `test` arrives, or undefined after `ms`. */
function nextCcl(out: HelperNode, test: (ccl: number) => boolean, ms: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      resolve(undefined);
    }, ms);
    out.on('input', (m) => {
      if (done || m.payload.id !== 0x351) return;
      const ccl = PROTOCOLS.pylontech.decode([m.payload]).ccl;
      if (ccl !== undefined && test(ccl)) {
        done = true;
        clearTimeout(timer);
        resolve(performance.now());
      }
    });
  });
}

function flow(k: number): object[] {
  return [
    {
      id: `bus${k}`,
      type: 'bms-serial-bus',
      portType: 'simulator',
      simProtocol: 'jk-pb',
      simAddresses: `1-${PACKS}`,
      simCells: 16,
      simProfile: '',
      simWireTime: true,
      baudRate: 115200,
      timeoutMs: 300,
    },
    {
      id: `jk${k}`,
      z: 'tab',
      type: 'jk-bms',
      bus: `bus${k}`,
      protocol: 'pb',
      method: 'fc03',
      addresses: `1-${PACKS}`,
      interval: POLL_INTERVAL_S,
      idPrefix: `c${k}p`,
      wires: [[`rules${k}`], []],
    },
    {
      id: `rules${k}`,
      z: 'tab',
      type: 'bms-rules',
      bankName: `bank${k}`,
      telemetry: false,
      rules: RULES_OVERRIDES,
      packs: Array.from({ length: PACKS }, (_, i) => ({
        id: `c${k}p-${i + 1}`,
        capacityAh: 280,
        maxChargeA: 100,
        maxDischargeA: 100,
      })),
      wires: [[`inv${k}`], [], [], [], []],
    },
    { id: `inv${k}`, z: 'tab', type: 'pylontech-can', wires: [[`out${k}`]] },
    { id: `out${k}`, z: 'tab', type: 'helper' },
  ];
}

async function chain(k: number, events: number, sink: number[], errors: string[]): Promise<void> {
  const out = helper.getNode(`out${k}`) as HelperNode;
  const sim = (): DeviceSimulator => (helper.getNode(`bus${k}`) as { simulator: DeviceSimulator }).simulator;
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
  const p = new Pipeline({
    bms: JK_PB,
    inverter: PROTOCOLS.pylontech,
    packs: PACKS,
    clock,
    wireTime: true,
    pollIntervalMs: POLL_INTERVAL_S * 1000,
    rules: RULES_OVERRIDES,
  });
  let ccl = NaN,
    at = 0;
  p.onTransmit = (e) => {
    ccl = e.view.ccl ?? NaN;
    at = e.now;
  };
  const until = async (test: () => boolean, ms: number): Promise<boolean> => {
    const end = clock.now() + ms;
    while (!test() && clock.now() < end) await clock.runFor(10);
    return test();
  };
  p.start();
  const out: number[] = [];
  if (!(await until(() => ccl > 0, 120_000))) throw new Error('simulated chain: CCL never above 0');
  for (let e = 0; e < events; e++) {
    await clock.runFor(rng.next() * POLL_INTERVAL_S * 1000);
    const pack = p.pack(rng.int(1, PACKS));
    const t0 = clock.now();
    pack.model.cellOffsets.set(rng.int(0, 15), 0.35);
    if (!(await until(() => ccl === 0 && at >= t0, 10_000))) throw new Error(`simulated event ${e}: no CCL = 0 frame`);
    out.push(at - t0);
    pack.model.cellOffsets.clear();
    if (!(await until(() => ccl > 0, 120_000))) throw new Error(`simulated event ${e}: CCL did not recover`);
  }
  await p.stop();
  return out;
}

export async function runLatency(quick = false): Promise<SectionResult> {
  const target = POLL_INTERVAL_S * 1000 + TARGET_SLACK_MS;
  const sim = summarize(await simulatedLatency(quick ? 20 : 500));
  const simFigures: Figure[] = [
    { name: 'simulated time: latency p50', value: sig(sim.median, 4), unit: 'ms' },
    {
      name: 'simulated time: latency p99',
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
    'moments; this is the latency of the design itself. ';
  const base = { id: 'latency', title: 'Reaction latency (cell above the high cut → CAN frame with CCL = 0)' };
  if (!existsSync(RULES_NODE)) {
    return {
      ...base,
      method: simMethod,
      figures: simFigures,
      detail: { simulated: sim },
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
  const perChain = quick ? 3 : Math.ceil(200 / CHAINS) + 1;
  try {
    await helper.load(nodes, [{ id: 'tab', type: 'tab' }, ...Array.from({ length: CHAINS }, (_, k) => flow(k)).flat()]);
    await Promise.all(Array.from({ length: CHAINS }, (_, k) => chain(k, perChain, latencies, errors)));
  } finally {
    await helper.unload();
    await new Promise<void>((r) => helper.stopServer(r));
  }
  const s = summarize(latencies);
  return {
    ...base,
    method:
      simMethod +
      `Real runtime: ${CHAINS} independent chains in one Node-RED runtime, each bms-serial-bus (JK PB simulator, ${PACKS} packs, wire time at ` +
      `115200 baud) → jk-bms (FC 0x03, poll interval ${POLL_INTERVAL_S} s) → bms-rules → pylontech-can → helper. A cell is raised to ` +
      'about 3.66 V at a random moment; latency = time until the first 0x351 frame with CCL = 0 reaches the helper. ' +
      'Target: one poll cycle (the poll interval) + 50 ms.',
    figures: [
      { name: 'runtime: latency p50', value: sig(s.median, 4), unit: 'ms' },
      {
        name: 'runtime: latency p99',
        value: sig(s.p99, 4),
        unit: 'ms',
        target: `≤ ${target} ms`,
        met: s.n >= (quick ? 1 : 200) && atMost(s.p99, target),
        note: `${s.n} events; min ${sig(s.min, 3)} ms, max ${sig(s.max, 4)} ms`,
      },
      ...simFigures,
    ],
    detail: { latencies: latencies.map((x) => sig(x, 4)), summary: s, errors, simulated: sim },
    skipped: errors,
  };
}
