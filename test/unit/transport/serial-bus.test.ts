/**
 * SerialBus logic on simulated time with the in-process simulator port: round-robin order,
 * back-off schedule (the defaults), reconnect after the port closes, recovery after a long outage,
 * close releasing everything.
 */
import { strict as assert } from 'node:assert';
import { SimClock } from '../../../src/core/clock';
import { BusError } from '../../../src/transport/bus-api';
import { createEchoSimulator, echoFrame, echoFramer } from '../../../src/transport/echo-simulator';
import { SerialBus } from '../../../src/transport/serial-bus';
import { SimulatorPort } from '../../../src/transport/simulator-port';

/** Lets promise callbacks run between simulated-time steps. */
const flush = () => new Promise<void>((r) => setImmediate(r));

async function run(clock: SimClock, ms: number, step = 5): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await flush();
  }
}

function setup(opts: { baud?: number; addresses?: number[]; timeoutMs?: number; reconnectMinMs?: number } = {}) {
  const clock = new SimClock(0);
  let port!: SimulatorPort;
  let opened = 0;
  /** While true the adapter is unplugged: every open fails as a missing device does. */
  const adapter = { unplugged: false };
  const bus = new SerialBus({
    clock,
    timeoutMs: opts.timeoutMs ?? 100,
    reconnectMinMs: opts.reconnectMinMs ?? 500,
    createPort: () => {
      opened++;
      if (adapter.unplugged) {
        const missing = new SimulatorPort(createEchoSimulator, { addresses: [] }, clock);
        missing.open = () => Promise.reject(new Error('No such file or directory, cannot open /dev/ttyUSB0'));
        return missing;
      }
      port = new SimulatorPort(
        createEchoSimulator,
        { addresses: opts.addresses ?? [1, 2, 3], turnaroundMs: 2 },
        clock,
        opts.baud,
      );
      return port;
    },
  });
  const statuses: string[] = [];
  bus.register({ id: 'u', busStatus: (s) => statuses.push(s.state) });
  return { clock, bus, statuses, adapter, port: () => port, opened: () => opened };
}

/** A poll loop like a BMS node's: asks `address` every `everyMs`, one request at a time; records answers and timeouts. */
function pollLoop(clock: SimClock, bus: SerialBus, address: number, everyMs: number) {
  const answeredAt: number[] = [];
  const timedOutAt: number[] = [];
  let busy = false;
  clock.setInterval(() => {
    if (busy) return;
    busy = true;
    ask(bus, address).then(
      () => {
        answeredAt.push(clock.now());
        busy = false;
      },
      (e: BusError) => {
        if (e.code === 'timeout') timedOutAt.push(clock.now());
        busy = false;
      },
    );
  }, everyMs);
  return { answeredAt, timedOutAt };
}

const FIVE_MINUTES = 5 * 60_000;

const ask = (bus: SerialBus, address: number) =>
  bus.transact({ address, request: echoFrame(address, Buffer.from([address])), framer: echoFramer });

describe('SerialBus on simulated time', () => {
  it('serves addresses round-robin with one transaction in flight', async () => {
    const { clock, bus, port } = setup({ baud: 9600 });
    await run(clock, 10);
    const order: number[] = [];
    const writes: number[] = [];
    const p = port();
    const origWrite = p.write.bind(p);
    p.write = async (d: Buffer) => {
      writes.push(d[1]);
      return origWrite(d);
    };
    const all = [1, 1, 2, 2, 3].map((a) => ask(bus, a).then((f) => order.push(f[1])));
    await run(clock, 200);
    await Promise.all(all);
    assert.deepEqual(writes, [1, 2, 3, 1, 2]);
    assert.deepEqual(order, [1, 2, 3, 1, 2]);
    assert.equal(bus.counters.transactions, 5);
  });

  it('backs off a silent address: 1 s, then 2 s, capped at 4 s; recovers when it answers again', async () => {
    const { clock, bus, port } = setup();
    await run(clock, 10);
    port().simulator!.packs.get(2)!.faults.silent = true;
    const results: string[] = [];
    const poll = () =>
      ask(bus, 2).then(
        () => results.push(`ok@${clock.now()}`),
        (e: BusError) => results.push(`${e.code}@${clock.now()}`),
      );
    for (let i = 0; i < 80; i++) {
      void poll();
      await run(clock, 100);
    }
    const timeouts = results.filter((r) => r.startsWith('timeout')).map((r) => Number(r.split('@')[1]));
    const gaps = timeouts.slice(1).map((t, i) => t - timeouts[i]);
    // Probes after 1, 2, 4, 4 s (+ the timeout and the poll grid).
    assert.ok(gaps.length >= 3, results.join(' '));
    assert.ok(gaps[0] >= 1000 && gaps[0] <= 1200, `first back-off ${gaps[0]}`);
    assert.ok(gaps[1] >= 2000 && gaps[1] <= 2200, `second back-off ${gaps[1]}`);
    assert.ok(
      gaps.slice(2).every((g) => g >= 4000 && g <= 4200),
      `capped back-off ${gaps.join(',')}`,
    );
    port().simulator!.packs.get(2)!.faults.silent = false;
    for (let i = 0; i < 60; i++) {
      void poll();
      await run(clock, 100);
    }
    assert.ok(results.at(-1)!.startsWith('ok'), 'answers again after the next probe');
  });

  it('fails in-flight and queued work on port close, reconnects with back-off, and resumes', async () => {
    const { clock, bus, port, statuses, opened } = setup();
    await run(clock, 10);
    const pending = [ask(bus, 1), ask(bus, 2)].map((p) =>
      p.then(
        () => 'ok',
        (e: BusError) => e.code,
      ),
    );
    port().emit('close', true);
    assert.deepEqual(await Promise.all(pending), ['disconnected', 'disconnected']);
    assert.equal(statuses.at(-1), 'disconnected');
    await run(clock, 600);
    assert.equal(opened(), 2);
    assert.equal(statuses.at(-1), 'connected');
    const again = ask(bus, 3);
    await run(clock, 50);
    assert.equal((await again)[1], 3);
  });

  for (const returnsAfterMs of [0, 700, 1900, 3300]) {
    it(`a pack silent for 5 minutes is polled again within seconds of answering (returns ${returnsAfterMs} ms into a probe cycle)`, async () => {
      const { clock, bus, port } = setup({ timeoutMs: 500 });
      await run(clock, 10);
      const { answeredAt } = pollLoop(clock, bus, 2, 1000);
      port().simulator!.packs.get(2)!.faults.silent = true;
      await run(clock, FIVE_MINUTES + returnsAfterMs, 50);
      port().simulator!.packs.get(2)!.faults.silent = false;
      const back = clock.now();
      await run(clock, 30_000, 50);
      const first = answeredAt.find((t) => t > back);
      assert.ok(first !== undefined, 'answered again');
      // Capped back-off (4 s) + one poll period + one answer.
      assert.ok(first - back <= 5_500, `first answer ${first - back} ms after the pack came back`);
    });
  }

  /**
   * Pack 1 answers, then its cable goes and it backs off (4 s after each probe); right after a probe
   * times out the adapter is unplugged for `outageMs`. Returns ms from the replug to the first answer.
   */
  async function unplugAndReplug(outageMs: number) {
    const { clock, bus, port, adapter, statuses } = setup({ timeoutMs: 500, reconnectMinMs: 1000 });
    await run(clock, 10);
    const { answeredAt, timedOutAt } = pollLoop(clock, bus, 1, 1000);
    await run(clock, 3000, 50);
    assert.ok(answeredAt.length >= 2, 'polled while plugged in');
    port().simulator!.packs.get(1)!.faults.silent = true;
    await run(clock, 20_000, 50);
    const probes = timedOutAt.length;
    while (timedOutAt.length === probes) await run(clock, 10, 10);
    adapter.unplugged = true;
    port().emit('close', true);
    await run(clock, outageMs, 50);
    assert.equal(statuses.at(-1), 'disconnected');
    adapter.unplugged = false;
    const back = clock.now();
    await run(clock, 30_000, 50);
    const first = answeredAt.find((t) => t > back);
    assert.ok(first !== undefined, 'answered again');
    return first - back;
  }

  for (const extraMs of [0, 1500, 2900]) {
    it(`an adapter unplugged for 5 minutes (+${extraMs} ms) is reopened and polled within seconds of the replug`, async () => {
      // Capped reconnect back-off (4 s) + one poll period + one answer.
      const delay = await unplugAndReplug(FIVE_MINUTES + extraMs);
      assert.ok(delay <= 5_500, `first answer ${delay} ms after the replug`);
    });
  }

  for (const outageMs of [300, 600, 900]) {
    it(`a quick replug (${outageMs} ms) does not wait out the back-off of a pack that was silent before`, async () => {
      // Plugged back before the first reconnect attempt (1 s): that attempt + one poll period + one answer;
      // the back-off the silent pack had is not carried over to the new port.
      const delay = await unplugAndReplug(outageMs);
      assert.ok(delay <= 2_600, `first answer ${delay} ms after the replug`);
    });
  }

  it('close() rejects everything with "closed" and leaves no timers behind', async () => {
    const { clock, bus } = setup();
    await run(clock, 10);
    const pending = ask(bus, 1).then(
      () => 'ok',
      (e: BusError) => e.code,
    );
    await bus.close();
    assert.equal(await pending, 'closed');
    assert.equal(
      await ask(bus, 1).then(
        () => 'ok',
        (e: BusError) => e.code,
      ),
      'closed',
    );
    assert.equal(clock.pending, 0);
  });
});
