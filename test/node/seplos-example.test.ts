/**
 * The example flow "20 - Seplos V2 bank on RS485" runs in the real runtime on the simulator:
 * four packs arrive as valid PackStates on output 1; output 2 (communication events) stays quiet. Core inject/debug nodes are swapped for test sinks and the
 * comment is dropped (core nodes are not loaded by the test helper).
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import seplosNode = require('../../src/nodes/seplos/seplos-bms');
import { validatePackState, type PackState } from '../../src/core/pack-state';
import { until } from '../helpers/runtime';
import { getNode } from '../helpers/node-red';
import { loadExample } from '../helpers/fixtures';

helper.init(require.resolve('node-red'));

describe('example "20 - Seplos V2 bank on RS485"', function () {
  this.timeout(15000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('polls four simulated packs', async () => {
    const nodes = loadExample('20 - Seplos V2 bank on RS485')
      .filter((n) => n.type !== 'comment')
      .map((n) => (n.type === 'debug' || n.type === 'inject' ? { ...n, type: 'helper' } : n));
    await helper.load([busNode, seplosNode], nodes);
    const seen = new Map<string, PackState>();
    getNode<{
      on(e: string, f: (m: { topic: string; payload: PackState }) => void): void;
    }>('sp20_debug').on('input', (m) => seen.set(m.topic, m.payload));
    const events: unknown[] = [];
    getNode('sp20_events').on('input', (m) => events.push(m));
    assert.deepEqual(
      nodes.find((n) => n.id === 'sp20_seplos')!.wires,
      [['sp20_debug'], ['sp20_events']],
      'output 2 goes to the events debug',
    );
    await until(() => seen.size === 4, 8000, 'four packs');
    assert.deepEqual([...seen.keys()].sort(), ['seplos-1', 'seplos-2', 'seplos-3', 'seplos-4']);
    for (const p of seen.values()) assert.ok(validatePackState(p).ok);
    assert.deepEqual(events, [], 'no communication event while every pack answers');
  });
});
