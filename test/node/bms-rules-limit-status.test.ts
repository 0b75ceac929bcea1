/**
 * "Why the limit" in the real runtime: while CCL or DCL sits below what the configuration allows, the
 * bms-rules status says why in words (cell, temperature, latch), a new reason replaces the shown one
 * only after REASON_HOLD_MS, and the words go as soon as the limits are back at their maximum.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import { jitteredCells, rulesPack } from '../helpers/rules-pack';
import type { PackState } from '../../src/core/pack-state';
import type { RulesBankState } from '../../src/nodes/bms-rules/engine';
import { REASON_HOLD_MS } from '../../src/nodes/bms-rules/node-status';
import { lastStatus, statuses, until } from '../helpers/runtime';
import { getNode, type TestNode } from '../helpers/node-red';
import { rulesWithCatalog } from '../helpers/rules-catalog';

helper.init(require.resolve('node-red'));

const REST = Array(16).fill(3.3) as number[];

function pack(cells: number[], temperatures: number[]): PackState {
  return rulesPack('P1', jitteredCells(0.0005, cells), temperatures);
}

describe('bms-rules status: why a limit is below its maximum', function () {
  this.timeout(30_000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('cell, then temperature (after the hold), then nothing once the limits are back', async () => {
    // limits rise at once here (no increase hold, fast slew) so "back at the maximum" is immediate
    const rules = { incHoldSec: 0, incRateMinA: 1000, cellHighReleaseSec: 0, tempReleaseSec: 0 };
    await helper.load(rulesWithCatalog, [
      { id: 'tab', type: 'tab' },
      {
        id: 'rules',
        z: 'tab',
        type: 'bms-rules',
        bankName: 'house',
        packs: JSON.stringify([{ id: 'P1', capacityAh: 100, maxChargeA: 50, maxDischargeA: 50 }]),
        rules: JSON.stringify(rules),
        telemetry: false,
        wires: [['bank']],
      },
      { id: 'bank', z: 'tab', type: 'helper' },
    ]);
    const node = getNode('rules');
    const banks: RulesBankState[] = [];
    getNode<TestNode<{ payload: RulesBankState }>>('bank').on('input', (m) => banks.push(m.payload));
    const text = (): string => String(lastStatus(node).text);
    let sample = pack(REST, [25, 25]);
    const feed = setInterval(() => node.receive({ payload: { ...sample, time: Date.now() } }), 200);
    try {
      await until(() => /^normal · 1\/1 · 50\/50 A/.test(text()), 8000, 'NORMAL at the maximum');
      assert.doesNotMatch(text(), /CCL|DCL/, 'nothing to explain at the maximum');

      // highest cell 3.5 V: the cell charge table allows 5 % of 50 A (less a little: the cell is at 3.5003 V)
      sample = pack([3.5, ...REST.slice(1)], [25, 25]);
      await until(() => /CCL 2 A: cell P1 #1 at 3\.50\d V/.test(text()), 4000, 'the cell reason');
      const shownAt = Date.now();
      assert.equal(banks.at(-1)!.limitedBy.ccl, 'cell:P1C1');

      // 52 °C: the temperature table now binds (15 %); the status keeps the cell words for the hold time
      sample = pack(REST, [25, 52]);
      await until(() => banks.at(-1)!.limitedBy.ccl === 'temp:P1', 3000, 'limited by temperature');
      const changedAt = statuses(node).length;
      await until(() => /CCL [78] A: temperature of P1/.test(text()), REASON_HOLD_MS + 3000, 'the temperature reason');
      const between = statuses(node)
        .slice(changedAt)
        .map((s) => String(s.text));
      // (the test saw the cell words up to a poll after the node showed them)
      assert.ok(Date.now() - shownAt >= REASON_HOLD_MS - 500, 'a new reason waits for the hold time');
      assert.ok(
        between.some((t) => /CCL \d+ A: cell P1 #1/.test(t)),
        `the cell reason held while the limit had another: ${between.join(' | ')}`,
      );

      // back in range: the limits return to 50/50 and the words go at once
      sample = pack(REST, [25, 25]);
      await until(() => /^normal · 1\/1 · 50\/50 A · [\d.]+ V/.test(text()), 4000, 'back at the maximum');
      assert.doesNotMatch(text(), /CCL|DCL/);
    } finally {
      clearInterval(feed);
    }
  });
});
