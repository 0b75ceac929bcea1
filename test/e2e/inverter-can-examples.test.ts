/**
 * The inverter example flows run in the real runtime: every inverter node outputs frames, the
 * simulated inverters see our limits, and the slcan example without an adapter says so.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import canBusNode = require('../../src/nodes/can-bus/can-bus');
import inverterNode = require('../../src/nodes/inverter-can/inverter-can');
import type { SimulatedInverterChannel } from '../../src/transport/can-simulated-inverter';
import { lastStatus, until } from '../helpers/runtime';
import { getNode } from '../helpers/node-red';
import { loadExample } from '../helpers/fixtures';

helper.init(require.resolve('node-red'));

const injectNode = require('@node-red/nodes/core/common/20-inject.js');
const commentNode = require('@node-red/nodes/core/common/90-comment.js');

interface FlowNode {
  id: string;
  type: string;
  wires?: string[][];
  [k: string]: unknown;
}
function example(name: string): FlowNode[] {
  // The debug node needs the editor comms: a test-helper node takes its place.
  return loadExample<FlowNode>(name).map((n) => (n.type === 'debug' ? { id: n.id, z: n.z, type: 'helper' } : n));
}

describe('inverter CAN example flows (runtime)', function () {
  this.timeout(15000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('50 and 52: every encoder outputs frames and its simulated inverter shows the bank limits', async () => {
    for (const name of ['50 - Victron CAN from a bank', '52 - SMA, Growatt and BYD inverters (simulated)']) {
      const flow = example(name);
      await helper.load([injectNode, commentNode, canBusNode, inverterNode], flow);
      const encoders = flow.filter((n) => n.type.endsWith('-can'));
      const outputs = new Map<string, number>();
      for (const d of flow.filter((n) => n.type === 'helper')) {
        getNode(d.id).on('input', (m) => {
          const t = (m as { topic: string }).topic;
          outputs.set(t, (outputs.get(t) ?? 0) + 1);
        });
      }
      await until(() => encoders.every((e) => outputs.has(e.type)), 4000, `${name}: frames from every encoder`);
      for (const bus of flow.filter((n) => n.type === 'can-bus')) {
        const inverter = getNode<{ inverter: SimulatedInverterChannel }>(bus.id).inverter;
        await until(() => inverter.view?.ccl === 100, 3000, `${String(bus.name)} shows CCL 100`);
        assert.equal(inverter.view?.dcl, 150);
      }
      await until(() => encoders.every((e) => lastStatus(helper.getNode(e.id)).fill === 'green'), 4000, 'links up');
      await helper.unload();
    }
  });

  it('51 without an adapter: frames are still output, the status says the CAN interface is down', async () => {
    const flow = example('51 - Pylontech-family inverter over slcan');
    const port = flow.find((n) => n.type === 'can-bus')!;
    port.port = '/tmp/cellsafe-no-such-adapter';
    await helper.load([injectNode, commentNode, canBusNode, inverterNode], flow);
    let frames = 0;
    getNode('d51').on('input', () => {
      frames += 1;
    });
    await until(() => frames >= 6, 3000, 'frames as messages');
    await until(
      () => lastStatus(helper.getNode('p51')).text === 'inverterCan.status.bus-disconnected',
      3000,
      'bus down',
    );
  });
});
