/**
 * The serial bus over a real pty pair (socat): round-robin with a silent address, back-off,
 * garbage between and inside transactions.
 */
import { strict as assert } from 'node:assert';
import { RealClock } from '../../src/core/clock';
import type { PackState } from '../../src/core/pack-state';
import { echoFrame, echoFramer, createEchoSimulator } from '../../src/transport/echo-simulator';
import { PackPoller } from '../../src/transport/pack-poller';
import { SerialBus } from '../../src/transport/serial-bus';
import { SerialDevicePort } from '../../src/transport/serial-port';
import { runSimulatorOnSerialPort, type SimulatorRun } from '../../src/transport/simulator-runner';
import { createPtyPair, socatAvailable, type PtyPair } from '../helpers/pty';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('serial bus over a pty pair', function () {
  let pty: PtyPair;
  let device: SimulatorRun;
  let bus: SerialBus;

  before(function () {
    if (!socatAvailable()) this.skip();
  });

  beforeEach(async () => {
    pty = await createPtyPair();
    device = await runSimulatorOnSerialPort({
      path: pty.b,
      baudRate: 115200,
      factory: createEchoSimulator,
      options: { addresses: [1, 2, 3], turnaroundMs: 5 },
    });
    bus = new SerialBus({
      createPort: () => new SerialDevicePort({ path: pty.a, baudRate: 115200 }),
      clock: new RealClock(),
      timeoutMs: 100,
      backoffMinMs: 1000,
      backoffMaxMs: 4000,
    });
    const connected = new Promise<void>((resolve) =>
      bus.register({
        id: 't',
        busStatus: (s) => {
          if (s.state === 'connected') resolve();
        },
      }),
    );
    await connected;
  });

  afterEach(async () => {
    await bus?.close();
    await device?.close();
    await pty?.stop();
  });

  it('keeps the cadence of answering addresses while a silent one backs off', async () => {
    device.simulator.packs.get(2)!.faults.silent = true;
    const intervalMs = 150;
    const answers = new Map<number, number[]>([
      [1, []],
      [2, []],
      [3, []],
    ]);
    const failures: string[] = [];
    const cycleStarts: number[] = [];
    const poller = new PackPoller(new RealClock(), [1, 2, 3], intervalMs, {
      pollPack: async (address) => {
        if (address === 1) cycleStarts.push(Date.now());
        const a = await bus.transact({ address, request: echoFrame(address, Buffer.from('poll')), framer: echoFramer });
        assert.equal(a[1], address, 'answer belongs to the polled address');
        answers.get(address)!.push(Date.now());
        return { address } as unknown as PackState;
      },
      onPack: () => undefined,
      onFailure: (address, err) => failures.push(`${address}:${(err as { code?: string }).code}`),
    });
    poller.start();
    await sleep(3000);
    poller.stop();

    for (const address of [1, 3]) {
      const times = answers.get(address)!;
      assert.ok(times.length >= 12, `address ${address} answered ${times.length} times in 3 s`);
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      // Delayed by at most one timeout (100 ms) per cycle, plus scheduling slack.
      assert.ok(Math.max(...gaps) <= intervalMs + 100 + 120, `address ${address} max gap ${Math.max(...gaps)} ms`);
    }
    assert.equal(answers.get(2)!.length, 0);
    const timeouts = failures.filter((f) => f === '2:timeout').length;
    const backoffs = failures.filter((f) => f === '2:backoff').length;
    // 3 s with back-off 1 s, 2 s: at most 3 probes, and most cycles skip the silent pack.
    assert.ok(timeouts >= 1 && timeouts <= 3, `silent address probed ${timeouts} times`);
    assert.ok(backoffs >= cycleStarts.length - timeouts - 1, `silent address refused ${backoffs} times`);
    assert.equal(bus.counters.timeouts, timeouts);
  });

  it('drops garbage between transactions and inside an answer; the next transaction succeeds', async () => {
    const ask = (address: number) =>
      bus.transact({ address, request: echoFrame(address, Buffer.from([address, 9])), framer: echoFramer });
    assert.deepEqual([...(await ask(1))], [...echoFrame(1, Buffer.from([1, 9]))]);
    await device.write(Buffer.from([0x01, 0x02, 0x55, 0xaa, 0x00, 0x13]));
    await sleep(50);
    const droppedBetween = bus.counters.droppedBytes;
    assert.equal(droppedBetween, 6, 'stray bytes between transactions are dropped');
    assert.deepEqual([...(await ask(3))], [...echoFrame(3, Buffer.from([3, 9]))]);
    device.simulator.packs.get(1)!.faults.garbage = true;
    assert.deepEqual([...(await ask(1))], [...echoFrame(1, Buffer.from([1, 9]))]);
    assert.ok(bus.counters.droppedBytes > droppedBetween, 'garbage before the answer is skipped by the framer');
    assert.equal(bus.counters.timeouts, 0);
  });
});
