/**
 * PackPoller on simulated time with a stand-in bus that answers one request at a time, 30 ms each
 * (about one JK PB transaction at 115200 baud). Counts polls per address: without priority polling
 * every pack is polled once per interval; with it, a pack close to a limit is polled every short cycle
 * while the others keep their interval, several close packs share the bus without anyone starving,
 * and a pack that stops answering falls back to its interval.
 */
import { strict as assert } from 'node:assert';
import type { PackState } from '../../../src/core/pack-state';
import { PRIORITY_MIN_CYCLE_MS, PackPoller } from '../../../src/transport/pack-poller';
import { StepClock } from '../../helpers/step-clock';

const TRANSACTION_MS = 30;
const INTERVAL_MS = 1000;

function setup(addresses: number[], options: { priority: boolean; near?: Set<number>; silent?: Set<number> }) {
  const clock = new StepClock(0);
  const polls = new Map<number, number[]>(addresses.map((a) => [a, []]));
  let busFree = 0;
  /** One transaction at a time, in request order, as the serial bus serves them. */
  const pollPack = (address: number): Promise<PackState> => {
    const start = Math.max(clock.now(), busFree);
    busFree = start + TRANSACTION_MS;
    return new Promise((resolve, reject) => {
      clock.setTimeout(() => {
        polls.get(address)!.push(start);
        if (options.silent?.has(address)) reject(new Error('timeout'));
        else resolve({ address } as PackState);
      }, busFree - clock.now());
    });
  };
  const poller = new PackPoller(clock, addresses, INTERVAL_MS, {
    pollPack,
    onPack: () => undefined,
    onFailure: () => undefined,
    nearLimit: options.priority ? (pack) => options.near?.has(pack.address!) ?? false : undefined,
  });
  return { clock, polls, poller };
}

/** The longest time between two polls of one address, and from the last poll to `end`. */
function maxGap(times: number[], end: number): number {
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
  return Math.max(gap, end - times[times.length - 1]);
}

describe('PackPoller', () => {
  const RUN_MS = 20_000;

  it('without priority polling, every pack is polled once per interval', async () => {
    const { clock, polls, poller } = setup([1, 2, 3, 4, 5], { priority: false, near: new Set([2]) });
    poller.start();
    await clock.runFor(RUN_MS);
    poller.stop();
    for (const [address, times] of polls) assert.equal(times.length, RUN_MS / INTERVAL_MS, `address ${address}`);
    assert.equal(poller.stats.priorityCycles, 0);
  });

  it('a pack close to a limit is polled every short cycle; the others keep their interval', async () => {
    const { clock, polls, poller } = setup([1, 2, 3, 4, 5], { priority: true, near: new Set([3]) });
    poller.start();
    await clock.runFor(RUN_MS);
    poller.stop();
    for (const address of [1, 2, 4, 5]) {
      assert.equal(polls.get(address)!.length, RUN_MS / INTERVAL_MS, `address ${address} keeps its interval`);
    }
    const near = polls.get(3)!;
    // Short cycles start PRIORITY_MIN_CYCLE_MS apart; the full cycles (5 transactions) stretch a few.
    assert.ok(near.length >= (RUN_MS / PRIORITY_MIN_CYCLE_MS) * 0.8, `near pack polled ${near.length} times`);
    assert.ok(maxGap(near, RUN_MS) <= 5 * TRANSACTION_MS + PRIORITY_MIN_CYCLE_MS, `gap ${maxGap(near, RUN_MS)} ms`);
    assert.ok(poller.stats.priorityCycles > 0);
  });

  it('with several packs close to limits, none starves: every pack is polled at least once per interval', async () => {
    const addresses = Array.from({ length: 15 }, (_, i) => i + 1);
    const near = new Set([1, 4, 7, 8, 9, 10, 11, 12, 13, 14]);
    const { clock, polls, poller } = setup(addresses, { priority: true, near });
    poller.start();
    await clock.runFor(RUN_MS);
    poller.stop();
    for (const [address, times] of polls) {
      assert.ok(times.length >= RUN_MS / INTERVAL_MS, `address ${address} polled ${times.length} times`);
      assert.ok(maxGap(times, RUN_MS) <= INTERVAL_MS, `address ${address}: gap ${maxGap(times, RUN_MS)} ms`);
    }
    // 10 close packs take 300 ms a short cycle: one short cycle fits between two full ones.
    for (const address of near) assert.ok(polls.get(address)!.length >= 2 * (RUN_MS / INTERVAL_MS));
  });

  it('a close pack that stops answering falls back to its interval; answering again, it is polled every cycle', async () => {
    const silent = new Set<number>();
    const { clock, polls, poller } = setup([1, 2], { priority: true, near: new Set([1]), silent });
    poller.start();
    await clock.runFor(2000);
    assert.ok(polls.get(1)!.length > 20, 'close and answering: polled every short cycle');
    silent.add(1);
    const from = polls.get(1)!.length;
    await clock.runFor(5000);
    assert.ok(polls.get(1)!.length - from <= 6, `silent: ${polls.get(1)!.length - from} polls in 5 s`);
    silent.delete(1);
    await clock.runFor(1100);
    const back = polls.get(1)!.length;
    await clock.runFor(1000);
    assert.ok(polls.get(1)!.length - back > 10, 'answering again: polled every short cycle');
    poller.stop();
  });
});
