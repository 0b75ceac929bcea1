/**
 * The example flow "40 - Bank rules with relays" runs in the real runtime on the simulator: three packs
 * reach bms-rules, the bank goes NORMAL with a charge limit, the relays and telemetry come out, and the
 * example's exclude inject takes pack 3 out. Core inject/debug nodes are swapped for test sinks.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import jkNode = require('../../src/nodes/jk-bms/jk-bms');
import rulesNode = require('../../src/nodes/bms-rules/bms-rules');
import { validateBankState } from '../../src/core/pack-state';
import type { RulesBankState } from '../../src/nodes/bms-rules/engine';
import { until } from '../helpers/runtime';
import { getNode, type TestNode } from '../helpers/node-red';
import { loadExample } from '../helpers/fixtures';

helper.init(require.resolve('node-red'));

interface Msg {
  topic?: string;
  payload: unknown;
  retain?: boolean;
}
describe('example "40 - Bank rules with relays"', function () {
  this.timeout(20_000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('three simulated packs → NORMAL bank, relays and telemetry; the exclude inject takes pack 3 out', async () => {
    const nodes = loadExample('40 - Bank rules with relays')
      .filter((n) => n.type !== 'comment')
      .map((n) => (n.type === 'debug' || n.type === 'inject' ? { ...n, type: 'helper' } : n));
    await helper.load([busNode, jkNode, rulesNode], nodes);
    const banks: RulesBankState[] = [];
    const charge: unknown[] = [];
    const tele: Msg[] = [];
    getNode<TestNode<Msg>>('br40_bank').on('input', (m) => banks.push(m.payload as RulesBankState));
    getNode<TestNode<Msg>>('br40_charge').on('input', (m) => charge.push(m.payload));
    getNode<TestNode<Msg>>('br40_tele').on('input', (m) => tele.push(m));
    await until(
      () => banks.length > 0 && banks[banks.length - 1].mode === 'normal' && banks[banks.length - 1].packs.online === 3,
      12_000,
      'a NORMAL bank of 3',
    );
    const b = banks[banks.length - 1];
    const v = validateBankState(b);
    assert.ok(v.ok, v.ok ? '' : v.reason);
    assert.deepEqual(Object.keys(b.packStates).sort(), ['jk-1', 'jk-2', 'jk-3']);
    assert.ok(charge.length >= 1 && typeof charge[0] === 'boolean', JSON.stringify(charge));
    await until(
      () => tele.some((m) => m.topic === 'homeassistant/sensor/cellsafe_house_soc/config' && m.retain === true),
      3000,
      'HA discovery',
    );
    assert.ok(tele.some((m) => m.topic === 'cellsafe/house/mode'));
    const ex = nodes.find((n) => n.id === 'br40_exclude')!;
    getNode<TestNode<Msg>>('br40_rules').receive({
      topic: 'command',
      payload: JSON.parse(ex.payload as string),
    });
    await until(() => banks[banks.length - 1].packs.total === 2, 3000, 'pack 3 excluded');
    assert.equal(banks[banks.length - 1].mode, 'normal');
  });
});
