/**
 * The example flow "10 - JK PB bank on RS485" runs in the real runtime on the simulator: five packs
 * arrive as valid PackStates, and the example's write command is refused while writes are off.
 * Core inject/debug nodes are swapped for test sinks and the comment is dropped.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import jkNode = require('../../src/nodes/jk-bms/jk-bms');
import { validatePackState, type PackState } from '../../src/core/pack-state';
import { until } from '../helpers/runtime';
import { getNode, type TestNode } from '../helpers/node-red';
import { loadExample } from '../helpers/fixtures';

type ExampleMsg = { topic: string; payload: PackState; error?: { message: string } };

helper.init(require.resolve('node-red'));

describe('example "10 - JK PB bank on RS485"', function () {
  this.timeout(15000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('polls five simulated packs; the charge-FET inject is refused while writes are off', async () => {
    const nodes = loadExample('10 - JK PB bank on RS485')
      .filter((n) => n.type !== 'comment')
      .map((n) => (n.type === 'debug' || n.type === 'inject' ? { ...n, type: 'helper' } : n));
    await helper.load([busNode, jkNode], nodes);
    const seen = new Map<string, PackState>();
    const errors: string[] = [];
    getNode<TestNode<ExampleMsg>>('jk10_packs').on('input', (m) => seen.set(m.topic, m.payload));
    getNode<TestNode<ExampleMsg>>('jk10_errors').on('input', (m) => errors.push(m.error!.message));
    await until(() => seen.size === 5, 8000, 'five packs');
    assert.deepEqual([...seen.keys()].sort(), ['jk-1', 'jk-2', 'jk-3', 'jk-4', 'jk-5']);
    for (const p of seen.values()) assert.ok(validatePackState(p).ok);
    const off = nodes.find((n) => n.id === 'jk10_off')!;
    getNode<TestNode<ExampleMsg>>('jk10_jk').receive({ payload: JSON.parse(off.payload as string) });
    await until(() => errors.length === 1, 2000, 'the refusal');
    assert.match(errors[0], /writes are disabled/);
  });
});
