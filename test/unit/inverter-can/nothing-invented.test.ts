/**
 * Nothing invented on the wire: a bank in INIT, or one without a measured voltage, never reaches an
 * inverter. Properties over every encoder and over the cyclic transmitter (random input scripts on
 * simulated time, inverter polls included), then the transitions step by step.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { SimClock } from '../../../src/core/clock';
import type { BankState } from '../../../src/core/pack-state';
import type { InverterProtocol } from '../../../src/transport/can-inverter-api';
import { PROTOCOLS } from '../../../src/nodes/inverter-can/protocols';
import { CyclicTransmitter } from '../../../src/nodes/inverter-can/transmitter';
import { wireClaimProblem } from '../../../src/nodes/inverter-can/wire-values';
import type { CanFrame } from '../../../src/transport/can-frame';
import { TARGETS, baseBank, validBank } from './bank-arbitrary';

const SEED = Number(process.env.CELLSAFE_PROPERTY_SEED ?? 20261121);

/** SOH marks where a bank came from: every frame on the wire must carry the real banks' mark. */
const REAL_SOH = 99;
const CLAIMLESS_SOH = 7;

/** Banks with real values: not INIT, a measured voltage, SoC at least 1 %. */
const realBank: fc.Arbitrary<BankState> = validBank.map((b) => ({ ...b, soc: Math.max(1, b.soc), soh: REAL_SOH }));

/** What bms-rules emits while in INIT: the headline SoC 0 % / 0 V, or anything else. */
const initBank: fc.Arbitrary<BankState> = fc.tuple(validBank, fc.boolean()).map(([b, zero]) => ({
  ...b,
  ...(zero ? { soc: 0, voltage: 0, current: 0 } : {}),
  soh: CLAIMLESS_SOH,
  chargeState: 'init' as const,
}));

/** Past INIT but no measured voltage (a hand-built object, or no pack ever answered). */
const unmeasuredBank: fc.Arbitrary<BankState> = fc
  .tuple(validBank, fc.double({ min: -400, max: 0.999, noNaN: true }))
  .map(([b, voltage]) => ({ ...b, voltage, soc: 0, soh: CLAIMLESS_SOH }));

const claimlessBank = fc.oneof(initBank, unmeasuredBank);

describe('inverter CAN: nothing invented on the wire (acceptance 3)', () => {
  describe('encoders', () => {
    for (const { protocol, profile } of TARGETS) {
      it(`${protocol.name}/${profile}: no frame at all from a bank in INIT or without a voltage`, () => {
        fc.assert(
          fc.property(claimlessBank, (bank) => {
            assert.deepEqual(protocol.encode(bank, { profile }), []);
          }),
          { numRuns: 200, seed: SEED },
        );
      });

      it(`${protocol.name}/${profile}: the same bank once out of INIT is sent in full`, () => {
        fc.assert(
          fc.property(initBank, (bank) => {
            const real = { ...bank, chargeState: 'bulk' as const, voltage: 52.4, soh: REAL_SOH };
            const view = protocol.decode(protocol.encode(real, { profile }), { profile });
            assert.ok(Math.abs((view.voltage as number) - 52.4) <= 0.1);
            assert.equal(view.soh, REAL_SOH);
          }),
          { numRuns: 50, seed: SEED },
        );
      });
    }
  });

  describe('transmitter', () => {
    const step = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('bank' as const), bank: realBank }), weight: 3 },
      { arbitrary: fc.record({ kind: fc.constant('bank' as const), bank: claimlessBank }), weight: 4 },
      {
        arbitrary: fc.record({ kind: fc.constant('stopCan' as const), bank: fc.oneof(realBank, claimlessBank) }),
        weight: 1,
      },
      {
        arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 6000 }) }),
        weight: 4,
      },
      { arbitrary: fc.record({ kind: fc.constant('inverter' as const) }), weight: 2 },
    );

    for (const { protocol, profile } of TARGETS) {
      it(`${protocol.name}/${profile}: every frame sent carries a real bank's values; none before the first`, () => {
        fc.assert(
          fc.property(fc.array(step, { maxLength: 30 }), (script) => {
            const clock = new SimClock();
            const sent: CanFrame[][] = [];
            const tx = new CyclicTransmitter({
              protocol,
              encodeOptions: { profile },
              clock,
              staleSec: 3,
              silenceSec: 8,
              linkTimeoutSec: 5,
              transmit: (frames) => sent.push(frames),
            });
            let realSeen = false;
            for (const s of script) {
              if (s.kind === 'advance') clock.advance(s.ms);
              else if (s.kind === 'inverter') for (const f of protocol.inverterFrames?.() ?? []) tx.onInverterFrame(f);
              else {
                const bank = { ...s.bank, time: clock.now(), stopCan: s.kind === 'stopCan' };
                tx.update(bank);
                realSeen ||= s.kind === 'bank' && wireClaimProblem(bank) === undefined;
              }
              if (!realSeen) assert.equal(sent.length, 0, 'nothing before the first valid bank');
            }
            for (const frames of sent) {
              const view = protocol.decode(frames, { profile });
              assert.equal(view.soh, REAL_SOH, 'values of a real bank');
              assert.ok((view.soc as number) >= 1, `SoC ${String(view.soc)}`);
              assert.ok((view.voltage as number) >= 1, `voltage ${String(view.voltage)}`);
            }
          }),
          { numRuns: 60, seed: SEED },
        );
      });
    }
  });

  describe('transmitter transitions', () => {
    function rig(protocol: InverterProtocol) {
      const clock = new SimClock();
      const sent: CanFrame[][] = [];
      const tx = new CyclicTransmitter({
        protocol,
        clock,
        staleSec: 10,
        silenceSec: 60,
        linkTimeoutSec: 5,
        transmit: (frames) => sent.push(frames),
      });
      const view = (i = -1) => protocol.decode(sent.at(i) ?? [], {});
      return { clock, sent, tx, view };
    }
    const init = (time: number, over: Partial<BankState> = {}) =>
      baseBank({ time, chargeState: 'init', soc: 0, voltage: 0, current: 0, ccl: 0, dcl: 0, ...over });

    it('INIT for 30 s: nothing sent, waiting; the first valid bank goes out at once', () => {
      const { clock, sent, tx, view } = rig(PROTOCOLS.sma);
      for (let t = 0; t < 30; t++) {
        tx.update(init(clock.now()));
        clock.advance(1000);
      }
      assert.equal(sent.length, 0);
      assert.equal(tx.status.state, 'waiting');
      tx.update(baseBank({ time: clock.now(), soc: 64, voltage: 52.4 }));
      assert.equal(sent.length, 1);
      assert.equal(tx.status.state, 'transmitting');
      assert.equal(view().soc, 64);
      assert.ok(Math.abs((view().voltage as number) - 52.4) < 0.01);
    });

    it('growatt: polls before the first valid bank get no answer', () => {
      const { clock, sent, tx } = rig(PROTOCOLS.growatt);
      const poll = PROTOCOLS.growatt.inverterFrames!()[0];
      for (let t = 0; t < 10; t++) {
        tx.update(init(clock.now(), { soc: 55, voltage: 52 }));
        tx.onInverterFrame(poll);
        clock.advance(1000);
      }
      assert.equal(sent.length, 0);
      assert.equal(tx.status.link, 'ok', 'the poll still proves the inverter is there');
      tx.update(baseBank({ time: clock.now() }));
      const n = sent.length;
      tx.onInverterFrame(poll);
      assert.equal(sent.length, n + 1, 'answered once a valid bank is in');
    });

    it('a bms-rules redeploy (INIT again) keeps the last valid bank on the wire until stale, then zero limits with real values', () => {
      const { clock, sent, tx, view } = rig(PROTOCOLS.victron);
      tx.update(baseBank({ time: clock.now(), soc: 71, dcl: 150 }));
      clock.advance(500);
      for (let t = 0; t < 9; t++) {
        tx.update(init(clock.now()));
        clock.advance(1000);
      }
      assert.equal(view().dcl, 150, 'within staleSec the inverter keeps the last valid limits');
      assert.equal(view().soc, 71);
      clock.advance(1000);
      assert.equal(tx.status.state, 'stale');
      assert.equal(view().dcl, 0);
      assert.equal(view().soc, 71, 'the fail-safe frames keep the real SoC');
      assert.ok((view().voltage as number) > 50, 'and the real voltage');
      for (let i = 0; i < sent.length; i++) assert.ok(view(i).soc === 71 && (view(i).voltage as number) > 50);
    });

    it('stopCan silences even in INIT; an INIT bank without stopCan waits; a valid bank resumes', () => {
      const { clock, sent, tx, view } = rig(PROTOCOLS.pylontech);
      tx.update(baseBank({ time: clock.now() }));
      const n = sent.length;
      tx.update(init(clock.now(), { stopCan: true }));
      assert.equal(tx.status.state, 'stopped');
      clock.advance(5000);
      assert.equal(sent.length, n);
      tx.update(init(clock.now()));
      assert.equal(tx.status.state, 'waiting');
      clock.advance(5000);
      assert.equal(sent.length, n);
      tx.update(baseBank({ time: clock.now(), soc: 33 }));
      assert.equal(tx.status.state, 'transmitting');
      assert.equal(view().soc, 33);
    });
  });
});
