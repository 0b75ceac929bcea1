import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import * as path from 'node:path';
import { SimClock } from '../../../src/core/clock';
import { canFrame, type CanFrame } from '../../../src/transport/can-frame';
import type { CanStatus } from '../../../src/transport/can-channel';
import {
  SocketCanChannel,
  loadSocketCan,
  socketCanLoadProblem,
  type RawChannelLike,
  type SocketCanModule,
} from '../../../src/transport/can-socketcan';

/** Stands in for the `socketcan` package (no SocketCAN kernel support in CI). */
class FakeRaw implements RawChannelLike {
  started = false;
  stopped = false;
  sent: unknown[] = [];
  failSend = false;
  listeners: Record<string, ((...a: never[]) => void)[]> = {};
  start(): void {
    this.started = true;
  }
  stop(): void {
    this.stopped = true;
  }
  send(m: unknown): void {
    if (this.failSend) throw new Error('No buffer space available');
    this.sent.push(m);
  }
  addListener(e: string, l: (...a: never[]) => void): void {
    (this.listeners[e] ??= []).push(l);
  }
  fire(e: string, arg?: unknown): void {
    for (const l of this.listeners[e] ?? []) (l as (a: unknown) => void)(arg);
  }
}

function fakeModule(existing: Set<string>) {
  const made: FakeRaw[] = [];
  const mod: SocketCanModule = {
    createRawChannel(iface) {
      if (!existing.has(iface)) throw new Error('Error while creating channel');
      const raw = new FakeRaw();
      made.push(raw);
      return raw;
    },
  };
  return { mod, made };
}

describe('socketcan channel', () => {
  it('without the optional package: unavailable with a clear reason, sends are dropped, nothing throws', async () => {
    const channel = new SocketCanChannel({ iface: 'can0', clock: new SimClock(), load: () => undefined });
    assert.equal(channel.status.state, 'unavailable');
    assert.match((channel.status as { reason: string }).reason, /socketcan.*not installed/);
    channel.send(canFrame(0x351, [1]));
    assert.equal(channel.counters.dropped, 1);
    await channel.close();
  });

  it('tells a missing package from one whose native module was not built, each with the command that fixes it', function () {
    if (loadSocketCan()) this.skip(); // needs the package absent, as on Node 20 where npm skips it
    let absent: unknown;
    try {
      require('socketcan');
    } catch (e) {
      absent = e;
    }
    const missing = socketCanLoadProblem(absent);
    assert.equal(missing.problem, 'socketcan-missing');
    assert.match(missing.reason, /npm install socketcan/);
    // What the package's own loader throws when npm ran no install script: its compiled module is absent.
    let unbuilt: unknown;
    try {
      require(path.join(os.tmpdir(), 'socketcan-not-built', 'build', 'Release', 'can.node'));
    } catch (e) {
      unbuilt = e;
    }
    const notBuilt = socketCanLoadProblem(unbuilt);
    assert.equal(notBuilt.problem, 'socketcan-not-built');
    assert.match(notBuilt.reason, /npm rebuild socketcan.*Cannot find module '.*can\.node'\)$/);
    const channel = new SocketCanChannel({ iface: 'can0', clock: new SimClock(), load: () => notBuilt });
    assert.deepEqual(channel.status, { state: 'unavailable', ...notBuilt });
  });

  it('sends and receives frames through the raw channel; error frames are ignored', async () => {
    const { mod, made } = fakeModule(new Set(['can0']));
    const channel = new SocketCanChannel({ iface: 'can0', clock: new SimClock(), load: () => mod });
    assert.deepEqual(channel.status, { state: 'connected' });
    assert.ok(made[0].started);
    channel.send(canFrame(0x351, [1, 2, 3]));
    assert.deepEqual(made[0].sent, [{ id: 0x351, ext: false, rtr: false, data: Buffer.from([1, 2, 3]) }]);
    const got: CanFrame[] = [];
    channel.onFrame((f) => got.push(f));
    made[0].fire('onMessage', { id: 0x305, data: Buffer.alloc(8), ts_sec: 1 });
    made[0].fire('onMessage', { id: 0x20000004, err: true, data: Buffer.alloc(8) });
    assert.deepEqual(got, [{ id: 0x305, ext: false, rtr: false, data: Buffer.alloc(8) }]);
    await channel.close();
    assert.ok(made[0].stopped);
  });

  it('a missing interface is reported and retried until it appears', async () => {
    const present = new Set<string>();
    const { mod } = fakeModule(present);
    const clock = new SimClock();
    const channel = new SocketCanChannel({ iface: 'can0', clock, load: () => mod, retryMs: 5000 });
    assert.equal(channel.status.state, 'disconnected');
    assert.match((channel.status as { reason: string }).reason, /can0/);
    clock.advance(5000);
    assert.equal(channel.status.state, 'disconnected');
    present.add('can0');
    clock.advance(5000);
    assert.equal(channel.status.state, 'connected');
    await channel.close();
    assert.equal(clock.pending, 0);
  });

  it('a send error shows in status without throwing; interface stop → retry', async () => {
    const { mod, made } = fakeModule(new Set(['can0']));
    const clock = new SimClock();
    const channel = new SocketCanChannel({ iface: 'can0', clock, load: () => mod, retryMs: 1000 });
    made[0].failSend = true;
    assert.doesNotThrow(() => channel.send(canFrame(0x351, [1])));
    assert.equal(channel.status.state, 'error');
    made[0].fire('onStopped');
    assert.equal((channel.status as CanStatus).state, 'disconnected');
    made[0].fire('onMessage', { id: 1, data: Buffer.alloc(0) }); // stale channel: ignored
    assert.equal(channel.counters.received, 0);
    clock.advance(1000);
    assert.equal(made.length, 2);
    assert.equal((channel.status as CanStatus).state, 'connected');
    await channel.close();
  });

  it('invalid frames are dropped, not sent', async () => {
    const { mod, made } = fakeModule(new Set(['can0']));
    const channel = new SocketCanChannel({ iface: 'can0', clock: new SimClock(), load: () => mod });
    channel.send({ id: 0x800, ext: false, rtr: false, data: Buffer.alloc(1) });
    channel.send({ id: 0x100, ext: false, rtr: false, data: Buffer.alloc(9) });
    assert.equal(made[0].sent.length, 0);
    assert.equal(channel.counters.dropped, 2);
    await channel.close();
  });
});
