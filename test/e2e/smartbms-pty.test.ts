/**
 * End to end in the real Node-RED runtime over a pty pair at 9600 baud: a simulated 16-cell gen3
 * 123\SmartBMS on one end, bms-serial-bus + smartbms node on the other. The simulator runs at a
 * 250 ms cadence instead of 1 s to keep the test short; the frames and their rotation are the same.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import smartbmsNode = require('../../src/nodes/smartbms/smartbms');
import type { PackState } from '../../src/core/pack-state';
import {
  createSmartBmsSimulator,
  type SmartBmsSimulator,
  type SmartBmsSimulatorOptions,
} from '../../src/nodes/smartbms/simulator';
import { withPtySimulator } from '../helpers/pty-simulator';
import { lastStatus, until } from '../helpers/runtime';
import { getNode, type TestNode } from '../helpers/node-red';

helper.init(require.resolve('node-red'));

describe('smartbms end to end over a pty', function () {
  const rig = withPtySimulator();

  it('16-cell gen3 pack: first PackState after 16 frames equals the model; a charge relay switched off shows on the next message', async function () {
    this.timeout(20000);
    await helper.load(
      [busNode, smartbmsNode],
      [
        { id: 'tab', type: 'tab' },
        { id: 'bus', type: 'bms-serial-bus', portType: 'serial', path: rig.pty.a, baudRate: 9600 },
        { id: 'n1', z: 'tab', type: 'smartbms', name: 'pack1', bus: 'bus', wires: [['out'], []] },
        { id: 'out', z: 'tab', type: 'helper' },
      ],
    );
    const n1 = helper.getNode('n1');
    await until(() => lastStatus(n1).text === 'smartbms.status.waiting', 5000, 'bus connected');

    const options: SmartBmsSimulatorOptions = { cells: 16, profile: 'gen3', cadenceMs: 250 };
    const device = await rig.startDevice({ baudRate: 9600, factory: createSmartBmsSimulator, options });
    const sim = device.simulator as SmartBmsSimulator;
    const msgs: PackState[] = [];
    const SWITCH_AT = 18;
    getNode<TestNode<{ payload: PackState }>>('out').on('input', (m) => {
      msgs.push(m.payload);
      // Switched right after a message arrives, so the next frame is built after the switch.
      if (msgs.length === SWITCH_AT) sim.pack.model.chargeEnabled = false;
    });

    await until(() => msgs.length >= 1, 10000, 'first PackState');
    const first = msgs[0];
    assert.equal(first.extra!.frames, 16, 'the first complete PackState comes with the 16th frame');
    assert.equal(first.cells.length, 16);
    sim.pack.model.cells.forEach((v, i) =>
      assert.ok(Math.abs(first.cells[i] - v) <= 0.0025, `cell ${i + 1}: ${first.cells[i]} vs model ${v}`),
    );
    assert.equal(first.chargeAllowed, true);
    assert.match(String(lastStatus(n1).text), /^\d+% · 16\/16 cells$/);

    await until(() => msgs.length > SWITCH_AT, 5000, 'the message after the switch');
    assert.equal(msgs[SWITCH_AT - 1].chargeAllowed, true);
    assert.equal(msgs[SWITCH_AT].chargeAllowed, false, 'next message shows the charge relay off');
    assert.equal(msgs[SWITCH_AT].dischargeAllowed, true);
  });
});
