/**
 * Flows saved before the packs table (issue 16, acceptance 5, runtime side): the bms-rules nodes of the
 * saved flows in test/fixtures/flows keep `packs` and `rules` as JSON text. Each deploys unchanged and runs
 * with its packs; the same settings with `packs` as an array (what a program may write) give the same bank;
 * packs text that is not JSON is refused with the reason.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import helper from 'node-red-node-test-helper';
import type { RulesBankState } from '../../src/nodes/bms-rules/engine';
import { lastStatus, until } from '../helpers/runtime';
import { getNode, type TestNode } from '../helpers/node-red';
import { FIXTURES_DIR } from '../helpers/fixtures';
import { rulesWithCatalog } from '../helpers/rules-catalog';

helper.init(require.resolve('node-red'));

type FlowNode = Record<string, unknown> & { id: string; type: string };

const SAVED_DIR = path.join(FIXTURES_DIR, 'flows');
const savedRules: Array<{ file: string; node: FlowNode }> = fs
  .readdirSync(SAVED_DIR)
  .filter((f) => f.endsWith('.json'))
  .flatMap((file) =>
    (JSON.parse(fs.readFileSync(path.join(SAVED_DIR, file), 'utf8')) as FlowNode[])
      .filter((n) => n.type === 'bms-rules')
      .map((node) => ({ file, node })),
  );

/** The saved node as it is, and a copy with `packs` as an array, each on its own bank sink. */
function twoNodes(saved: FlowNode): FlowNode[] {
  const common = { z: 'tab', type: 'bms-rules', telemetry: false };
  const { id: _id, z: _z, wires: _w, x: _x, y: _y, ...settings } = saved;
  return [
    { id: 'tab', type: 'tab' },
    { ...settings, ...common, id: 'as-saved', wires: [['saved-bank']] },
    { ...settings, ...common, id: 'as-array', packs: JSON.parse(String(saved.packs)), wires: [['array-bank']] },
    { id: 'saved-bank', z: 'tab', type: 'helper' },
    { id: 'array-bank', z: 'tab', type: 'helper' },
  ];
}

describe('bms-rules nodes of flows saved with JSON packs', function () {
  this.timeout(20_000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('the saved flows hold bms-rules nodes with packs as JSON text', () => {
    assert.ok(savedRules.length >= 8, `${savedRules.length} saved bms-rules nodes`);
    for (const { file, node } of savedRules) assert.equal(typeof node.packs, 'string', file);
  });

  for (const { file, node } of savedRules) {
    it(`${file} ${node.id}: deploys unchanged with its packs, the same as packs given as an array`, async () => {
      await helper.load(rulesWithCatalog, twoNodes(node));
      const banks: Record<string, RulesBankState[]> = { saved: [], array: [] };
      for (const sink of ['saved', 'array']) {
        getNode<TestNode<{ payload: RulesBankState }>>(`${sink}-bank`).on('input', (m) => banks[sink].push(m.payload));
      }
      await until(() => banks.saved.length > 0 && banks.array.length > 0, 4000, 'a bank from each');
      const packIds = (JSON.parse(String(node.packs)) as Array<{ id: string }>).map((p) => p.id).sort();
      assert.deepEqual(Object.keys(banks.saved[0].packStates).sort(), packIds);
      assert.deepEqual(Object.keys(banks.array[0].packStates).sort(), packIds);
      assert.equal(banks.saved[0].packs.total, packIds.length);
      assert.equal(banks.saved[0].name, banks.array[0].name);
      assert.doesNotMatch(String(lastStatus(getNode('as-saved')).text), /bad configuration/);
    });
  }

  it('packs text that is not JSON is refused with the reason', async () => {
    await helper.load(rulesWithCatalog, [
      { id: 'tab', type: 'tab' },
      { id: 'rules', z: 'tab', type: 'bms-rules', packs: '[{"id": "jk-1",', rules: '{}', wires: [] },
    ]);
    assert.equal(lastStatus(getNode('rules')).text, 'bad configuration: packs is not valid JSON');
  });
});
