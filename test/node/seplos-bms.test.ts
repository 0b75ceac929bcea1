/**
 * seplos-bms in the real Node-RED runtime with the bus's in-process simulator: V2 and V3 polling,
 * a rejected frame that does not disturb the other packs, a silenced pack's communication alarm on
 * output 2, V3 listen-only without transmitting, input validation.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import seplosNode = require('../../src/nodes/seplos/seplos-bms');
import { validatePackState, type PackState } from '../../src/core/pack-state';
import type { DeviceSimulator } from '../../src/transport/simulator-api';
import type { SeplosWireFaults } from '../../src/nodes/seplos/simulator';
import { lastStatus, sleep, until } from '../helpers/runtime';
import { getNode, type TestNode } from '../helpers/node-red';

helper.init(require.resolve('node-red'));

function flow(sim: { protocol: string; addresses: string; profile?: string }, node: Record<string, unknown>) {
  return [
    { id: 'tab', type: 'tab' },
    {
      id: 'bus',
      type: 'bms-serial-bus',
      portType: 'simulator',
      simProtocol: sim.protocol,
      simAddresses: sim.addresses,
      simCells: 16,
      simProfile: sim.profile ?? '',
      baudRate: 19200,
      timeoutMs: 300,
    },
    {
      id: 's',
      z: 'tab',
      type: 'seplos-bms',
      bus: 'bus',
      interval: 0.5,
      readInfo: true,
      wires: [['out'], ['events']],
      ...node,
    },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'events', z: 'tab', type: 'helper' },
    { id: 'c', z: 'tab', type: 'catch', scope: ['s'], wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

type EventMsg = {
  topic: string;
  payload: {
    kind: string;
    id: string;
    address: number;
    level: string;
    alarms: object;
    error?: string;
    lastSeen?: number;
  };
};

function collect<M = { topic: string; payload: PackState }>(id: string): M[] {
  const out: M[] = [];
  getNode<TestNode<M>>(id).on('input', (m) => out.push(m));
  return out;
}

/** Output 2's communication events only (the settings messages of each pack go there too). */
function communicationEvents(): EventMsg[] {
  const out: EventMsg[] = [];
  getNode<TestNode<EventMsg>>('events').on('input', (m) => {
    if (m.payload.kind === 'communication') out.push(m);
  });
  return out;
}

const simulator = (): DeviceSimulator => getNode<{ simulator: DeviceSimulator }>('bus').simulator;

describe('seplos-bms node (in-process simulator)', function () {
  this.timeout(15000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('V2 poll: one valid PackState per pack per cycle, identity attached, status summary', async () => {
    await helper.load(
      [busNode, seplosNode],
      flow({ protocol: 'seplos-v2', addresses: '1-3' }, { generation: 'v2', addresses: '1-3', name: 'bank' }),
    );
    const out = collect('out');
    await until(() => new Set(out.map((m) => m.topic)).size === 3, 5000, 'three packs');
    for (const m of out) {
      const checked = validatePackState(m.payload);
      assert.ok(checked.ok, checked.ok ? '' : checked.reason);
      assert.equal(m.topic, `bank-${m.payload.address}`);
      assert.equal(m.payload.protocol, 'seplos-v2');
      assert.equal((m.payload.extra?.device as { deviceName: string }).deviceName, '1101-SIM');
      const model = simulator().packs.get(m.payload.address!)!.model;
      assert.deepEqual(m.payload.cells, model.cells);
    }
    await until(() => /^3\/3 · /.test(String(lastStatus(helper.getNode('s')).text)), 3000, 'status 3/3');
    assert.equal(lastStatus(helper.getNode('s')).fill, 'green');
  });

  it('V2: a pack answering with a wrong LCHKSUM is rejected and counted; the others keep coming', async () => {
    await helper.load(
      [busNode, seplosNode],
      flow({ protocol: 'seplos-v2', addresses: '1-3' }, { generation: 'v2', addresses: '1-3', readInfo: false }),
    );
    const out = collect('out');
    await until(() => out.length >= 3, 5000, 'first cycle');
    (simulator().packs.get(2)!.faults as SeplosWireFaults).badLengthChecksum = true;
    await sleep(600);
    const mark = out.length;
    await sleep(1600);
    const after = out.slice(mark).map((m) => m.payload.address);
    assert.equal(after.filter((a) => a === 2).length, 0, 'no data from the pack with the broken frame');
    assert.ok(
      after.filter((a) => a === 1).length >= 2 && after.filter((a) => a === 3).length >= 2,
      `others: ${after.join(',')}`,
    );
    await until(
      () => /2\/3 · .* · \d+ bad$/.test(String(lastStatus(helper.getNode('s')).text)),
      3000,
      'status counts bad frames',
    );
    assert.equal(lastStatus(helper.getNode('s')).fill, 'yellow');
  });

  it('V2: a silenced pack raises its communication alarm on output 2 while the others keep their cadence; "ok" when it answers again', async () => {
    await helper.load(
      [busNode, seplosNode],
      flow(
        { protocol: 'seplos-v2', addresses: '1-3' },
        { generation: 'v2', addresses: '1-3', readInfo: false, name: 'bank' },
      ),
    );
    const out = collect('out');
    const events = communicationEvents();
    await until(() => out.length >= 3, 5000, 'first cycle');
    assert.equal(events.length, 0, 'no event while every pack answers');
    simulator().packs.get(2)!.faults.silent = true;
    const silencedAt = Date.now();
    const mark = out.length;
    await until(() => events.some((e) => e.payload.level === 'alarm'), 8000, 'pack 2 communication alarm');
    const alarmAt = Date.now();
    assert.deepEqual(
      events.map((e) => [e.topic, e.payload.address, e.payload.level]),
      [
        ['bank-2', 2, 'warn'],
        ['bank-2', 2, 'alarm'],
      ],
    );
    const alarm = events[1].payload;
    assert.equal(alarm.kind, 'communication');
    assert.equal(alarm.id, 'bank-2');
    assert.deepEqual(alarm.alarms, { communication: 'alarm' });
    assert.match(String(alarm.error), /silent|timeout/);
    assert.ok(
      typeof alarm.lastSeen === 'number' && alarm.lastSeen <= silencedAt,
      'lastSeen is the last PackState before the silence',
    );
    const after = out.slice(mark).map((m) => m.payload.address);
    assert.ok(!after.slice(1).includes(2), 'no PackState from the silent pack (at most the one in flight)');
    // 0.5 s interval, 300 ms answer timeout: the others must not wait behind the silent pack.
    const seconds = (alarmAt - silencedAt) / 1000;
    for (const a of [1, 3]) {
      const n = after.filter((x) => x === a).length;
      assert.ok(n >= Math.floor(seconds / 0.5) - 2 && n >= 2, `pack ${a}: ${n} PackStates in ${seconds.toFixed(1)} s`);
    }
    await until(() => /^2\/3 · /.test(String(lastStatus(helper.getNode('s')).text)), 3000, 'status 2/3');

    simulator().packs.get(2)!.faults.silent = false;
    await until(() => events.length === 3, 8000, 'pack 2 restored');
    assert.deepEqual(events[2].payload.level, 'ok');
    assert.deepEqual(events[2].payload.alarms, {});
  });

  it('V3 listen: a pack heard once and then silent raises its communication alarm on output 2', async () => {
    await helper.load(
      [busNode, seplosNode],
      flow(
        { protocol: 'seplos-v3', addresses: '1-3', profile: 'bank-master' },
        { generation: 'v3', mode: 'listen', addresses: '1-3', staleAfter: 1 },
      ),
    );
    const out = collect('out');
    const events = communicationEvents();
    await until(() => new Set(out.map((m) => m.payload.address)).size === 3, 5000, 'three packs heard');
    simulator().packs.get(3)!.faults.silent = true;
    await until(() => events.length > 0, 5000, 'communication alarm');
    assert.deepEqual(
      events.map((e) => [e.payload.address, e.payload.level]),
      [[3, 'alarm']],
    );
    assert.match(String(events[0].payload.error), /not heard for 1 s/);
  });

  it('V3 poll: PIA/PIB/PIC to PackState with the BMS limits', async () => {
    await helper.load(
      [busNode, seplosNode],
      flow({ protocol: 'seplos-v3', addresses: '1-2' }, { generation: 'v3', addresses: '1-2' }),
    );
    const out = collect('out');
    await until(() => new Set(out.map((m) => m.topic)).size === 2, 5000, 'two packs');
    const p = out[0].payload;
    assert.ok(validatePackState(p).ok);
    assert.equal(p.protocol, 'seplos-v3');
    assert.deepEqual(p.limits, { ccl: 100, dcl: 100 });
    assert.equal((p.extra?.device as { deviceName: string }).deviceName, 'SIM16S200A-V3');
  });

  it("V3 listen: decodes the bank master's traffic and never transmits", async () => {
    await helper.load(
      [busNode, seplosNode],
      flow(
        { protocol: 'seplos-v3', addresses: '1-3', profile: 'bank-master' },
        { generation: 'v3', mode: 'listen', addresses: '1-3' },
      ),
    );
    let received = 0;
    const sim = simulator();
    const orig = sim.receive.bind(sim);
    sim.receive = (d) => {
      received += d.length;
      orig(d);
    };
    const out = collect('out');
    await until(() => new Set(out.map((m) => m.payload.address)).size === 3, 5000, 'three packs heard');
    assert.equal(received, 0);
  });

  it('rejects unknown input and info requests in listen mode with a clear error', async () => {
    await helper.load(
      [busNode, seplosNode],
      flow({ protocol: 'seplos-v3', addresses: '1' }, { generation: 'v3', mode: 'listen', addresses: '1' }),
    );
    const caught = collect<{ error: { message: string } }>('caught');
    const s = getNode('s');
    s.receive({ payload: 'reboot' });
    s.receive({ payload: 'info' });
    await until(() => caught.length === 2, 2000, 'two errors');
    assert.match(caught[0].error.message, /accepts msg.payload "info"/);
    assert.match(caught[1].error.message, /listen mode never transmits/);
  });

  it('shows a red status without a bus or with a bad address list', async () => {
    await helper.load(
      [busNode, seplosNode],
      [
        { id: 'tab', type: 'tab' },
        { id: 'a', z: 'tab', type: 'seplos-bms', bus: 'missing', addresses: '1' },
      ],
    );
    assert.deepEqual(lastStatus(helper.getNode('a')), { fill: 'red', shape: 'ring', text: 'seplosBms.status.noBus' });
    await helper.unload();
    await helper.load(
      [busNode, seplosNode],
      flow({ protocol: 'seplos-v2', addresses: '1' }, { generation: 'v2', addresses: '1,16' }),
    );
    assert.equal(lastStatus(helper.getNode('s')).text, 'seplosBms.status.badAddress');
  });
});
