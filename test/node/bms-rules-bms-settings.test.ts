/**
 * bms-rules with the settings the BMS reports, in the real Node-RED runtime: three simulated JK PB
 * packs (280 Ah, cell OVP 3.65 V in the simulator) → jk-bms → bms-rules. Pack 1 is in the packs table
 * without ratings, pack 2 is not in it, pack 3 has its own 150 Ah: the installed capacity becomes
 * 280 + 280 + 150 once the settings arrive (100 Ah defaults before), and a bank high cut above the
 * BMS's OVP is warned about per pack.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import jkNode = require('../../src/nodes/jk-bms/jk-bms');
import rulesNode = require('../../src/nodes/bms-rules/bms-rules');
import type { RulesBankState } from '../../src/nodes/bms-rules/engine';
import type { SeenPack } from '../../src/nodes/bms-rules/packs-seen';
import { SIM_SETTINGS } from '../../src/nodes/jk-bms/simulator-settings';
import { getNode, type TestNode } from '../helpers/node-red';
import { until } from '../helpers/runtime';

helper.init(require.resolve('node-red'));

function flow(rules: Record<string, unknown>) {
  return [
    { id: 'tab', type: 'tab' },
    {
      id: 'bus',
      type: 'bms-serial-bus',
      portType: 'simulator',
      simProtocol: 'jk-pb',
      simAddresses: '1-3',
      simCells: 16,
      simProfile: 'idle',
    },
    {
      id: 'jk',
      z: 'tab',
      type: 'jk-bms',
      bus: 'bus',
      protocol: 'pb',
      addresses: '1-3',
      interval: 0.5,
      name: 'bank',
      wires: [['rules'], []],
    },
    {
      id: 'rules',
      z: 'tab',
      type: 'bms-rules',
      bankName: 'house',
      packs: JSON.stringify([{ id: 'bank-1' }, { id: 'bank-3', capacityAh: 150, maxChargeA: 60, maxDischargeA: 60 }]),
      rules: JSON.stringify(rules),
      wires: [['bank'], [], [], []],
    },
    { id: 'bank', z: 'tab', type: 'helper' },
  ];
}

describe('bms-rules with the BMS settings of its packs (runtime)', function () {
  this.timeout(20000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('takes capacity from the BMS where the user left it unset, keeps the user value where set', async () => {
    await helper.load([busNode, jkNode, rulesNode], flow({}));
    const banks: RulesBankState[] = [];
    getNode<TestNode<{ payload: RulesBankState }>>('bank').on('input', (m) => banks.push(m.payload));
    await until(() => banks.length > 0, 5000, 'a bank state');
    // Before the first settings read: defaults (100 Ah) for pack 1 and, once heard, pack 2.
    assert.ok(
      [100 + 150, 100 + 100 + 150].includes(banks[0].capacityAh.installed),
      String(banks[0].capacityAh.installed),
    );
    await until(() => banks.at(-1)!.capacityAh.installed === 280 + 280 + 150, 8000, 'capacity from the BMS settings');
    const reports = banks.at(-1)!.packStates;
    assert.deepEqual(reports['bank-1'].fromBms, ['capacityAh', 'maxChargeA', 'maxDischargeA'], 'left out of its entry');
    assert.deepEqual(reports['bank-2'].fromBms, ['capacityAh', 'maxChargeA', 'maxDischargeA'], 'not in the table');
    assert.equal(reports['bank-3'].fromBms, undefined, 'all set by the user');
    // "Add packs seen" offers the BMS's current ratings too.
    const seen = (await helper.request().get('/bms-rules/rules/packs-seen').expect(200)).body as SeenPack[];
    const two = seen.find((p) => p.id === 'bank-2')!;
    assert.deepEqual([two.maxChargeA, two.maxDischargeA], [SIM_SETTINGS.maxChargeA, SIM_SETTINGS.maxDischargeA]);
    assert.equal(two.settingsCapacityAh, 280, 'the capacity the runtime takes, for the packs table placeholder');
    // bms-rules' default high cut (3.58 V) is below the simulated OVP: no warning.
    assert.ok(!banks.at(-1)!.warnings.some((w) => w.startsWith('bmsOvp')), banks.at(-1)!.warnings.join(', '));
  });

  it('warns per pack when the bank high cut is above the BMS cell OVP', async () => {
    const highCut = SIM_SETTINGS.cellOvpV! + 0.01;
    await helper.load([busNode, jkNode, rulesNode], flow({ cellHighCut: highCut, cellHighRelease: 3.5 }));
    const banks: RulesBankState[] = [];
    getNode<TestNode<{ payload: RulesBankState }>>('bank').on('input', (m) => banks.push(m.payload));
    const ovpWarnings = () => (banks.at(-1)?.warnings ?? []).filter((w) => w.startsWith('bmsOvpBelowHighCut'));
    await until(() => ovpWarnings().length === 3, 8000, 'one OVP warning per pack');
    assert.deepEqual(
      ovpWarnings().sort(),
      [1, 2, 3].map((a) => `bmsOvpBelowHighCut:bank-${a}:3.65V`),
    );
  });
});
