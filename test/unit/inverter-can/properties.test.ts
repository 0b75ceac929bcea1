/**
 * Acceptance 2: encode → decode round-trips within one LSB for random valid banks, and
 * out-of-range inputs clamp to each protocol's range (never wrap), for every protocol/profile.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { BankState } from '../../../src/core/pack-state';
import type { ClampedField, InverterProtocol, InverterView } from '../../../src/transport/can-inverter-api';
import { BANK_ALARMS, TARGETS, baseBank, validBank } from './bank-arbitrary';

const roundTrip = (protocol: InverterProtocol, profile: string, bank: BankState): InverterView =>
  protocol.decode(protocol.encode(bank, { profile }), { profile });

/** Growatt and Luxpower report the hottest cell where the others report the mean temperature. */
const reportsMaxTemperature = (protocol: InverterProtocol, profile: string): boolean =>
  protocol.name === 'growatt' || profile === 'luxpower';

/** The bank value each decoded field stands for. */
function sent(protocol: InverterProtocol, profile: string, bank: BankState, field: ClampedField): number {
  if (field === 'temperature')
    return reportsMaxTemperature(protocol, profile) ? bank.temperature.max : bank.temperature.avg;
  return bank[field];
}

const FIELDS: ClampedField[] = ['cvl', 'ccl', 'dcl', 'dvl', 'soc', 'soh', 'voltage', 'current', 'temperature'];
/** Fields a protocol does not carry at all. */
const absent = (protocol: InverterProtocol, field: ClampedField): boolean =>
  protocol.name === 'growatt' && field === 'dvl';

describe('inverter CAN encode → decode properties (acceptance 2)', () => {
  for (const { protocol, profile } of TARGETS) {
    describe(`${protocol.name}/${profile}`, () => {
      const ranges = protocol.ranges(profile);

      it('round-trips random valid banks within one LSB', () => {
        fc.assert(
          fc.property(validBank, (bank) => {
            const view = roundTrip(protocol, profile, bank);
            for (const field of FIELDS) {
              const got = view[field];
              if (absent(protocol, field)) {
                assert.equal(got, undefined);
                continue;
              }
              assert.equal(typeof got, 'number', `${field} missing`);
              const want = Math.min(
                ranges[field].max,
                Math.max(ranges[field].min, sent(protocol, profile, bank, field)),
              );
              const lsb = field === 'soc' ? 1 : ranges[field].lsb;
              assert.ok(
                Math.abs((got as number) - want) <= lsb + 1e-9,
                `${field}: sent ${want}, decoded ${String(got)}`,
              );
            }
          }),
          { numRuns: 300, seed: 20261121 },
        );
      });

      it('clamps out-of-range values to the field range, never wrapping', () => {
        const outside = fc.tuple(
          fc.constantFrom(...FIELDS),
          fc.boolean(),
          fc.double({ min: 1e-3, max: 1e7, noNaN: true }),
        );
        fc.assert(
          fc.property(outside, ([field, above, by]) => {
            if (absent(protocol, field)) return;
            // A CVL at or below zero is never sent; see the fail-safe test below. A voltage below the range
            // is no measurement: such a bank is not sent at all (nothing-invented.test.ts).
            if ((field === 'cvl' || field === 'voltage') && !above) return;
            const r = ranges[field];
            const value = above ? r.max + by : r.min - by;
            const bank =
              field === 'temperature'
                ? baseBank({ temperature: { min: value, max: value, avg: value } })
                : baseBank({ [field]: value });
            const got = roundTrip(protocol, profile, bank)[field] as number;
            const bound = above ? r.max : r.min;
            assert.ok(
              Math.abs(got - bound) <= r.lsb + 1e-9,
              `${field}=${value} decoded ${got}, range ${r.min}..${r.max}`,
            );
          }),
          { numRuns: 300, seed: 20261121 },
        );
      });

      it('clamps the classic bad inputs: negative limits, 7000 A, −40 °C', () => {
        const view = roundTrip(protocol, profile, baseBank({ ccl: -50, dcl: -0.3, current: 7000 }));
        const floor = profile === 'sofar' ? 0.1 : 0;
        assert.equal(view.ccl, floor);
        assert.equal(view.dcl, floor);
        assert.equal(view.current, ranges.current.max);
        assert.equal(roundTrip(protocol, profile, baseBank({ current: -7000 })).current, ranges.current.min);
        const cold = roundTrip(protocol, profile, baseBank({ temperature: { min: -40, max: -40, avg: -40 } }));
        assert.ok(
          Math.abs((cold.temperature as number) + 40) <= 0.1 + 1e-9,
          `−40 °C decoded ${String(cold.temperature)}`,
        );
      });

      it('never sends CVL 0: a bank without a sane CVL is held at its voltage with CCL 0', () => {
        const view = roundTrip(protocol, profile, baseBank({ cvl: 0, voltage: 52.4 }));
        assert.equal(view.cvl, Math.max(52.4, ranges.cvl.min));
        assert.equal(view.ccl, profile === 'sofar' ? 0.1 : 0);
      });

      it('sends a disallowed direction as limit 0 with its enable flag cleared', () => {
        const view = roundTrip(protocol, profile, baseBank({ chargeAllowed: false, dischargeAllowed: false }));
        const floor = profile === 'sofar' ? 0.1 : 0;
        assert.equal(view.ccl, floor);
        assert.equal(view.dcl, floor);
        if (view.chargeEnabled !== undefined) assert.equal(view.chargeEnabled, false);
        if (view.dischargeEnabled !== undefined) assert.equal(view.dischargeEnabled, false);
      });

      it('makes every bank alarm visible to the inverter where the protocol has a bit for it', () => {
        // Pylon 0x359 has no imbalance bit; "system error"/short-circuit are protection-only bits.
        const pylonOnly = protocol.name === 'pylontech' && profile !== 'goodwe';
        const invisible = new Set([
          ...(pylonOnly ? ['cellImbalance:warn', 'cellImbalance:alarm', 'internal:warn'] : []),
          ...(protocol.name === 'growatt' ? ['shortCircuit:warn', 'internal:warn'] : []),
        ]);
        for (const name of BANK_ALARMS) {
          for (const level of ['warn', 'alarm'] as const) {
            const view = roundTrip(protocol, profile, baseBank({ alarms: { [name]: level } }));
            const seen = level === 'alarm' ? view.alarms.length > 0 : view.warnings.length > 0;
            assert.equal(seen, !invisible.has(`${name}:${level}`), `${name} at ${level}`);
          }
        }
        assert.deepEqual(roundTrip(protocol, profile, baseBank()).alarms, []);
      });
    });
  }
});
