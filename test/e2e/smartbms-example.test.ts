/**
 * The 123\SmartBMS example flow runs in the real runtime on its built-in simulator. The only change
 * to the file: a 4-cell pack instead of 16, so the first PackState comes after 4 s, not 16 s.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import smartbmsNode = require('../../src/nodes/smartbms/smartbms');
import { validatePackState, type PackState } from '../../src/core/pack-state';
import { until } from '../helpers/runtime';
import { getNode, type TestNode } from '../helpers/node-red';
import { loadExample } from '../helpers/fixtures';

helper.init(require.resolve('node-red'));

const commentNode = require('@node-red/nodes/core/common/90-comment.js');
const changeNode = require('@node-red/nodes/core/function/15-change.js');

interface FlowNode {
  id: string;
  type: string;
  z?: string;
  [k: string]: unknown;
}
describe('123SmartBMS example flow (runtime)', function () {
  this.timeout(15000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('30: the simulated pack yields PackStates and the permissions summary', async () => {
    const flow = loadExample<FlowNode>('30 - 123SmartBMS listener').map((n) =>
      n.type === 'debug'
        ? { id: n.id, z: n.z, type: 'helper' }
        : n.type === 'bms-serial-bus'
          ? { ...n, simCells: 4 }
          : n,
    );
    await helper.load([commentNode, changeNode, busNode, smartbmsNode], flow);
    const packs: PackState[] = [];
    const summaries: unknown[] = [];
    getNode<TestNode<{ payload: unknown }>>('sb30_debug').on('input', (m) => packs.push(m.payload as PackState));
    getNode<TestNode<{ payload: unknown }>>('sb30_debug2').on('input', (m) => summaries.push(m.payload));
    await until(() => packs.length >= 1 && summaries.length >= 1, 10000, 'a PackState and a summary');
    assert.ok(validatePackState(packs[0]).ok);
    assert.equal(packs[0].id, 'house battery');
    assert.equal(packs[0].cells.length, 4);
    assert.deepEqual(summaries[0], { charge: true, discharge: true, soc: packs[0].soc, alarms: {} });
  });
});
