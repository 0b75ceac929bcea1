/**
 * Cross-field checks (issue 16, acceptance 4, runtime side): a bms-rules node with its high cut below
 * the absorb voltage is refused with the reasons in words (red status, node.error), and the admin
 * endpoint the dialog asks gives exactly the same words. Every bms-rules node of the shipped examples
 * passes the same check. Real runtime, real admin HTTP.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import helper from 'node-red-node-test-helper';
import { lastStatus } from '../helpers/runtime';
import { getNode, type Spy } from '../helpers/node-red';
import { EXAMPLES_DIR, loadExample } from '../helpers/fixtures';
import { rulesWithCatalog } from '../helpers/rules-catalog';

helper.init(require.resolve('node-red'));

const BAD_RULES = { cellHighCut: 3.4 };
const BAD_REASONS = [
  'Absorb voltage (V per cell) must be below Cell high cut (V per cell): 3.45 ≥ 3.4',
  'Balance voltage (V per cell) must be below Cell high cut (V per cell): 3.5 ≥ 3.4',
  'Cell high release (V per cell) must be below Cell high cut (V per cell): 3.4 ≥ 3.4',
];

async function checkConfig(body: unknown): Promise<string[]> {
  const res = await helper.request().post('/bms-rules/check-config').send(body).expect(200);
  return (res.body as { reasons: string[] }).reasons;
}

function rulesNodeDef(rules: unknown, packs: unknown = []): Record<string, unknown> {
  return {
    id: 'rules',
    type: 'bms-rules',
    bankName: 'house',
    rules: JSON.stringify(rules),
    packs: JSON.stringify(packs),
  };
}

describe('bms-rules refuses contradicting settings with the dialog’s words', function () {
  this.timeout(20_000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('high cut below absorb: red status with the first reason, node.error with all, the endpoint with the same words', async () => {
    await helper.load(rulesWithCatalog, [rulesNodeDef(BAD_RULES)]);
    const node = getNode<{ status: Spy; error: Spy }>('rules');
    assert.deepEqual(lastStatus(node), {
      fill: 'red',
      shape: 'ring',
      text: `bad configuration: ${BAD_REASONS[0]} (and 2 more in the log)`,
    });
    const errors = node.error
      .getCalls()
      .filter((c) => c.thisValue === node)
      .map((c) => String(c.args[0]));
    assert.deepEqual(errors, [`bms-rules: ${BAD_REASONS.join('; ')}`]);

    // the dialog sends its settings as the node keeps them, or the parameters flat
    assert.deepEqual(await checkConfig({ rules: JSON.stringify(BAD_RULES), packs: '[]' }), BAD_REASONS);
    assert.deepEqual(await checkConfig({ ...BAD_RULES, packs: [] }), BAD_REASONS);
    assert.deepEqual(await checkConfig({ rules: {}, packs: [] }), []);
  });

  it('refuses what is wrong alone (bad JSON, unknown parameter) and taper tables that give more current nearer the limit', async () => {
    await helper.load(rulesWithCatalog, []);
    assert.deepEqual(await checkConfig({ rules: '{"cellHighCut": ', packs: '[]' }), ['rules is not valid JSON']);
    assert.deepEqual(await checkConfig({ rules: { cellHighCutt: 3.6 } }), ['unknown parameter "cellHighCutt"']);
    const table = { x: [3.35, 3.45, 3.55], y: [1, 0.2, 0.5] };
    assert.deepEqual(await checkConfig({ rules: { cellChargeTable: table } }), [
      'Charge taper by highest cell (V → fraction) must not give more current at a higher value',
    ]);
    const warm = { x: [0, 10, 40, 50, 55], y: [0, 1, 1, 0.2, 0.5] };
    assert.deepEqual(await checkConfig({ rules: { tempChargeTable: warm } }), [
      'Charge taper by temperature (°C → fraction) must rise to its plateau and fall after it, never rise again',
    ]);
    assert.deepEqual(await checkConfig({ rules: { tChargeMaxRelease: 56 } }), [
      'Charge resume hot (°C) must be below Charge stop hot (°C): 56 ≥ 55',
    ]);
  });

  it('the presets endpoint serves the schema: a label, unit and tooltip for every parameter, and the packs columns', async () => {
    await helper.load(rulesWithCatalog, []);
    const res = await helper.request().get('/bms-rules/presets').expect(200);
    const answer = res.body as {
      defaults: Record<string, unknown>;
      presets: Record<string, Record<string, unknown>>;
      settings: Array<{ name: string; label: string; unit: string; tooltip: string; group: string }>;
      packColumns: Array<[string, string]>;
    };
    const byName = new Map(answer.settings.map((s) => [s.name, s]));
    const parameters = Object.keys(answer.defaults);
    assert.ok(parameters.length > 80, `${parameters.length} parameters`);
    for (const name of parameters) {
      const setting = byName.get(name);
      assert.ok(setting, `${name} has a schema entry`);
      assert.ok(setting.label.length > 3 && setting.label !== name, `${name}: label "${setting.label}"`);
      if (setting.unit) assert.ok(setting.label.endsWith(`(${setting.unit})`), `${name}: unit in "${setting.label}"`);
      assert.ok(setting.tooltip.length > 10, `${name}: tooltip`);
    }
    for (const preset of Object.values(answer.presets))
      for (const name of Object.keys(preset)) assert.ok(byName.has(name), `preset value ${name} has a label`);
    // the packs table's column labels are the words the runtime's pack reasons use
    const capacity = answer.packColumns.find(([key]) => key === 'capacityAh')![1];
    const reasons = await checkConfig({ rules: {}, packs: [{ id: 'P1', capacityAh: -1 }] });
    assert.deepEqual(reasons, [`Pack 1: ${capacity} must be a positive number, or empty to take it from the BMS`]);
  });

  it('every bms-rules node of the shipped examples passes the check', async () => {
    await helper.load(rulesWithCatalog, []);
    let checked = 0;
    for (const file of fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json'))) {
      for (const def of loadExample(path.basename(file)).filter((n) => n.type === 'bms-rules')) {
        assert.deepEqual(await checkConfig({ rules: def.rules, packs: def.packs, bankName: def.bankName }), [], file);
        checked++;
      }
    }
    assert.ok(checked >= 8, `${checked} bms-rules nodes checked`);
  });
});
