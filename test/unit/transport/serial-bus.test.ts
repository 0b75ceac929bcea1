/**
 * SerialBus logic on simulated time with the in-process simulator port: round-robin order,
 * back-off schedule, reconnect after the port closes, close releasing everything.
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

function setup(opts: { baud?: number; addresses?: number[] } = {}) {
  const clock = new SimClock(0);
  let port!: SimulatorPort;
  let opened = 0;
  const bus = new SerialBus({
    clock,
    timeoutMs: 100,
    backoffMinMs: 1000,
    backoffMaxMs: 4000,
    reconnectMinMs: 500,
    createPort: () => {
      opened++;
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
  return { clock, bus, statuses, port: () => port, opened: () => opened };
}

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
