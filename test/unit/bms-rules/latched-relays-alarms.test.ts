/**
 * A protection latch opens its relay in every relay mode (the table may allow it, our protection does
 * not), and a pack gone silent with a cell beyond a limit keeps its alarm, as it keeps its latch.
 * Engine scenarios on simulated time.
 */
import { strict as assert } from 'node:assert';
import { config, IDS, pack, warmRun } from './fixtures';

/** 16 cells at `base` with cell `index` (from 0) at `volts`. */
const cellsWith = (base: number, index: number, volts: number): number[] =>
  Array.from({ length: 16 }, (_, k) => (k === index ? volts : base));

describe('latched relays and alarms', () => {
  for (const mode of ['normal', 'critical'] as const) {
    it(`${mode} table: a runner cell at 3.62 V (past the cut, below the table's 3.7 V) opens the charge relay`, () => {
      const r = warmRun(config({ chargeRelayMode: mode }));
      assert.equal(r.last.relays.charge, true);
      const runner = cellsWith(3.3, 6, 3.62);
      const banks = r.run(60, (i, now) =>
        IDS.map((id) => pack(id, now, { jitter: i, cells: id === 'P1' ? runner : undefined })),
      );
      assert.ok(banks.every((bank) => bank.latches.cellHigh && bank.ccl === 0 && !bank.relays.charge));
    });

    it(`${mode} table: the load relay stays open while the cell-low latch holds, though the table would close it`, () => {
      const r = warmRun(config({ loadRelayMode: mode }));
      const at = (volts: number) => (i: number, now: number) =>
        IDS.map((id) =>
          pack(id, now, { jitter: i, soc: 30, cells: id === 'P1' ? cellsWith(3.2, 3, volts) : undefined }),
        );
      r.run(10, at(2.85));
      const back = r.run(60, at(2.95));
      assert.ok(back.every((bank) => bank.latches.cellLow && bank.dcl === 0 && !bank.relays.load));
    });
  }

  it('a pack gone silent with a cell at 3.75 V keeps the cell over-voltage alarm and the alarm relay on', () => {
    const r = warmRun(config());
    const runner = cellsWith(3.3, 6, 3.75);
    r.run(5, (i, now) => IDS.map((id) => pack(id, now, { jitter: i, cells: id === 'P1' ? runner : undefined })));
    const silent = r.run(120, (i, now) => ['P2', 'P3'].map((id) => pack(id, now, { jitter: i })));
    assert.equal(silent.at(-1)!.packStates.P1.status, 'offline');
    for (const bank of silent) {
      assert.equal(bank.alarms.cellOverVoltage, 'alarm');
      assert.equal(bank.relays.alarm, true);
    }
  });
});
