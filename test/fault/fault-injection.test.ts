/**
 * Short fault-injection suite (issue 9): fixed seeds, simulated time. Random sequences of pack
 * silence, garbage, truncated frames, checksum errors, over-voltage cells, port unplug/replug,
 * redeploys and restarts over the whole chain (simulator → bus → Seplos V2 reader → bms-rules →
 * Pylontech transmitter), with the invariants of test/helpers/fault-run.ts checked after every step.
 * The long run is `npm run soak -- --seed N`.
 */
import assert from 'node:assert/strict';
import { JK_PB, type PolledProtocol, SEPLOS_V2 } from '../helpers/bms-protocols';
import { type FaultOp, type FaultRunResult, runFaults } from '../helpers/fault-run';
import { PROTOCOLS } from '../../src/nodes/inverter-can/protocols';

const RUNS: Array<{ seed: number; bms: PolledProtocol; inverter: keyof typeof PROTOCOLS }> = [
  { seed: 9001, bms: SEPLOS_V2, inverter: 'pylontech' },
  { seed: 9002, bms: JK_PB, inverter: 'victron' },
  { seed: 9003, bms: SEPLOS_V2, inverter: 'sma' },
];
const SEEDS = RUNS.map((r) => r.seed);
const ALL_OPS: FaultOp[] = [
  'silent',
  'garbage',
  'truncated',
  'badChecksum',
  'runner',
  'clearPack',
  'allSilent',
  'unplug',
  'replug',
  'redeploy',
  'restart',
  'recover',
];

const describeFailure = (r: FaultRunResult): string =>
  `seed ${r.seed}: ${r.violations.join('\n')}\nlast operations:\n${r.history.join('\n')}`;

describe('fault injection (short, fixed seeds)', function () {
  this.timeout(120_000);
  const results: FaultRunResult[] = [];

  for (const { seed, bms, inverter } of RUNS) {
    it(`seed ${seed}: 40 min of random faults on 3 ${bms.protocol} packs → ${inverter} keep every invariant`, async () => {
      const r = await runFaults({
        seed,
        bms,
        inverter: PROTOCOLS[inverter],
        packs: 3,
        durationMs: 40 * 60_000,
        maxGapMs: 60_000,
      });
      results.push(r);
      assert.deepEqual(r.violations, [], describeFailure(r));
      assert.ok(r.recoveries >= 1, 'at least one recovery to NORMAL was checked');
      assert.ok(r.counters.polls > 100 && r.counters.cycles > 100, 'the chain ran');
    });
  }

  it('the seeds together exercise every kind of fault', () => {
    const seen = new Set(results.flatMap((r) => Object.keys(r.opCounts)));
    assert.deepEqual(
      ALL_OPS.filter((op) => !seen.has(op)),
      [],
    );
  });

  it('the same seed replays the same run', async () => {
    const run = () =>
      runFaults({
        seed: 77,
        bms: SEPLOS_V2,
        inverter: PROTOCOLS.pylontech,
        packs: 2,
        durationMs: 10 * 60_000,
        maxGapMs: 30_000,
      });
    const [a, b] = [await run(), await run()];
    assert.deepEqual({ ...a.counters, ops: a.opCounts }, { ...b.counters, ops: b.opCounts });
  });

  describe('the invariants catch a broken chain', () => {
    const run = (tamper: Parameters<typeof runFaults>[0]['tamper'], seed: number) =>
      runFaults({
        seed,
        bms: SEPLOS_V2,
        inverter: PROTOCOLS.pylontech,
        packs: 3,
        durationMs: 40 * 60_000,
        maxGapMs: 60_000,
        tamper,
        stopAtFirst: true,
      });

    it('an engine that ignores the over-voltage latch', async () => {
      const r = await run((bank) => {
        if (bank.latches.cellHigh) bank.ccl = 5;
      }, SEEDS[0]);
      assert.ok(
        r.violations.some((v) => v.includes('≥ cut')),
        r.violations.join('\n') || 'no violation found',
      );
    });

    it('an engine that keeps charging while blind past the grace', async () => {
      const r = await run((bank) => {
        if (bank.mode === 'failsafe') {
          bank.mode = 'blind';
          bank.ccl = 5;
        }
      }, SEEDS[0]);
      assert.ok(
        r.violations.some((v) => v.includes('blind for')),
        r.violations.join('\n') || 'no violation found',
      );
    });

    it('an engine that keeps the absorb voltage while in FAILSAFE', async () => {
      const r = await run((bank) => {
        if (bank.mode === 'failsafe') bank.cvl = 55.2;
      }, SEEDS[0]);
      assert.ok(
        r.violations.some((v) => v.includes('above float')),
        r.violations.join('\n') || 'no violation found',
      );
    });

    it('an engine that publishes NaN', async () => {
      const r = await run((bank) => {
        if (bank.packs.offline > 0) bank.dcl = NaN;
      }, SEEDS[0]);
      assert.ok(
        r.violations.some((v) => v.includes('bank.dcl = NaN')),
        r.violations.join('\n') || 'no violation found',
      );
    });
  });
});
