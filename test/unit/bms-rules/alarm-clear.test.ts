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

  it('quick start: packs charging through INIT raise overCurrent (CCL 0), which clears once the CCL has ramped above the current', () => {
    const r = new Run(config());
    const b = r.run(120, charging(61));
    const set = idx(b, (x) => x.alarms.chargeOverCurrent === 'alarm');
    assert.ok(set >= 10, `set at ${set}`);
    // first step whose current is within the CCL sent one step before (1.1 × CCL, at least CCL + 2 A)
    const within = b.findIndex((_, i) => i > set && 61 <= Math.max(1.1 * b[i - 1].ccl, b[i - 1].ccl + 2));
    assert.ok(within > set);
    assert.equal(b[within + 9].alarms.chargeOverCurrent, 'alarm');
    assert.equal(b[within + 10].alarms.chargeOverCurrent, undefined);
    assert.equal(b[119].alarms.chargeOverCurrent, undefined);
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
