/**
 * The pylontech-485 node in the real Node-RED runtime with its in-process simulated inverter: a
 * Voltronic poller reads the bank the node was given; a bank that is not a BankState is refused; a
 * second node on the same serial device is refused by the port registry; close releases everything.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import pylonNode = require('../../src/nodes/pylontech-485/pylontech-485');
import { claimDevice, releaseDevice } from '../../src/transport/port-registry';
import type { InverterReading } from '../../src/nodes/pylontech-485/inverter-simulator';
import { sampleBank } from '../helpers/bank-state';
import { getNode } from '../helpers/node-red';
import { lastStatus, sleep, until } from '../helpers/runtime';

helper.init(require.resolve('node-red'));

function flow(extra: Record<string, unknown>) {
  return [
    { id: 'tab', type: 'tab' },
    {
      id: 'n1',
      z: 'tab',
      type: 'pylontech-485',
      addresses: '2',
      cellCount: 16,
      staleSec: 10,
      wires: [['out']],
      ...extra,
    },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'c1', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

function collect<T>(id: string): T[] {
  const got: T[] = [];
  getNode(id).on('input', (m) => got.push(m as T));
  return got;
}

describe('pylontech-485 node', function () {
  this.timeout(20_000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('simulated Voltronic inverter reads limits, SOC, voltage and current of the bank', async () => {
    await helper.load(pylonNode, flow({ portType: 'simulator', simProfile: 'voltronic', baudRate: 9600 }));
    const readings = collect<{ payload: InverterReading }>('out');
    const node = getNode('n1');
    node.receive({ payload: sampleBank(Date.now(), { soc: 64, current: -20 }) });
    await until(() => readings.some((m) => m.payload.cvl !== undefined), 5000, 'a complete reading');
    const r = readings.find((m) => m.payload.cvl !== undefined)!.payload;
    assert.deepEqual([r.cvl, r.ccl, r.dcl, r.chargeEnable, r.dischargeEnable], [55.2, 100, -150, true, true]);
    assert.ok(Math.abs((r.soc ?? 0) - 64) < 0.01);
    assert.deepEqual([r.voltage, r.current, r.packCount], [53.2, -20, 1]);
    assert.deepEqual(r.problems, []);
    await until(() => lastStatus(node).fill === 'green', 3000, 'green status');
    assert.match(String(lastStatus(node).text), /^55\.2V 100\/150A 64% · \d+ polls$/);
  });

  it('refuses a payload that is not a BankState and answers nothing before a bank arrives', async () => {
    await helper.load(pylonNode, flow({ portType: 'simulator', simProfile: 'srne' }));
    const caught = collect<{ error: { message: string } }>('caught');
    const readings = collect<{ payload: InverterReading }>('out');
    getNode('n1').receive({ payload: { kind: 'pack', voltage: 53 } });
    await until(() => caught.length === 1, 2000, 'the caught error');
    assert.match(caught[0].error.message, /msg\.payload must be a BankState/);
    await until(() => readings.length > 0, 5000, 'a reading');
    assert.ok(readings[0].payload.problems.every((p) => /no answer within 500 ms/.test(p)));
    assert.equal(lastStatus(getNode('n1')).text, 'pylontech485.status.waiting');
  });

  it('a second node on the same serial device is refused', async () => {
    const device = `/tmp/cellsafe-pylon-test-${process.pid}`;
    await helper.load(pylonNode, [
      ...flow({ portType: 'serial', path: device }),
      { id: 'n2', z: 'tab', type: 'pylontech-485', portType: 'serial', path: device, addresses: '2', wires: [] },
    ]);
    const second = getNode('n2');
    await until(() => /already used/.test(String(lastStatus(second).text)), 2000, 'the refusal');
    await sleep(1500); // the status refresh keeps the reason
    assert.match(String(lastStatus(second).text), /already used by another/);
    assert.equal(lastStatus(second).fill, 'red');
  });

  it('closing the node releases its device for the next deploy', async () => {
    const device = `/tmp/cellsafe-pylon-release-${process.pid}`;
    await helper.load(pylonNode, flow({ portType: 'serial', path: device }));
    const taken = claimDevice(device, 'someone-else');
    assert.ok(!taken.ok, 'owned while deployed');
    await helper.unload();
    const free = claimDevice(device, 'someone-else');
    assert.ok(free.ok, 'released on close');
    releaseDevice(free.key, 'someone-else');
  });

  it('a bad address list is a configuration error shown on the node', async () => {
    await helper.load(pylonNode, flow({ portType: 'simulator', addresses: '300' }));
    assert.match(String(lastStatus(getNode('n1')).text), /addresses: address 300 is outside 1..254/);
  });
});
