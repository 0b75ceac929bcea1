/**
 * Limits that must never rise above what is safe: BLIND never allows more than a latch or the packs back
 * with fresh data; fractions above 1 are refused (BLIND's fraction of the last limits stays below them); the CC floor never
 * lifts the charge limit above what the BMSs advertise. Engine scenarios on simulated time.
 */
import { strict as assert } from 'node:assert';
import { config, IDS, pack, Run } from './fixtures';
import { resolveConfig } from '../../../src/nodes/bms-rules/config';

const TWO = ['P1', 'P2'].map((id) => ({ id, capacityAh: 280, maxChargeA: 100, maxDischargeA: 100 }));

describe('BLIND and the CC floor never raise a limit above what is safe', () => {
  it('BLIND: a pack back at 61 °C while the other is still silent stops both directions (latches), not a quarter of the last limits', () => {
    const r = new Run(config({}, TWO));
    r.run(200, (i, now) => ['P1', 'P2'].map((id) => pack(id, now, { jitter: i })));
    const silent = r.run(12, () => []);
    assert.equal(silent.at(-1)!.mode, 'blind');
    assert.equal(silent.at(-1)!.ccl, 45, 'BLIND on its own: a quarter of the last 180 A');
    const hot = r.run(10, (i, now) => [pack('P1', now, { jitter: i, temp: 61 })]);
    for (const bank of hot) {
      assert.equal(bank.mode, 'blind', 'the recovery hold keeps BLIND');
      assert.deepEqual([bank.ccl, bank.dcl, bank.chargeAllowed, bank.dischargeAllowed], [0, 0, false, false]);
    }
    assert.equal(hot[0].limitedBy.ccl, 'latch:tempCharge');
  });

  it('refuses fractions above 1 (they would raise the limits they scale down)', () => {
    for (const name of ['blindFrac', 'shareMargin', 'restartMinFrac', 'publishDeadbandFrac']) {
      const result = resolveConfig({ [name]: 3 });
      assert.deepEqual(result, { ok: false, reason: `${name} is a fraction: 0 to 1` }, name);
      assert.ok(resolveConfig({ [name]: 1 }).ok, `${name} = 1 is allowed`);
    }
  });

  it('the CC floor never lifts the charge limit above what the BMSs advertise together', () => {
    const r = new Run(config());
    const advertising = (id: string, now: number, i: number) => ({
      ...pack(id, now, { jitter: i }),
      limits: { ccl: 1, dcl: 100 },
    });
    const banks = r.run(200, (i, now) => IDS.map((id) => advertising(id, now, i)));
    const last = banks.at(-1)!;
    assert.equal(last.chargeState, 'bulk');
    assert.ok(last.ccl <= 3, `CCL ${last.ccl} A with three BMSs asking for 1 A each`);
    assert.ok(banks.every((bank) => bank.ccl <= 3));
  });

  it('the CC floor counts only the packs able to charge', () => {
    const r = new Run(config());
    const cells = Array(16).fill(3.5);
    const banks = r.run(200, (i, now) => IDS.map((id, k) => pack(id, now, { jitter: i, cells, chargeFet: k === 0 })));
    const last = banks.at(-1)!;
    // one 280 Ah pack can charge: the floor is max(2 A, 0.02 × 280 Ah) = 5.6 A, not 0.02 × 840 Ah
    assert.ok(last.ccl > 0 && last.ccl <= 5.6 + 1e-9, `CCL ${last.ccl} A`);
  });
});
