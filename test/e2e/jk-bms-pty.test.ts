/**
 * Acceptance 3: the real Node-RED runtime and bms-serial-bus on one end of a pty pair at 115200,
 * the JK PB simulator with 5 packs on the other end (see jk-bms-scenario.ts).
 */
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import jkNode = require('../../src/nodes/jk-bms/jk-bms');
import { createJkPbSimulator } from '../../src/nodes/jk-bms/simulator';
import { withPtySimulator } from '../helpers/pty-simulator';
import { bankFlow, bankScenario } from './jk-bms-scenario';

helper.init(require.resolve('node-red'));

describe('jk-bms over a pty pair at 115200 baud', function () {
  this.timeout(30000);
  const rig = withPtySimulator();

  for (const method of ['fc03', 'trigger']) {
    it(`PB ${method}, 5 packs: 5 PackStates per cycle matching the model; silent pack 3 raises its alarm, the others keep their cadence`, async () => {
      const device = await rig.startDevice({
        baudRate: 115200,
        factory: createJkPbSimulator,
        options: { addresses: [1, 2, 3, 4, 5], cells: 16, profile: 'cycle' },
      });
      const sim = device.simulator;
      await helper.load([busNode, jkNode], bankFlow({ portType: 'serial', path: rig.pty.a }, { method }));
      await bankScenario(() => sim);
    });
  }
});
