/**
 * BMS nodes from flows saved before the settings got one vocabulary (test/fixtures/flows: the examples
 * as they were) load in the real Node-RED runtime and behave as the same node written with today's names:
 * same pack ids on output 1, same status. Serial buses become the built-in simulator, as in the examples test.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NodeStatus } from 'node-red';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import jkNode = require('../../src/nodes/jk-bms/jk-bms');
import seplosNode = require('../../src/nodes/seplos/seplos-bms');
import smartbmsNode = require('../../src/nodes/smartbms/smartbms');
import { FIXTURES_DIR } from '../helpers/fixtures';
import { getNode, type TestNode } from '../helpers/node-red';
import { lastStatus, statuses, until } from '../helpers/runtime';

helper.init(require.resolve('node-red'));

type FlowNode = Record<string, unknown> & { id: string; type: string };
const BMS_TYPES = ['jk-bms', 'seplos-bms', 'smartbms'];
const flowsDir = path.join(FIXTURES_DIR, 'flows');

/** Every BMS node of every saved flow, with its bus. */
const saved = fs
  .readdirSync(flowsDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .flatMap((file) => {
    const flow = JSON.parse(fs.readFileSync(path.join(flowsDir, file), 'utf8')) as FlowNode[];
    return flow
      .filter((n) => BMS_TYPES.includes(n.type))
      .map((node) => ({ file, node, bus: flow.find((b) => b.id === node.bus)! }));
  });

/** The node written with today's names, by hand: what each old name means now. */
function inTodaysNames(node: FlowNode): FlowNode {
  const { packId, dataTimeout, ...rest } = node;
  if (node.type === 'smartbms') return { ...rest, idPrefix: packId, staleAfter: dataTimeout };
  if (node.type === 'jk-bms') {
    const listen = node.protocol === 'pb-listen';
    return { ...node, protocol: listen ? 'pb' : node.protocol, mode: listen ? 'listen' : 'poll' };
  }
  return node;
}

function simulatedBus(bus: FlowNode, node: FlowNode): FlowNode {
  const protocol = node.type === 'smartbms' ? 'smartbms' : node.type === 'seplos-bms' ? 'seplos-v2' : 'jk-pb';
  return {
    ...bus,
    portType: 'simulator',
    simProtocol: protocol,
    simAddresses: String(node.addresses ?? '1'),
    simProfile: protocol === 'smartbms' ? 'gen2' : 'idle',
    simCells: 4,
    simWireTime: false,
  };
}

interface Observed {
  ids: string[];
  status: NodeStatus;
}

/** Deploys the node on its simulated bus until every expected pack was heard; pack ids and status. */
async function run(node: FlowNode, bus: FlowNode, packs: number): Promise<Observed> {
  await helper.load(
    [busNode, jkNode, seplosNode, smartbmsNode],
    [
      { id: 'tab', type: 'tab' },
      simulatedBus(bus, node),
      { ...node, id: 'bms', z: 'tab', wires: [['out'], ['events']] },
      { id: 'out', z: 'tab', type: 'helper' },
      { id: 'events', z: 'tab', type: 'helper' },
    ],
  );
  const ids = new Set<string>();
  getNode<TestNode<{ topic: string }>>('out').on('input', (msg) => ids.add(msg.topic));
  const bms = getNode('bms');
  await until(() => ids.size === packs, 8000, `${packs} packs`);
  // The status summary follows the packs within a second (it is throttled).
  await until(() => lastStatus(bms).fill === 'green', 3000, `green status, got ${JSON.stringify(statuses(bms))}`);
  const status = lastStatus(bms);
  await helper.unload();
  return { ids: [...ids].sort(), status };
}

/** A status with the moving readings (voltage, SoC) blanked: what must match between two runs. */
const shape = (s: NodeStatus) => ({ ...s, text: String(s.text).replace(/\d+(\.\d+)?(V|%)/g, '#$2') });

describe('BMS nodes from flows saved with earlier setting names', function () {
  this.timeout(30000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('the fixtures hold every BMS node type, some with earlier names', () => {
    assert.deepEqual([...new Set(saved.map((s) => s.node.type))].sort(), BMS_TYPES);
    assert.ok(saved.some((s) => s.node.packId !== undefined && s.node.dataTimeout !== undefined));
    assert.ok(saved.some((s) => s.node.type === 'jk-bms' && s.node.mode === undefined));
  });

  it('jk-bms saved with protocol "pb-listen" listens: it never writes, even with writes allowed', async () => {
    const bus = { id: 'bus', type: 'bms-serial-bus', portType: 'simulator', simProtocol: 'jk-pb', simAddresses: '1' };
    const jk = { type: 'jk-bms', bus: 'bus', protocol: 'pb-listen', addresses: '1', allowWrites: true };
    await helper.load(
      [busNode, jkNode],
      [{ id: 'tab', type: 'tab' }, bus, { ...jk, id: 'bms', z: 'tab', wires: [[], []] }],
    );
    const refusal = await new Promise<string>((resolve) => {
      getNode('bms').on('call:error', (call) => resolve(String((call as { args: unknown[] }).args[0])));
      getNode('bms').receive({ payload: { command: 'chargeFet', value: false, address: 1 } });
    });
    assert.match(refusal, /listen-only mode never transmits/);
  });

  it('jk-bms NW in mode listen is a configuration error (NW frames only answer requests)', async () => {
    const bus = { id: 'bus', type: 'bms-serial-bus', portType: 'simulator', simProtocol: 'jk-nw', simAddresses: '1' };
    const jk = { type: 'jk-bms', bus: 'bus', protocol: 'nw', mode: 'listen', addresses: '1' };
    await helper.load([busNode, jkNode], [{ id: 'tab', type: 'tab' }, bus, { ...jk, id: 'bms', z: 'tab', wires: [] }]);
    assert.deepEqual(lastStatus(getNode('bms')), { fill: 'red', shape: 'ring', text: 'jkBms.status.badMode' });
  });

  for (const { file, node, bus } of saved) {
    it(`${file}: ${node.type} "${String(node.name)}" as saved = with today's names`, async () => {
      const expected = expectedIds(node);
      const before = await run(node, bus, expected.length);
      assert.deepEqual(before.ids, expected);
      const after = await run(inTodaysNames(node), bus, expected.length);
      assert.deepEqual(after.ids, before.ids);
      assert.deepEqual(shape(after.status), shape(before.status));
    });
  }
});

/** Pack ids as the saved settings name them: the smartbms pack id, or "<prefix or name>-<address>". */
function expectedIds(node: FlowNode): string[] {
  if (node.type === 'smartbms') return [String(node.packId || node.name)];
  const prefix = String(node.idPrefix || node.name || (node.type === 'jk-bms' ? 'jk' : 'seplos'));
  const [from, to] = String(node.addresses).split('-').map(Number);
  const addresses = Array.from({ length: (to ?? from) - from + 1 }, (_, i) => from + i);
  return addresses.map((a) => `${prefix}-${a}`).sort();
}
