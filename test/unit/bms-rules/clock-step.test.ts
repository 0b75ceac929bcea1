/**
 * This host's clock stepping back (docs/rules.md, "Data age"): pack ages, the BLIND grace and every other
 * hold must keep running across the step, not wait until the clock has caught up again.
 */
import { strict as assert } from 'node:assert';
import { config, pack, Run } from './fixtures';
import type { RulesBankState } from '../../../src/nodes/bms-rules/engine';

const HOUR = 3_600_000;
const IDS2 = ['P1', 'P2'];
const cfg2 = config(
  {},
  IDS2.map((id) => ({ id, capacityAh: 280, maxChargeA: 100, maxDischargeA: 100 })),
);
const reporting =
  (ids: string[]) =>
  (i: number, now: number): ReturnType<typeof pack>[] =>
    ids.map((id) => pack(id, now, { jitter: i }));
const first = (banks: RulesBankState[], pred: (b: RulesBankState) => boolean): number => banks.findIndex(pred);

/** Every number in `value` that looks like an epoch time (ms) and lies after `now`, by path. */
function timesAfter(value: unknown, now: number, path = 'state', seen = new Set<object>()): string[] {
  if (typeof value === 'number') return Number.isFinite(value) && value > 1e12 && value > now ? [path] : [];
  if (!value || typeof value !== 'object' || seen.has(value)) return [];
  seen.add(value);
  return Object.entries(value).flatMap(([key, inner]) => timesAfter(inner, now, `${path}.${key}`, seen));
}

describe('bms-rules: this host clock steps back', () => {
  it('both packs silent after a 1 h step back: STALE, OFFLINE, BLIND then FAILSAFE on time; back to NORMAL when they report', () => {
    const r = new Run(cfg2);
    r.run(200, reporting(IDS2));
    assert.equal(r.last.mode, 'normal');
    assert.ok(r.last.ccl > 0 && r.last.dcl > 0);
    r.now -= HOUR;
    const silent = r.run(300, () => []);
    const stale = first(silent, (b) => b.packs.stale === 2);
    const offline = first(silent, (b) => b.packs.offline === 2);
    const blind = first(silent, (b) => b.mode === 'blind');
    const failsafe = first(silent, (b) => b.mode === 'failsafe');
    // the last samples came one step before silent[0], and the step back itself counts as no time
    // passing: age i s at silent[i], STALE past staleSec, OFFLINE past offlineSec
    assert.equal(stale, cfg2.staleSec + 1);
    assert.equal(offline, cfg2.offlineSec + 1);
    assert.equal(blind, stale);
    assert.equal(failsafe, blind + cfg2.blindGraceSec);
    assert.equal(silent[failsafe].ccl, 0);
    assert.equal(silent[failsafe].dcl, 0);
    const back = r.run(5, reporting(IDS2));
    assert.equal(back[0].mode, 'normal');
    assert.equal(back[0].packs.online, 2);
    assert.ok(back[0].ccl > 0 && back[0].dcl > 0);
  });

  it('a pack already OFFLINE before the step stays OFFLINE (its old sample is not taken as new)', () => {
    const r = new Run(config());
    r.run(200, reporting(['P1', 'P2', 'P3']));
    r.run(60, reporting(['P1', 'P2']));
    assert.equal(r.last.packStates.P3.status, 'offline');
    r.now -= HOUR;
    const after = r.run(20, reporting(['P1', 'P2']));
    for (const bank of after) {
      assert.equal(bank.packStates.P3.status, 'offline');
      assert.equal(bank.mode, 'degraded');
      assert.ok(bank.packStates.P3.ageSec! >= 60);
    }
  });

  it('after the step no time held in the engine state lies after now', () => {
    const r = new Run(config());
    r.run(200, reporting(['P1', 'P2', 'P3']), () => ({ extCurrent: 30 }));
    r.run(40, reporting(['P1', 'P2']), () => ({ extCurrent: 30 }));
    assert.deepEqual(timesAfter(r.state, r.now), []);
    r.now -= HOUR;
    r.step({ packs: [] });
    assert.deepEqual(timesAfter(r.state, r.now - 1000), []);
  });
});
