/**
 * Reaction latency for the way cells really run away: a runner cell rising at 5–20 mV/s at the end of
 * charge (or falling at the end of discharge), random rate and moment, in the real Node-RED runtime
 * with default bus and jk-bms settings (priority polling on, default poll interval and margins).
 * Latency = from the moment the runner crosses the voltage where the default rules bring the current
 * to 0 (NEAR_LIMIT_DEFAULTS: 3.55 V for charge, 2.9 V for discharge) to the first 0x351 frame with
 * CCL = 0 (DCL = 0). The runner starts 20 mV outside the near-limit margin, so its pack is first
 * polled at the poll interval and must be seen close to the limit before it crosses.
 */
import type { BatteryModel } from '../src/core/battery-model';
import { NEAR_LIMIT_DEFAULTS, nearLimit } from '../src/core/near-limit';
import { BMS_DEFAULTS } from '../src/nodes/shared/bms-settings';
import type { DeviceSimulator } from '../src/transport/simulator-api';
import { Rng } from '../test/helpers/rng';
import { StepClock } from '../test/helpers/step-clock';
import { stepUntil } from './lib/step-until';
import { simulatedChain } from './lib/simulated-chain';
import { type HelperNode, PACKS, nextLimit } from './lib/runtime-chain';

export type RampDirection = 'high' | 'low';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const MIN_RATE_V_S = 0.005;
const MAX_RATE_V_S = 0.02;
/** Where the runner starts: 20 mV outside the default near-limit margin. */
const START_OUTSIDE_V = NEAR_LIMIT_DEFAULTS.cellMarginV + 0.02;

export const rampCut = (direction: RampDirection): number =>
  direction === 'high' ? NEAR_LIMIT_DEFAULTS.cellHigh : NEAR_LIMIT_DEFAULTS.cellLow;

/**
 * Makes one cell of `model` a runner: after each model update (the simulator updates at every
 * request) the cell reads as a BMS would measure it at that moment (to the mV, towards the start).
 * Returns the undo.
 */
function runner(model: BatteryModel, cell: number, from: number, voltsPerMs: number, startMs: number): () => void {
  const update = model.update;
  model.update = (now: number) => {
    update.call(model, now);
    const mV = (from + voltsPerMs * (now - startMs)) * 1000;
    model.cells[cell] = (voltsPerMs > 0 ? Math.floor(mV + 1e-6) : Math.ceil(mV - 1e-6)) / 1000;
  };
  return () => {
    model.update = update;
  };
}

export interface RampEvent {
  latencyMs: number;
  rateMvS: number;
}

/** One chain: `events` ramps one after another; latencies and errors go to the sinks. */
export async function rampChain(
  sim: () => DeviceSimulator,
  out: HelperNode,
  direction: RampDirection,
  events: number,
  sink: RampEvent[],
  errors: string[],
): Promise<void> {
  const limit = direction === 'high' ? 'ccl' : 'dcl';
  const cut = rampCut(direction);
  const sign = direction === 'high' ? 1 : -1;
  if ((await nextLimit(out, limit, (a) => a > 0, 60_000)) === undefined) {
    errors.push(`${limit.toUpperCase()} never above 0 after start`);
    return;
  }
  for (let e = 0; e < events; e++) {
    await sleep(Math.random() * 1000);
    const model = sim().packs.get(1 + Math.floor(Math.random() * PACKS))!.model;
    const rate = MIN_RATE_V_S + Math.random() * (MAX_RATE_V_S - MIN_RATE_V_S);
    const from = cut - sign * START_OUTSIDE_V;
    const zero = nextLimit(out, limit, (a) => a === 0, 60_000);
    const startPerf = performance.now();
    const undo = runner(model, Math.floor(Math.random() * 16), from, (sign * rate) / 1000, Date.now());
    const crossPerf = startPerf + (START_OUTSIDE_V / rate) * 1000;
    const t1 = await zero;
    undo();
    if (t1 === undefined) {
      errors.push(`${direction} event ${e}: no ${limit.toUpperCase()} = 0 frame within 60 s`);
      return;
    }
    if (t1 < crossPerf)
      errors.push(
        `${direction} event ${e}: ${limit.toUpperCase()} = 0 ${Math.round(crossPerf - t1)} ms before the crossing`,
      );
    else sink.push({ latencyMs: t1 - crossPerf, rateMvS: rate * 1000 });
    if ((await nextLimit(out, limit, (a) => a > 0, 60_000)) === undefined) {
      errors.push(`${direction} event ${e}: ${limit.toUpperCase()} did not recover`);
      return;
    }
  }
}

/**
 * The same ramps on simulated time through the pure chain (test/helpers/pipeline.ts: bus, JK reader,
 * poller with priority polling and the default margins, rules engine, transmitter; no Node-RED): the
 * latency of the design itself, free of machine noise.
 */
export async function simulatedRamp(direction: RampDirection, events: number, seed: number): Promise<RampEvent[]> {
  const clock = new StepClock();
  const rng = new Rng(seed);
  const p = simulatedChain(
    clock,
    BMS_DEFAULTS.interval * 1000,
    (pack) => nearLimit(pack, NEAR_LIMIT_DEFAULTS) !== undefined,
  );
  const limit = direction === 'high' ? 'ccl' : 'dcl';
  const sign = direction === 'high' ? 1 : -1;
  let amps = NaN,
    at = 0;
  p.onTransmit = (e) => {
    amps = e.view[limit] ?? NaN;
    at = e.now;
  };
  p.start();
  const out: RampEvent[] = [];
  if (!(await stepUntil(clock, () => amps > 0, 120_000))) throw new Error(`simulated ramp: ${limit} never above 0`);
  for (let e = 0; e < events; e++) {
    await clock.runFor(rng.next() * 1000);
    const rate = MIN_RATE_V_S + rng.next() * (MAX_RATE_V_S - MIN_RATE_V_S);
    const start = clock.now();
    const from = rampCut(direction) - sign * START_OUTSIDE_V;
    const undo = runner(p.pack(rng.int(1, PACKS)).model, rng.int(0, 15), from, (sign * rate) / 1000, start);
    const cross = start + (START_OUTSIDE_V / rate) * 1000;
    if (!(await stepUntil(clock, () => amps === 0, 60_000)))
      throw new Error(`simulated ramp ${e}: no ${limit} = 0 frame`);
    if (at < cross) throw new Error(`simulated ramp ${e}: ${limit} = 0 before the crossing`);
    out.push({ latencyMs: at - cross, rateMvS: rate * 1000 });
    undo();
    if (!(await stepUntil(clock, () => amps > 0, 120_000)))
      throw new Error(`simulated ramp ${e}: ${limit} did not recover`);
  }
  await p.stop();
  return out;
}
