/**
 * The inverter nodes and the can-bus config node in the real Node-RED runtime: frames as
 * messages, input validation, socketcan absent, the simulated inverter (decoded values, Pylon ACK,
 * Growatt poll answers) and the fail-safe states on wall-clock time (short settings).
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import { sampleBank } from '../helpers/bank-state';
import canBusNode = require('../../src/nodes/can-bus/can-bus');
import inverterNode = require('../../src/nodes/inverter-can/inverter-can');
import { loadSocketCan } from '../../src/transport/can-socketcan';
import type { SimulatedInverterChannel } from '../../src/transport/can-simulated-inverter';
import { openCanChannels } from '../../src/transport/can-registry';
import { lastStatus, until } from '../helpers/runtime';
import { getNode } from '../helpers/node-red';

helper.init(require.resolve('node-red'));

interface FrameMsg {
  topic: string;
  payload: { id: number; ext: boolean; rtr: boolean; data: Buffer };
}
const TYPES = ['victron-can', 'pylontech-can', 'sma-can', 'growatt-can', 'byd-can'];

const bank = (over: Parameters<typeof sampleBank>[1] = {}) => sampleBank(Date.now(), over);

function flow(type: string, extra: Record<string, unknown> = {}, busConfig?: Record<string, unknown>) {
  return [
    { id: 'tab', type: 'tab' },
    ...(busConfig ? [{ id: 'bus', type: 'can-bus', ...busConfig }] : []),
    {
      id: 'n1',
      z: 'tab',
      type,
      staleSec: 10,
      silenceSec: 60,
      linkTimeoutSec: 3,
      bus: busConfig ? 'bus' : '',
      wires: [['out']],
      ...extra,
    },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'c1', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

/** The warnings one node logged (node.warn), in order. */
function warnings(id: string): string[] {
  const node = getNode<{ warn: { getCalls(): { thisValue: unknown; args: unknown[] }[] } }>(id);
  return node.warn
    .getCalls()
    .filter((c) => c.thisValue === node)
    .map((c) => String(c.args[0]));
}

function collect(id: string): FrameMsg[] {
  const got: FrameMsg[] = [];
  getNode(id).on('input', (m) => got.push(m as FrameMsg));
  return got;
}

describe('inverter CAN nodes (runtime)', function () {
  this.timeout(15000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  for (const type of TYPES) {
    it(`${type}: a BankState in → one message per frame out, {id, ext, rtr, data}, green status`, async () => {
      await helper.load([canBusNode, inverterNode], flow(type));
      const got = collect('out');
      const n1 = getNode('n1');
      assert.deepEqual(lastStatus(n1), { fill: 'yellow', shape: 'ring', text: 'inverterCan.status.waiting' });
      n1.receive({ payload: bank() });
      await until(() => got.length > 0, 2000, 'frames');
      const first = got[0].payload;
      assert.equal(typeof first.id, 'number');
      assert.deepEqual([first.ext, first.rtr], [false, false]);
      assert.ok(Buffer.isBuffer(first.data) && first.data.length <= 8);
      assert.equal(got[0].topic, type);
      const ids = new Set(got.map((m) => m.payload.id));
      assert.ok(ids.size === got.length, 'one message per frame of the cycle');
      const s = lastStatus(n1);
      assert.equal(s.fill, 'green');
      assert.match(String(s.text), /55\.2V 100\/150A 80%/);
    });
  }

  it('a hand-built minimal object is accepted; bad input is a clear error for catch nodes', async () => {
    await helper.load([canBusNode, inverterNode], flow('pylontech-can'));
    const got = collect('out');
    const errors: string[] = [];
    getNode('caught').on('input', (m) => errors.push((m as { error: { message: string } }).error.message));
    const n1 = getNode('n1');
    n1.receive({ payload: { cvl: 55, ccl: 50, dcl: 80, soc: 70, voltage: 52.8, current: -3, temperature: 21 } });
    await until(() => got.length > 0, 2000, 'frames from a minimal object');
    n1.receive({ payload: { cvl: 55, ccl: 50, dcl: 80, soc: 70, voltage: 52.8, current: -3 } });
    n1.receive({ payload: 'hello' });
    n1.receive({ payload: { kind: 'pack', id: 'P1' } });
    n1.receive({ payload: bank({ ccl: 'lots' }) });
    n1.receive({ payload: bank({ time: Date.now() - 60_000 }) });
    n1.receive({ payload: { cvl: 55, ccl: 50, dcl: 80, soc: 0, voltage: 0, current: 0, temperature: 21 } });
    await until(() => errors.length === 6, 2000, 'six errors');
    assert.match(errors[0], /temperature/);
    assert.match(errors[1], /msg\.payload/);
    assert.match(errors[2], /PackState.*bms-rules/);
    assert.match(errors[3], /ccl/);
    assert.match(errors[4], /60 s old/);
    assert.match(errors[5], /no measured voltage/);
  });

  it('with socketcan absent: the node loads, says so in its status, and still outputs frames', async function () {
    if (loadSocketCan()) this.skip(); // only meaningful where the optional package is missing
    await helper.load([canBusNode, inverterNode], flow('victron-can', {}, { iface: 'socketcan', device: 'can0' }));
    const got = collect('out');
    const n1 = getNode('n1');
    await until(() => lastStatus(n1).text === 'inverterCan.status.socketcan-missing', 2000, 'socketcan status');
    assert.deepEqual([lastStatus(n1).fill, lastStatus(n1).shape], ['red', 'ring']);
    n1.receive({ payload: bank() });
    await until(() => got.length >= 4, 2000, 'frames as messages');
    assert.ok(got.some((m) => m.payload.id === 0x351));
    assert.equal(
      lastStatus(n1).text,
      'inverterCan.status.socketcan-missing',
      'status keeps saying why the bus is not used',
    );
  });

  it('simulated inverter (pylontech): decodes our frames, ACKs with 0x305, ACK shows in status', async () => {
    await helper.load(
      [canBusNode, inverterNode],
      flow('pylontech-can', { profile: 'deye' }, { iface: 'simulated', simProtocol: 'pylontech', simProfile: 'deye' }),
    );
    const n1 = getNode('n1');
    const inverter = getNode<{ inverter: SimulatedInverterChannel }>('bus').inverter;
    n1.receive({ payload: bank() });
    assert.equal(lastStatus(n1).text, 'inverterCan.status.link-waiting');
    await until(() => lastStatus(n1).fill === 'green', 3000, 'ACK from the simulated inverter');
    assert.equal(inverter.view?.ccl, 100);
    assert.equal(inverter.view?.dcl, 150);
    assert.equal(inverter.view?.cvl, 55.2);
    assert.equal(inverter.view?.soc, 80);
    inverter.silent = true;
    await until(() => lastStatus(n1).text === 'inverterCan.status.link-lost', 6000, 'link lost after the ACK stops');
  });

  it('simulated inverter (growatt): answers the 0x301 poll; the inverter shows our limits', async () => {
    await helper.load(
      [canBusNode, inverterNode],
      flow('growatt-can', {}, { iface: 'simulated', simProtocol: 'growatt' }),
    );
    const n1 = getNode('n1');
    const inverter = getNode<{ inverter: SimulatedInverterChannel }>('bus').inverter;
    n1.receive({ payload: bank({ ccl: 42 }) });
    await until(() => lastStatus(n1).fill === 'green', 3000, 'poll seen');
    assert.equal(inverter.view?.ccl, 42);
    assert.ok((inverter.received.get('0x311') ?? 0) >= 1);
  });

  it('stale → zero limits with the communication alarm; then silent; a fresh bank resumes', async () => {
    await helper.load(
      [canBusNode, inverterNode],
      flow('pylontech-can', { staleSec: 1, silenceSec: 2.5 }, { iface: 'simulated', simProtocol: 'pylontech' }),
    );
    const n1 = getNode('n1');
    const inverter = getNode<{ inverter: SimulatedInverterChannel }>('bus').inverter;
    const got = collect('out');
    const t0 = Date.now();
    n1.receive({ payload: bank() });
    await until(() => lastStatus(n1).text === 'inverterCan.status.stale', 2000, 'stale');
    assert.ok(Date.now() - t0 < 1500, 'stale within staleSec (+ scheduling)');
    assert.equal(inverter.view?.ccl, 0);
    assert.equal(inverter.view?.dcl, 0);
    assert.deepEqual(
      inverter.view?.warnings,
      ['internalCommFail'],
      'Pylon shows the communication alarm as internal comm fail',
    );
    assert.equal(inverter.view?.chargeEnabled, false);
    assert.equal(inverter.view?.dischargeEnabled, false);
    assert.equal(inverter.view?.cvl, 55.2, 'CVL kept');
    await until(() => lastStatus(n1).text === 'inverterCan.status.silent', 3000, 'silent');
    const n = got.length;
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(got.length, n, 'nothing sent while silent');
    n1.receive({ payload: bank() });
    await until(() => got.length > n, 1000, 'resumed');
    assert.equal(inverter.view?.ccl, 100);
  });

  it('before the first valid bank nothing goes out: INIT banks give no frame and a yellow "waiting for bank"', async () => {
    await helper.load(
      [canBusNode, inverterNode],
      [
        { id: 'tab', type: 'tab' },
        ...TYPES.map((type) => ({ id: `n-${type}`, z: 'tab', type, wires: [['out']] })),
        { id: 'out', z: 'tab', type: 'helper' },
      ],
    );
    const got = collect('out');
    // What bms-rules sends while it waits for its packs: INIT, no pack data yet.
    const init = () => bank({ chargeState: 'init', soc: 0, voltage: 0, current: 0, ccl: 0, dcl: 0 });
    for (let i = 0; i < 6; i++) {
      for (const type of TYPES) getNode(`n-${type}`).receive({ payload: init() });
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(got.length, 0, 'no frame from a bank in INIT');
    for (const type of TYPES) {
      assert.deepEqual(
        lastStatus(helper.getNode(`n-${type}`)),
        { fill: 'yellow', shape: 'ring', text: 'inverterCan.status.waiting' },
        type,
      );
      getNode(`n-${type}`).receive({ payload: bank() });
    }
    await until(() => new Set(got.map((m) => m.topic)).size === TYPES.length, 2000, 'frames from every node');
  });

  it('stopCan silences at once: red "silenced: bank fail-safe", logged once; a valid bank resumes, logged', async () => {
    await helper.load([canBusNode, inverterNode], flow('victron-can'));
    const n1 = getNode('n1');
    const got = collect('out');
    n1.receive({ payload: bank() });
    await until(() => got.length > 0, 1000, 'frames');
    n1.receive({ payload: bank({ stopCan: true }) });
    const n = got.length;
    await new Promise((r) => setTimeout(r, 700));
    n1.receive({ payload: bank({ stopCan: true }) });
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(got.length, n, 'nothing sent while silenced');
    assert.deepEqual(lastStatus(n1), { fill: 'red', shape: 'ring', text: 'inverterCan.status.silenced' });
    assert.equal(warnings('n1').filter((w) => /^silenced: .*fail-safe/.test(w)).length, 1, 'logged once');
    n1.receive({ payload: bank() });
    await until(() => got.length > n, 1000, 'resumed');
    assert.equal(lastStatus(n1).fill, 'green');
    assert.equal(warnings('n1').filter((w) => /^resumed: /.test(w)).length, 1);
  });

  it('a configuration that cannot work is refused with a reason', async () => {
    await helper.load(
      [canBusNode, inverterNode],
      [
        ...flow('pylontech-can', { staleSec: 30, silenceSec: 10 }),
        { id: 'n2', z: 'tab', type: 'sma-can', profile: 'nonsense', wires: [] },
        { id: 'n3', z: 'tab', type: 'byd-can', bus: 'missing', wires: [] },
      ],
    );
    assert.match(String(lastStatus(helper.getNode('n1')).text), /silenceSec/);
    assert.match(String(lastStatus(helper.getNode('n2')).text), /profile/);
    assert.match(String(lastStatus(helper.getNode('n3')).text), /can-bus/);
    const errors: string[] = [];
    getNode('caught').on('input', (m) => errors.push((m as { error: { message: string } }).error.message));
    getNode('n1').receive({ payload: bank() });
    await until(() => errors.length === 1, 1000, 'error on input');
    assert.match(errors[0], /silenceSec/);
  });

  it('two inverter nodes share one can-bus; redeploys release the interface', async () => {
    const f = [
      ...flow('pylontech-can', {}, { iface: 'simulated', simProtocol: 'pylontech' }),
      { id: 'n2', z: 'tab', type: 'victron-can', bus: 'bus', wires: [] },
    ];
    for (let i = 0; i < 5; i++) {
      await helper.load([canBusNode, inverterNode], f);
      getNode('n1').receive({ payload: bank() });
      getNode('n2').receive({ payload: bank() });
      assert.equal(openCanChannels(), 1);
      await helper.unload();
      assert.equal(openCanChannels(), 0);
    }
  });

  it('two can-bus nodes on one adapter must agree on the bitrate; the second is refused with a reason', async () => {
    const port = '/tmp/cellsafe-shared-slcan-test';
    await helper.load(
      [canBusNode, inverterNode],
      [
        { id: 'tab', type: 'tab' },
        { id: 'busA', type: 'can-bus', iface: 'slcan', port, bitrate: 500000 },
        { id: 'busB', type: 'can-bus', iface: 'slcan', port, bitrate: 250000 },
        { id: 'n1', z: 'tab', type: 'pylontech-can', bus: 'busA', wires: [] },
        { id: 'n2', z: 'tab', type: 'victron-can', bus: 'busB', profile: '250k', wires: [] },
      ],
    );
    await until(
      () => lastStatus(helper.getNode('n2')).text === 'inverterCan.status.bus-error',
      2000,
      'second bus refused',
    );
    assert.equal(openCanChannels(), 1);
    const reason = getNode<{ interfaceStatus: { reason: string } }>('busB').interfaceStatus.reason;
    assert.match(reason, /already open with 500000 bit\/s/);
  });
});
