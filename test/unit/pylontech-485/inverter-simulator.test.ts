/**
 * The simulated inverter against the answerer on simulated time, joined by an in-process wire: the
 * Voltronic profile reads limits, SOC, voltage, current and the stop flags that match the bank; the
 * SRNE profile reads the same through 0x61/0x62/0x63; a silent battery shows up as timeouts.
 */
import { strict as assert } from 'node:assert';
import { SimClock } from '../../../src/core/clock';
import {
  DEFAULT_ANSWERER_SETTINGS,
  PylonAnswerer,
} from '../../../src/nodes/pylontech-485/protocol-pylontech-485-answerer';
import {
  createPylonInverter,
  type InverterReading,
  type SimulatedPylonInverter,
} from '../../../src/nodes/pylontech-485/inverter-simulator';
import { sampleBank } from '../../helpers/bank-state';

function wire(profile: string): {
  clock: SimClock;
  answerer: PylonAnswerer;
  inverter: SimulatedPylonInverter;
  sent: string[];
} {
  const clock = new SimClock();
  const answerer = new PylonAnswerer(DEFAULT_ANSWERER_SETTINGS, clock);
  const sent: string[] = [];
  const inverter: SimulatedPylonInverter = createPylonInverter(
    { profile },
    {
      clock,
      send: (request) => {
        sent.push(request.toString('latin1'));
        // the battery answers 20 ms later, like a real pack at 9600 Bd
        clock.setTimeout(() => {
          for (const result of answerer.receive(request)) {
            if (result.kind === 'answered') inverter.receive(Buffer.from(result.frame, 'latin1'));
          }
        }, 20);
      },
    },
  );
  return { clock, answerer, inverter, sent };
}

describe('pylontech-485 simulated inverter', () => {
  it('Voltronic: 0x4F once, then 0x42 and 0x92 each second; reads the bank within one LSB', () => {
    const { clock, answerer, inverter, sent } = wire('voltronic');
    const readings: InverterReading[] = [];
    inverter.onReading((r) => readings.push(r));
    answerer.setBank(sampleBank(clock.now(), { soc: 80.4, current: -12.3 }));
    clock.advance(3050);
    inverter.close();
    assert.deepEqual(
      sent.map((s) => s.slice(7, 9)),
      ['4F', '42', '92', '42', '92', '42', '92'],
    );
    assert.equal(readings.length, 3);
    const r = readings[2];
    assert.deepEqual(r.problems, []);
    assert.deepEqual([r.cvl, r.dvl, r.ccl, r.dcl], [55.2, 48, 100, -150]);
    assert.deepEqual([r.chargeEnable, r.dischargeEnable, r.forceCharge, r.packCount], [true, true, false, 1]);
    assert.ok(Math.abs((r.soc ?? 0) - 80.4) < 0.01, `soc ${r.soc}`);
    assert.deepEqual([r.voltage, r.current], [53.2, -12.3]);
    assert.deepEqual(r.alarms, []);
  });

  it('SRNE: 0x61/0x62/0x63 each second; a stale bank reads as zero limits, stop flags and a system fault', () => {
    const { clock, answerer, inverter } = wire('srne');
    answerer.setBank(sampleBank(clock.now()));
    clock.advance(1100);
    assert.deepEqual(
      [inverter.last?.ccl, inverter.last?.dcl, inverter.last?.soc, inverter.last?.current],
      [100, 150, 80, 12.5],
    );
    clock.advance(10_000);
    const r = inverter.last!;
    assert.deepEqual([r.ccl, r.dcl, r.chargeEnable, r.dischargeEnable], [0, 0, false, false]);
    assert.deepEqual(r.alarms, ['systemFault', 'chargeDisabled', 'dischargeDisabled']);
    inverter.close();
  });

  it('no bank: every request times out and is reported', () => {
    const { clock, inverter } = wire('voltronic');
    clock.advance(2600);
    assert.deepEqual(inverter.last?.problems, [
      '0x4F: no answer within 500 ms',
      '0x42: no answer within 500 ms',
      '0x92: no answer within 500 ms',
    ]);
    inverter.close();
    assert.equal(clock.pending, 0);
  });
});
