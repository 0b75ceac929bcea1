/**
 * The settings commands' input validation in the real Node-RED runtime (in-process simulator bus):
 * malformed payloads, listen mode and a protocol without a documented write are refused with reasons a
 * Catch node sees, and no settings message follows.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import jkNode = require('../../src/nodes/jk-bms/jk-bms');
import seplosNode = require('../../src/nodes/seplos/seplos-bms');
import { getNode, type TestNode } from '../helpers/node-red';
import { until } from '../helpers/runtime';

helper.init(require.resolve('node-red'));

type Caught = { error: { message: string } };

function flow(protocol: string, node: Record<string, unknown>) {
  return [
    { id: 'tab', type: 'tab' },
    {
      id: 'bus',
      type: 'bms-serial-bus',
      portType: 'simulator',
      simProtocol: protocol,
      simAddresses: '1',
      simCells: 16,
    },
    { id: 'n', z: 'tab', bus: 'bus', addresses: '1', interval: 1, wires: [[], ['events']], ...node },
    { id: 'events', z: 'tab', type: 'helper' },
    { id: 'c', z: 'tab', type: 'catch', scope: ['n'], wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

async function refusals(messages: Array<{ topic: string; payload: unknown }>): Promise<string[]> {
  const errors: string[] = [];
  getNode<TestNode<Caught>>('caught').on('input', (m) => errors.push(m.error.message));
  for (const m of messages) getNode('n').receive(m);
  await until(() => errors.length === messages.length, 5000, 'every refusal');
  return errors;
}

describe('settings commands: input validation (runtime)', function () {
  this.timeout(20000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('jk-bms: malformed payloads are refused with the expected shape', async () => {
    await helper.load([busNode, jkNode], flow('jk-pb', { type: 'jk-bms', protocol: 'pb', allowWrites: true }));
    const errors = await refusals([
      { topic: 'readSettings', payload: 1733300000000 },
      { topic: 'writeSettings', payload: 'cellOvpV=3.6' },
      { topic: 'writeSettings', payload: { address: 1, fields: { cellOvpV: 3.6 }, dryRun: 'yes' } },
      { topic: 'writeSettings', payload: { address: 1, fields: [] } },
    ]);
    assert.match(errors[0], /payload of readSettings must be \{ address \} or nothing/);
    assert.match(errors[1], /payload of writeSettings must be \{ address, fields, dryRun \}/);
    assert.match(errors[2], /dryRun must be a boolean/);
    assert.match(errors[3], /fields must be an object of setting names/);
  });

  it('jk-bms in listen mode never transmits: settings commands are refused', async () => {
    await helper.load([busNode, jkNode], flow('jk-pb', { type: 'jk-bms', protocol: 'pb', mode: 'listen' }));
    const errors = await refusals([{ topic: 'readSettings', payload: '' }]);
    assert.match(errors[0], /listen-only mode never transmits/);
  });

  it('seplos-bms reads settings but has no documented write', async () => {
    await helper.load([busNode, seplosNode], flow('seplos-v3', { type: 'seplos-bms', generation: 'v3' }));
    const errors = await refusals([{ topic: 'writeSettings', payload: { address: 1, fields: { cellOvpV: 3.6 } } }]);
    assert.match(errors[0], /no documented settings write/);
  });
});
