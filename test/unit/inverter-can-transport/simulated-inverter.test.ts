import { strict as assert } from 'node:assert';
import { SimClock } from '../../../src/core/clock';
import type { CanFrame } from '../../../src/transport/can-frame';
import type { InverterView } from '../../../src/transport/can-inverter-api';
import { SimulatedInverterChannel } from '../../../src/transport/can-simulated-inverter';
import { acquireCanChannel, openCanChannels } from '../../../src/transport/can-registry';
import type { CanChannel, CanStatus } from '../../../src/transport/can-channel';
import { sampleBank as bank } from '../../helpers/bank-state';
import { fakeAcked, fakeUnsupervised } from './fake-protocol';

describe('simulated inverter channel', () => {
  it('decodes what the battery sends and shows it as an inverter would', async () => {
    const clock = new SimClock();
    const inv = new SimulatedInverterChannel({ protocol: fakeAcked, clock });
    assert.equal(inv.view, undefined);
    assert.ok(inv.commsLost);
    for (const f of fakeAcked.encode(bank(clock.now(), { ccl: 42, soc: 61 }))) inv.send(f);
    const view = inv.view as InverterView | undefined;
    assert.equal(view?.ccl, 42);
    assert.equal(view?.soc, 61);
    assert.equal(inv.received.get('0x351'), 1);
    assert.equal(inv.commsLost, false);
    clock.advance(10_001);
    assert.ok(inv.commsLost, 'no frames for 10 s → comms lost');
    await inv.close();
  });

  it('sends the inverter frames every inverterPeriodMs unless silenced', async () => {
    const clock = new SimClock();
    const inv = new SimulatedInverterChannel({ protocol: fakeAcked, clock });
    const got: CanFrame[] = [];
    inv.onFrame((f) => got.push(f));
    clock.advance(3_000);
    assert.deepEqual(
      got.map((f) => f.id),
      [0x305, 0x305, 0x305],
    );
    inv.silent = true;
    clock.advance(3_000);
    assert.equal(got.length, 3);
    await inv.close();
    assert.equal(clock.pending, 0);
  });

  it('a protocol without an inverter side sends nothing', async () => {
    const clock = new SimClock();
    const inv = new SimulatedInverterChannel({ protocol: fakeUnsupervised, clock });
    let n = 0;
    inv.onFrame(() => {
      n += 1;
    });
    clock.advance(5_000);
    assert.equal(n, 0);
    assert.equal(clock.pending, 0);
    await inv.close();
  });
});

describe('CAN channel registry', () => {
  class Dummy implements CanChannel {
    closed = 0;
    status: CanStatus = { state: 'connected' };
    send(): void {
      /* nothing */
    }
    onFrame(): () => void {
      return () => undefined;
    }
    onStatus(): () => void {
      return () => undefined;
    }
    close(): Promise<void> {
      this.closed += 1;
      return Promise.resolve();
    }
  }

  it('shares one channel per interface and closes it with the last lease', async () => {
    let opened = 0;
    const dummy = new Dummy();
    const open = () => {
      opened += 1;
      return dummy;
    };
    const a = acquireCanChannel('slcan:/dev/x', '500000', open);
    const b = acquireCanChannel('slcan:/dev/x', '500000', open);
    assert.equal(opened, 1);
    assert.equal(a.channel, b.channel);
    assert.throws(() => acquireCanChannel('slcan:/dev/x', '250000', open), /already open with 500000/);
    await a.release();
    await a.release();
    assert.equal(dummy.closed, 0);
    await b.release();
    assert.equal(dummy.closed, 1);
    assert.equal(openCanChannels(), 0);
    const c = acquireCanChannel('slcan:/dev/x', '250000', () => new Dummy());
    await c.release();
  });
});
