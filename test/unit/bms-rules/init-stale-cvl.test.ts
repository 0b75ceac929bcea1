/**
 * INIT ending while a pack is STALE (docs/rules.md, "Charge voltage" and "Start-up and continuity"): no
 * output rises while a pack is STALE, the CVL included; once the pack is fresh the CVL rises slewed.
 */
import { strict as assert } from 'node:assert';
import { config, pack, Run } from './fixtures';

const IDS2 = ['P1', 'P2'];
const cfg2 = config(
  {},
  IDS2.map((id) => ({ id, capacityAh: 280, maxChargeA: 100, maxDischargeA: 100 })),
);

describe('bms-rules: INIT ends with a STALE pack', () => {
  it('the CVL does not rise at the INIT timeout while P2 is STALE, and rises slewed once P2 is fresh', () => {
    const r = new Run(cfg2);
    // P2's data always arrives 15 s old: STALE from the start, so INIT ends only at initTimeoutSec
    const late = r.run(cfg2.initTimeoutSec + 20, (i, now) => [
      pack('P1', now, { jitter: i }),
      pack('P2', now - 15_000, { jitter: i }),
    ]);
    const initEnd = late.findIndex((bank) => bank.chargeState !== 'init');
    assert.equal(initEnd, cfg2.initTimeoutSec);
    assert.equal(late[initEnd].packStates.P2.status, 'stale');
    const atInit = late[initEnd - 1].cvl;
    for (let i = initEnd; i < late.length; i++) {
      assert.equal(late[i].packStates.P2.status, 'stale');
      assert.ok(late[i].cvl <= atInit, `CVL ${late[i].cvl} V above ${atInit} V at step ${i} while P2 is STALE`);
    }
    const slew = cfg2.recoverRate * cfg2.cellsSeries;
    const before = r.cvlExact.length;
    const fresh = r.run(200, (i, now) => IDS2.map((id) => pack(id, now, { jitter: i })));
    assert.equal(fresh[0].packStates.P2.status, 'ok');
    const cvls = r.cvlExact.slice(before - 1);
    for (let i = 1; i < cvls.length; i++) assert.ok(cvls[i] - cvls[i - 1] <= slew + 1e-9, `CVL step ${i} too fast`);
    assert.ok(fresh[fresh.length - 1].cvl > atInit);
    assert.equal(fresh[fresh.length - 1].cvl, cfg2.cellsSeries * cfg2.vCellAbsorb);
  });
});
