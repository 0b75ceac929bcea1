/**
 * Priority polling in the real Node-RED runtime: bms-serial-bus (in-process JK PB simulator, 5 packs,
 * wire time at 115200 baud) → jk-bms polling every 1 s. One simulated pack gets a cell close to the
 * high cut; requests are counted per address on the simulator side (what the wire carries). Counts
 * are compared with each other and with the number of poll intervals the window spans, never timed.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import jkNode = require('../../src/nodes/jk-bms/jk-bms');
import type { PackState } from '../../src/core/pack-state';
import { liveReadRequest } from '../../src/nodes/jk-bms/protocol-jk-pb';
import type { DeviceSimulator } from '../../src/transport/simulator-api';
import { bankFlow } from '../e2e/jk-bms-scenario';
import { getNode, type TestNode } from '../helpers/node-red';
import { until } from '../helpers/runtime';

helper.init(require.resolve('node-red'));

const INTERVAL_S = 1;
/** The bank stops charging at 3.55 V by default and the default margin is 100 mV: 3.5 V is close, 3.3 V is not. */
const CLOSE_CELL_V = 3.5;

const simulator = (): DeviceSimulator | undefined => getNode<{ simulator?: DeviceSimulator }>('bus').simulator;

function flow(priorityPolling: boolean) {
  return bankFlow(
    {
      portType: 'simulator',
      simProtocol: 'jk-pb',
      simAddresses: '1-5',
      simCells: 16,
      simProfile: '',
      simWireTime: true,
      priorityPolling,
    },
    { interval: INTERVAL_S },
  );
}

/** Live-data reads per address as the simulated devices receive them (settings reads are not polls). */
function countPolls(sim: DeviceSimulator): Map<number, number> {
  const counts = new Map<number, number>();
  const receive = sim.receive.bind(sim);
  sim.receive = (data: Buffer) => {
    const address = data[0];
    if (data.equals(liveReadRequest(address))) counts.set(address, (counts.get(address) ?? 0) + 1);
    receive(data);
  };
  return counts;
}

/** Raises one cell of each given pack to CLOSE_CELL_V (from the last PackState seen for it). */
function bringClose(sim: DeviceSimulator, packs: PackState[], addresses: number[]): void {
  for (const address of addresses) {
    const last = packs.filter((p) => p.address === address).at(-1)!;
    sim.packs.get(address)!.model.cellOffsets.set(5, CLOSE_CELL_V - last.cells[5]);
  }
}

/** Starts the flow, waits for a first full cycle, moves `close` near the high cut, then counts over `intervals` poll intervals. */
async function run(priorityPolling: boolean, close: number[], intervals: number) {
  await helper.load([busNode, jkNode], flow(priorityPolling));
  const packs: PackState[] = [];
  getNode<TestNode<{ payload: PackState }>>('out').on('input', (m) => packs.push(m.payload));
  await until(() => new Set(packs.map((p) => p.address)).size === 5, 10_000, 'one PackState from each pack');
  const sim = simulator()!;
  bringClose(sim, packs, close);
  // One more full cycle so every close pack has been read close before counting starts.
  const seen = packs.length;
  await until(() => new Set(packs.slice(seen).map((p) => p.address)).size === 5, 10_000, 'a full cycle');
  const counts = countPolls(sim);
  const started = Date.now();
  await until(() => Date.now() - started >= intervals * INTERVAL_S * 1000, intervals * 5000, 'the counting window');
  const windowIntervals = (Date.now() - started) / (INTERVAL_S * 1000);
  const received = packs.slice(seen).filter((p) => close.includes(p.address!));
  return { counts: [1, 2, 3, 4, 5].map((a) => counts.get(a) ?? 0), windowIntervals, received };
}

describe('priority polling (jk-bms on the in-process simulator)', function () {
  this.timeout(60_000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('a pack close to the high cut is polled every bus cycle while the others keep the poll interval', async () => {
    const { counts, windowIntervals, received } = await run(true, [3], 6);
    const [p1, p2, close, p4, p5] = counts;
    const whole = Math.floor(windowIntervals);
    for (const far of [p1, p2, p4, p5]) {
      assert.ok(
        far >= whole - 1 && far <= whole + 1,
        `far packs keep one poll per interval: ${counts} in ${whole} intervals`,
      );
    }
    // Short cycles of one transaction start at least 50 ms apart: many polls per interval, not one.
    assert.ok(close >= 4 * Math.max(p1, p2, p4, p5), `the close pack is polled every cycle: ${counts}`);
    assert.ok(
      received.every((p) => Math.max(...p.cells) >= CLOSE_CELL_V - 0.01),
      'it was read close every time',
    );
  });

  it('with priority polling off on the bus, the close pack is polled once per interval like the others', async () => {
    const { counts, windowIntervals } = await run(false, [3], 4);
    const whole = Math.floor(windowIntervals);
    for (const n of counts) assert.ok(n >= whole - 1 && n <= whole + 1, `${counts} in ${whole} intervals`);
  });

  it('with four packs close to limits, none starves: the far pack and every close pack are polled every interval', async () => {
    const { counts, windowIntervals } = await run(true, [1, 2, 4, 5], 6);
    const whole = Math.floor(windowIntervals);
    const far = counts[2];
    assert.ok(far >= whole - 1 && far <= whole + 1, `far pack 3 keeps its interval: ${counts} in ${whole} intervals`);
    for (const address of [1, 2, 4, 5]) {
      assert.ok(counts[address - 1] >= 2 * far, `close pack ${address} polled more often than the far one: ${counts}`);
    }
  });
});
