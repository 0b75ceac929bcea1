/**
 * The smartbms node in the real Node-RED runtime: on a bms-serial-bus with the built-in simulator,
 * and fed raw bytes in msg.payload without a bus.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import smartbmsNode = require('../../src/nodes/smartbms/smartbms');
import { SimClock } from '../../src/core/clock';
import { validatePackState, type PackState } from '../../src/core/pack-state';
import { createSmartBmsSimulator, type SmartBmsSimulator } from '../../src/nodes/smartbms/simulator';
import { lastStatus, statuses, until } from '../helpers/runtime';
import { getNode, type TestNode } from '../helpers/node-red';

helper.init(require.resolve('node-red'));

interface Msg {
  topic: string;
  payload: PackState;
}
function collect<M = Msg>(id: string): M[] {
  const out: M[] = [];
  getNode<TestNode<M>>(id).on('input', (m) => out.push(m));
  return out;
}

/** Frames of a simulated pack on simulated time (for feeding msg.payload). */
function simulatedFrames(cells: number, count: number): { frames: Buffer[]; sim: SmartBmsSimulator } {
  const clock = new SimClock();
  const frames: Buffer[] = [];
  const sim = createSmartBmsSimulator({ cells, profile: 'gen3' }, { clock, send: (d) => frames.push(d) });
  clock.advance(count * 1000);
  sim.close();
  return { frames, sim };
}

describe('smartbms node', () => {
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('emits PackStates from the built-in simulator bus once every cell was seen', async function () {
    this.timeout(15000);
    await helper.load(
      [busNode, smartbmsNode],
      [
        { id: 'tab', type: 'tab' },
        {
          id: 'bus',
          type: 'bms-serial-bus',
          portType: 'simulator',
          simProtocol: 'smartbms',
          simAddresses: '1',
          simCells: 4,
          simProfile: 'gen2',
          baudRate: 9600,
        },
        { id: 'n1', z: 'tab', type: 'smartbms', name: 'house', packId: 'pack-A', bus: 'bus', wires: [['out']] },
        { id: 'out', z: 'tab', type: 'helper' },
      ],
    );
    const msgs = collect('out');
    const n1 = helper.getNode('n1');
    await until(() => msgs.length >= 2, 6000, 'two PackStates');
    const p = msgs[0].payload;
    assert.equal(msgs[0].topic, 'pack-A');
    assert.ok(validatePackState(p).ok);
    assert.equal(p.protocol, 'smartbms');
    assert.equal(p.cells.length, 4);
    const model = getNode<{ simulator: SmartBmsSimulator }>('bus').simulator.pack.model;
    model.cells.forEach((v, i) => assert.ok(Math.abs(p.cells[i] - v) <= 0.0025, `cell ${i + 1}`));
    const texts = statuses(n1).map((s) => s.text);
    assert.ok(
      texts.some((t) => /^\d+% · [0-3]\/4 cells$/.test(String(t))),
      `progress shown: ${texts.join(' | ')}`,
    );
    assert.match(String(lastStatus(n1).text), /^\d+% · 4\/4 cells$/);
    assert.equal(lastStatus(n1).fill, 'green');
    const counts = getNode<{ bus: { listenerCounts(): Record<string, number> } }>('bus').bus.listenerCounts();
    assert.equal(counts.busData, 1);
    assert.equal(counts.users, 1);
  });

  it('decodes raw bytes from msg.payload without a bus, in any chunking', async () => {
    await helper.load(smartbmsNode, [
      { id: 'tab', type: 'tab' },
      { id: 'n1', z: 'tab', type: 'smartbms', name: 'raw', wires: [['out']] },
      { id: 'out', z: 'tab', type: 'helper' },
    ]);
    const msgs = collect('out');
    const { frames, sim } = simulatedFrames(4, 6);
    const stream = Buffer.concat(frames);
    const n1 = getNode('n1');
    for (let i = 0; i < stream.length; i += 25) n1.receive({ payload: stream.subarray(i, i + 25) });
    await until(() => msgs.length >= 3, 2000, 'PackStates');
    assert.equal(msgs.length, 3, 'frames 4, 5, 6 (frame 4 completes the 4 cells)');
    assert.equal(msgs[0].topic, 'raw');
    sim.pack.model.cells.forEach((v, i) => assert.ok(Math.abs(msgs[2].payload.cells[i] - v) <= 0.0025));
    assert.equal(msgs[2].payload.extra!.frames, 6);
  });

  it('refuses a payload that is not raw bytes with a clear error', async () => {
    await helper.load(smartbmsNode, [
      { id: 'tab', type: 'tab' },
      { id: 'n1', z: 'tab', type: 'smartbms', wires: [[]] },
      { id: 'c', z: 'tab', type: 'catch', wires: [['out']] },
      { id: 'out', z: 'tab', type: 'helper' },
    ]);
    const caught = collect<{ error: { message: string } }>('out');
    const n1 = getNode('n1');
    n1.receive({ payload: 'hello' });
    n1.receive({ payload: [1, 2, 300] });
    await until(() => caught.length >= 2, 2000, 'two errors');
    for (const c of caught) assert.match(c.error.message, /msg\.payload must be the raw bytes/);
  });

  it('turns red, forgets everything and raises a communication alarm on output 2 when no valid frame arrives within the timeout', async () => {
    await helper.load(smartbmsNode, [
      { id: 'tab', type: 'tab' },
      { id: 'n1', z: 'tab', type: 'smartbms', dataTimeout: 0.3, wires: [['out'], ['events']] },
      { id: 'out', z: 'tab', type: 'helper' },
      { id: 'events', z: 'tab', type: 'helper' },
    ]);
    const msgs = collect('out');
    const events = collect<{ topic: string; payload: Record<string, unknown> }>('events');
    const n1 = getNode('n1');
    const { frames } = simulatedFrames(4, 10);
    n1.receive({ payload: Buffer.concat(frames.slice(0, 4)) });
    await until(() => msgs.length === 1, 1000, 'first PackState');
    assert.equal(events.length, 0, 'no event while data flows');
    await until(() => lastStatus(n1).text === 'smartbms.status.noData', 2000, 'no-data status');
    assert.equal(lastStatus(n1).fill, 'red');
    assert.equal(events.length, 1);
    assert.equal(events[0].topic, msgs[0].topic);
    assert.equal(events[0].payload.kind, 'communication');
    assert.equal(events[0].payload.level, 'alarm');
    assert.deepEqual(events[0].payload.alarms, { communication: 'alarm' });
    assert.equal(events[0].payload.lastSeen, msgs[0].payload.time);
    // Stale cells are gone: one more frame is not enough for a PackState.
    n1.receive({ payload: Buffer.concat(frames.slice(4, 6)) });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(msgs.length, 1);
    assert.equal(events.length, 1, 'still lost: no complete pack state yet');
    // The stream resumes: communication is back with the next complete PackState.
    n1.receive({ payload: Buffer.concat(frames.slice(6, 10)) });
    await until(() => events.length === 2, 1000, 'communication restored');
    assert.ok(msgs.length >= 2);
    assert.equal(events[1].payload.level, 'ok');
    assert.deepEqual(events[1].payload.alarms, {});
  });

  it('shows a red ring when its bus does not exist', async () => {
    await helper.load(smartbmsNode, [
      { id: 'tab', type: 'tab' },
      { id: 'n1', z: 'tab', type: 'smartbms', bus: 'missing', wires: [[]] },
    ]);
    const s = lastStatus(helper.getNode('n1'));
    assert.equal(s.text, 'smartbms.status.noBus');
    assert.equal(s.shape, 'ring');
  });
});
