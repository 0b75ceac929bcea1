/**
 * Bank alarms (docs/rules.md#alarms) fall back to OK after their clear delay (10 s) once the condition is gone — also when the
 * level drops straight from ALARM to OK (over-current, pack offline, comm lost, frozen/off-bus data).
 */
import { strict as assert } from 'node:assert';
import { config, IDS, pack, Run, steady, warmRun } from './fixtures';
import type { PackState } from '../../../src/core/pack-state';
import type { RulesBankState } from '../../../src/nodes/bms-rules/engine';

const idx = (banks: RulesBankState[], pred: (b: RulesBankState) => boolean): number => banks.findIndex(pred);
const charging =
  (amps: number) =>
  (i: number, now: number): PackState[] =>
    IDS.map((id) => pack(id, now, { jitter: i, current: amps / 3 }));

describe('bms-rules alarms clear', () => {
  it('overCurrent clears 10 s after the current is within the limit again', () => {
    const r = warmRun(config({ systemMaxChargeA: 50 }));
    const on = r.run(15, charging(70));
    assert.equal(on[14].alarms.chargeOverCurrent, 'alarm');
    const off = r.run(30, charging(30));
    assert.equal(off[9].alarms.chargeOverCurrent, 'alarm', 'held for the clear delay');
    assert.equal(off[10].alarms.chargeOverCurrent, undefined);
    assert.equal(off[29].relays.alarm, false);
  });

  it('quick start: packs charging from the first second raise no overCurrent (no limit in force in INIT, then the computed CCL)', () => {
    const r = new Run(config({ initTimeoutSec: 30 }));
    // one pack late: INIT waits 5 s while 61 A already flow
    const b = r.run(120, (i, now) =>
      IDS.filter((id) => id !== 'P3' || i >= 5).map((id) => pack(id, now, { jitter: i, current: 61 / 3 })),
    );
    assert.equal(b[4].chargeState, 'init');
    assert.equal(b[5].ccl, 270);
    assert.ok(b.every((x) => x.alarms.chargeOverCurrent === undefined && !x.relays.alarm));
  });

  it('overCurrent is judged against the highest limit sent within inverterReactionSec before the current was drawn', () => {
    const cells = (v: number) => [v, ...Array(15).fill(3.3)];
    const run = (reactionSec: number): RulesBankState[] => {
      const r = warmRun(config({ systemMaxChargeA: 100, inverterReactionSec: reactionSec }));
      // the CCL falls 100 → 40.5 A at once (cell at 3.45 V); the inverter takes a few seconds to follow
      return r.run(30, (i, now) =>
        IDS.map((id) => pack(id, now, { jitter: i, cells: cells(3.45), current: (i < 12 ? 90 : 20) / 3 })),
      );
    };
    const slow = run(15);
    assert.ok(Math.abs(slow[0].ccl - 40.5) < 1e-6, `CCL ${slow[0].ccl}`);
    assert.ok(slow.every((x) => x.alarms.chargeOverCurrent === undefined));
    const quick = run(0);
    // without a reaction time, 90 A against 40.5 A from the first second after the fall: ALARM after overCurrentSec
    const at = idx(quick, (x) => x.alarms.chargeOverCurrent === 'alarm');
    assert.ok(at >= 10 && at <= 11, `alarm at ${at}`);
  });

  it('dischargeOverCurrent clears too', () => {
    const r = warmRun(config({ systemMaxDischargeA: 50 }));
    r.run(15, charging(-70));
    assert.equal(r.last.alarms.dischargeOverCurrent, 'alarm');
    const off = r.run(11, charging(-30));
    assert.equal(off[10].alarms.dischargeOverCurrent, undefined);
  });

  it('packOffline and bmsCommLost clear after the packs are back', () => {
    const r = warmRun();
    r.run(200, () => []);
    assert.equal(r.last.alarms.bmsCommLost, 'alarm');
    assert.equal(r.last.alarms.packOffline, 'warn');
    const back = r.run(90, steady()); // rejoin hold per pack, then the mode recovery hold
    const last = back[back.length - 1];
    assert.equal(last.mode, 'normal');
    assert.equal(last.alarms.bmsCommLost, undefined);
    assert.equal(last.alarms.packOffline, undefined);
    assert.deepEqual(last.alarms, {});
  });
});
