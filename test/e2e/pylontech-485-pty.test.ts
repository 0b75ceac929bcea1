/**
 * Issue acceptance 1 and 2 end to end: the real Node-RED runtime with a pylontech-485 node on one end
 * of a pty pair at 9600 Bd, a simulated inverter on the other end sending the protocol's documented
 * request frames at a brand's rate (one cycle a second).
 * 1: Voltronic polls (0x4F, 0x42, 0x92) read CVL/DCL/CCL, SOC, voltage, current and the enable bits of
 *    the BankState within one LSB.
 * 2: when the bank goes stale the next answers carry zero limits, cleared enable bits, the module
 *    error (0x44) and the system fault (0x62); an unknown command gets RTN 0x04 and is counted.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import pylonNode = require('../../src/nodes/pylontech-485/pylontech-485');
import { createPylonInverter, type SimulatedPylonInverter } from '../../src/nodes/pylontech-485/inverter-simulator';
import * as frames from '../../src/nodes/pylontech-485/protocol-pylontech-485';
import { SerialDevicePort } from '../../src/transport/serial-port';
import { sampleBank } from '../helpers/bank-state';
import { getNode } from '../helpers/node-red';
import { withPtySimulator } from '../helpers/pty-simulator';
import { lastStatus, until } from '../helpers/runtime';

helper.init(require.resolve('node-red'));

const BAUD = 9600;

function flow(path: string, staleSec: number) {
  return [
    { id: 'tab', type: 'tab' },
    {
      id: 'n1',
      z: 'tab',
      type: 'pylontech-485',
      portType: 'serial',
      path,
      baudRate: BAUD,
      addresses: '2',
      staleSec,
      wires: [],
    },
  ];
}

describe('pylontech-485 over a pty pair at 9600 Bd', function () {
  this.timeout(30_000);
  const rig = withPtySimulator();

  it('acceptance 1: a Voltronic poller reads the BankState within one LSB', async () => {
    await helper.load(pylonNode, flow(rig.pty.a, 10));
    const node = getNode('n1');
    await until(() => lastStatus(node).text === 'pylontech485.status.waiting', 3000, 'the port to open');
    node.receive({ payload: sampleBank(Date.now(), { cvl: 55.3, ccl: 87.6, dcl: 120.4, soc: 71.3, current: 33.3 }) });
    const run = await rig.startDevice({
      baudRate: BAUD,
      factory: createPylonInverter,
      options: { profile: 'voltronic', addresses: [2] },
    });
    const inverter = run.simulator as SimulatedPylonInverter;
    await until(() => inverter.last?.cvl !== undefined, 5000, 'a complete poll cycle');
    const r = inverter.last!;
    assert.deepEqual(r.problems, []);
    const within = (actual: number | undefined, expected: number, lsb: number, what: string) =>
      assert.ok(Math.abs((actual ?? NaN) - expected) <= lsb + 1e-9, `${what}: ${actual} vs ${expected}`);
    within(r.cvl, 55.3, 0.001, 'cvl');
    within(r.ccl, 87.6, 0.1, 'ccl');
    within(r.dcl, -120.4, 0.1, 'dcl');
    within(r.soc, 71.3, 0.01, 'soc');
    within(r.voltage, 53.2, 0.001, 'voltage');
    within(r.current, 33.3, 0.1, 'current');
    assert.deepEqual([r.chargeEnable, r.dischargeEnable, r.packCount], [true, true, 1]);
    assert.deepEqual(r.alarms, []);
  });

  it('acceptance 2: stale bank → zero limits and the alarm in the next answers', async () => {
    await helper.load(pylonNode, flow(rig.pty.a, 1.5));
    const node = getNode('n1');
    await until(() => lastStatus(node).text === 'pylontech485.status.waiting', 3000, 'the port to open');
    node.receive({ payload: sampleBank(Date.now()) });
    const run = await rig.startDevice({
      baudRate: BAUD,
      factory: createPylonInverter,
      options: { profile: 'full', addresses: [2] },
    });
    const inverter = run.simulator as SimulatedPylonInverter;
    const seen: (number | undefined)[] = [];
    inverter.onReading((reading) => seen.push(reading.ccl));
    await until(() => inverter.last?.ccl === 0, 6000, 'a stale answer');
    assert.equal(seen[0], 100, 'fresh bank first');
    const r = inverter.last!;
    assert.deepEqual([r.ccl, r.dcl, r.chargeEnable, r.dischargeEnable], [0, 0, false, false]);
    assert.deepEqual(r.alarms, ['moduleError', 'chargeDisabled', 'dischargeDisabled', 'systemFault']);
    assert.equal(lastStatus(node).text, 'pylontech485.status.stale');
  });

  it('acceptance 2: an unknown command gets RTN 0x04 and is counted', async () => {
    await helper.load(pylonNode, flow(rig.pty.a, 10));
    const node = getNode('n1');
    await until(() => lastStatus(node).text === 'pylontech485.status.waiting', 3000, 'the port to open');
    node.receive({ payload: sampleBank(Date.now()) });
    const inverter = new SerialDevicePort({ path: rig.pty.b, baudRate: BAUD });
    await inverter.open();
    try {
      let received = '';
      inverter.on('data', (d: Buffer) => (received += d.toString('latin1')));
      await inverter.write(frames.buildRequest(2, 0x94));
      await until(() => received.endsWith('\r'), 2000, 'the error answer');
      assert.equal(received, frames.encodeAnswer(2, frames.RTN.commandInvalid));
      await until(() => /1 err/.test(String(lastStatus(node).text)), 3000, 'the counted error in the status');
    } finally {
      await inverter.close();
    }
  });
});
