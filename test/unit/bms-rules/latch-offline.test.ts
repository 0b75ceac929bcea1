/**
 * A protection latch set by one pack does not release while that pack is silent (stale or offline): it is
 * still on the bus in parallel, and its last known cells or temperatures still break the release condition.
 * Only the pack's return with good values, or excluding it, lets the latch release (docs/rules.md#latches).
 */
import { strict as assert } from 'node:assert';
import { config, pack, Run } from './fixtures';
import type { PackOpts } from './fixtures';
import type { PackState } from '../../../src/core/pack-state';
import type { RulesBankState } from '../../../src/nodes/bms-rules/engine';

const IDS = ['P1', 'P2'];
const TEN_MIN = 600;

/** A 2-pack bank warmed up to NORMAL, then P2 sends `p2` for 5 s while P1 stays at 3.30 V, 25 °C. */
function tripped(p2: PackOpts): Run {
  const r = new Run(
    config(
      {},
      IDS.map((id) => ({ id, capacityAh: 280, maxChargeA: 100, maxDischargeA: 100 })),
    ),
  );
  r.run(200, (i, now) => IDS.map((id) => pack(id, now, { jitter: i })));
  r.run(5, (i, now) => [pack('P1', now, { jitter: i }), pack('P2', now, { jitter: i, ...p2 })]);
  return r;
}

const p1Only = (i: number, now: number): PackState[] => [pack('P1', now, { jitter: i })];
const bothFine = (i: number, now: number): PackState[] => IDS.map((id) => pack(id, now, { jitter: i }));
const cellsWith = (value: number): number[] => Array.from({ length: 16 }, (_, k) => (k === 6 ? value : 3.35));
const firstWhere = (banks: RulesBankState[], pred: (b: RulesBankState) => boolean): number => banks.findIndex(pred);

describe('bms-rules latches: a silent pack holds the latch it set', () => {
  it('cell high: P2 tripped at 3.60 V then went silent → after 10 min still latched, CCL 0 every second', () => {
    const r = tripped({ cells: cellsWith(3.6) });
    assert.equal(r.last.latches.cellHigh, true);
    assert.equal(r.last.ccl, 0);
    const silent = r.run(TEN_MIN, p1Only);
    assert.equal(silent[TEN_MIN - 1].packStates.P2.status, 'offline');
    const released = firstWhere(silent, (b) => !b.latches.cellHigh || b.ccl > 0);
    assert.equal(released, -1, `released ${released} s after P2 went silent`);
  });

  it('cell high: P2 back with every cell at 3.30 V → released after cellHighReleaseSec, then CCL rises', () => {
    const r = tripped({ cells: cellsWith(3.6) });
    r.run(TEN_MIN, p1Only);
    const back = r.run(300, bothFine);
    const dwell = r.cfg.cellHighReleaseSec;
    assert.equal(
      firstWhere(back, (b) => !b.latches.cellHigh),
      dwell,
    );
    assert.ok(back.slice(0, dwell).every((b) => b.ccl === 0));
    assert.ok(back[back.length - 1].ccl > 0, `CCL ${back[back.length - 1].ccl} A after the release`);
  });

  it('cell high: excluding the silent P2 lets the latch release after its dwell on P1 alone', () => {
    const r = tripped({ cells: cellsWith(3.6) });
    const silent = r.run(120, p1Only);
    assert.ok(silent.every((b) => b.latches.cellHigh));
    const excluded = r.step({ packs: p1Only(0, r.now), command: { command: 'exclude', pack: 'P2' } });
    assert.equal(excluded.packStates.P2.status, 'excluded');
    const after = [excluded, ...r.run(300, p1Only)];
    assert.equal(
      firstWhere(after, (b) => !b.latches.cellHigh),
      r.cfg.cellHighReleaseSec,
    );
    assert.ok(after[after.length - 1].ccl > 0);
  });

  it('cell high: resetLatch clears the latch held by the silent P2 at once, and P1 alone does not set it again', () => {
    const r = tripped({ cells: cellsWith(3.6) });
    r.run(120, p1Only);
    const reset = r.step({ packs: p1Only(0, r.now), command: { command: 'resetLatch' } });
    assert.equal(reset.latches.cellHigh, false);
    assert.ok(r.run(60, p1Only).every((b) => !b.latches.cellHigh));
  });

  it('cell low: P2 tripped at 2.85 V then went silent → after 10 min still latched, DCL 0; back at 3.30 V → released after cellLowReleaseSec', () => {
    const r = tripped({ cells: cellsWith(2.85) });
    assert.equal(r.last.latches.cellLow, true);
    assert.equal(r.last.dcl, 0);
    const silent = r.run(TEN_MIN, p1Only);
    const released = firstWhere(silent, (b) => !b.latches.cellLow || b.dcl > 0);
    assert.equal(released, -1, `released ${released} s after P2 went silent`);
    const back = r.run(600, bothFine);
    assert.equal(
      firstWhere(back, (b) => !b.latches.cellLow),
      r.cfg.cellLowReleaseSec,
    );
    assert.ok(back[back.length - 1].dcl > 0);
  });

  it('charge temperature: P2 tripped at -2 °C then went silent → after 10 min still latched, CCL 0', () => {
    const r = tripped({ temp: -2 });
    assert.equal(r.last.latches.tempCharge, true);
    const silent = r.run(TEN_MIN, p1Only);
    const released = firstWhere(silent, (b) => !b.latches.tempCharge || b.ccl > 0);
    assert.equal(released, -1, `released ${released} s after P2 went silent`);
    const back = r.run(300, bothFine);
    assert.equal(
      firstWhere(back, (b) => !b.latches.tempCharge),
      r.cfg.tempReleaseSec,
    );
  });
});
