import { strict as assert } from 'node:assert';
import { SimClock } from '../../../src/core/clock';
import type { CanFrame } from '../../../src/transport/can-frame';
import { canFrame } from '../../../src/transport/can-frame';
import {
  CyclicTransmitter,
  failSafeBank,
  transmitterOptionsProblem,
  type TransmitterOptions,
  type TransmitterStatus,
} from '../../../src/nodes/inverter-can/transmitter';
import type { InverterProtocol } from '../../../src/transport/can-inverter-api';
import { PROTOCOLS } from '../../../src/nodes/inverter-can/protocols';
import { sampleBank as bank } from '../../helpers/bank-state';
import { Rng } from '../../helpers/rng';
import { fakeAcked, fakePolled, fakeUnsupervised } from './fake-protocol';

interface Sent {
  at: number;
  frames: CanFrame[];
}

function rig(protocol: InverterProtocol, over: Partial<TransmitterOptions> = {}) {
  const clock = new SimClock();
  const sent: Sent[] = [];
  const statuses: TransmitterStatus[] = [];
  const tx = new CyclicTransmitter({
    protocol,
    clock,
    staleSec: 10,
    silenceSec: 60,
    linkTimeoutSec: 10,
    transmit: (frames) => sent.push({ at: clock.now(), frames }),
    onStatus: (s) => statuses.push(s),
    ...over,
  });
  const ccl = (s: Sent) => protocol.decode(s.frames).ccl;
  return { clock, sent, statuses, tx, ccl };
}

describe('inverter-can transmitter', () => {
  it('sends nothing before the first bank', () => {
    const { clock, sent, tx } = rig(fakeAcked);
    clock.advance(30_000);
    assert.equal(sent.length, 0);
    assert.equal(tx.status.state, 'waiting');
  });

  for (const protocol of [fakeAcked, fakeUnsupervised]) {
    it(`${protocol.name}: cycles stay at the period ±10 % for 10 min of irregular input`, () => {
      const { clock, sent, tx } = rig(protocol);
      const rng = new Rng(7);
      let t = 0;
      tx.update(bank(clock.now()));
      while (t < 600_000) {
        // bursts and gaps of up to 8 s, never longer than staleSec
        const gap = rng.next() < 0.3 ? rng.next() * 50 : rng.next() * 8000;
        clock.advance(gap);
        t += gap;
        tx.update(bank(clock.now(), { soc: Math.round(rng.next() * 100) }));
      }
      const intervals = sent.slice(1).map((s, i) => s.at - sent[i].at);
      assert.ok(intervals.length >= 590, `only ${intervals.length} cycles`);
      const worst = Math.max(...intervals.map((d) => Math.abs(d - protocol.periodMs) / protocol.periodMs));
      assert.ok(worst <= 0.1, `worst cadence deviation ${(worst * 100).toFixed(1)} %`);
      assert.ok(sent.every((s) => s.frames.length === 3));
      assert.equal(tx.status.state, 'transmitting');
    });
  }

  it('a limit dropping to 0 goes out at once (after the minimum gap), then the cadence restarts from it', () => {
    const gap = 200;
    const { clock, sent, tx, ccl } = rig({ ...fakeUnsupervised, minGapMs: gap });
    tx.update(bank(clock.now()));
    clock.advance(450);
    const before = sent.length;
    tx.update(bank(clock.now(), { ccl: 0 }));
    clock.advance(0);
    assert.equal(sent.length, before + 1, 'sent without waiting for the period');
    assert.equal(ccl(sent.at(-1)!), 0);
    const urgentAt = sent.at(-1)!.at;
    // Right after a send, the minimum gap holds the next one back.
    tx.update(bank(clock.now(), { ccl: 0, dcl: 0 }));
    clock.advance(gap - 1);
    assert.equal(sent.length, before + 1);
    clock.advance(1);
    assert.equal(sent.length, before + 2);
    assert.equal(sent.at(-1)!.at - urgentAt, gap);
    clock.advance(fakeUnsupervised.periodMs);
    assert.equal(sent.at(-1)!.at - sent.at(-2)!.at, fakeUnsupervised.periodMs, 'regular cadence from the last send');
    // A limit that only shrinks (not to 0) waits for the period.
    tx.update(bank(clock.now(), { ccl: 0, dcl: 50 }));
    clock.advance(fakeUnsupervised.periodMs);
    const n = sent.length;
    tx.update(bank(clock.now(), { ccl: 0, dcl: 20 }));
    clock.advance(10);
    assert.equal(sent.length, n);
    assert.equal(fakeUnsupervised.decode(sent.at(-1)!.frames).dcl, 50);
  });

  it('the minimum gap is 50 ms unless the protocol sets one (SMA: 200 ms)', () => {
    const { clock, sent, tx } = rig(fakeUnsupervised);
    tx.update(bank(clock.now()));
    tx.update(bank(clock.now(), { ccl: 0 }));
    clock.advance(49);
    assert.equal(sent.length, 1);
    clock.advance(1);
    assert.equal(sent.length, 2);
    assert.equal(PROTOCOLS.sma.minGapMs, 200);
  });

  it('stale input → CCL = DCL = 0 with the communication alarm within staleSec, CVL kept', () => {
    const { clock, sent, tx, ccl } = rig(fakeAcked, { staleSec: 5 });
    tx.update(bank(clock.now()));
    clock.advance(2_300);
    const lastInput = clock.now();
    tx.update(bank(clock.now()));
    clock.advance(20_000);
    const firstZero = sent.find((s) => ccl(s) === 0);
    assert.ok(firstZero, 'no zero-limit cycle');
    assert.ok(
      firstZero.at <= lastInput + 5_000,
      `zero limits only ${firstZero.at - lastInput} ms after the last input`,
    );
    assert.ok(
      sent.filter((s) => s.at < lastInput + 5_000).every((s) => ccl(s) === 100),
      'limits dropped before staleSec',
    );
    const view = fakeAcked.decode(firstZero.frames);
    assert.equal(view.dcl, 0);
    assert.equal(view.cvl, 55.2);
    assert.deepEqual(view.alarms, ['communication']);
    assert.equal(tx.status.state, 'stale');
    // the fail-safe cycles keep the cadence
    const after = sent.filter((s) => s.at >= firstZero.at);
    assert.ok(after.slice(1).every((s, i) => s.at - after[i].at === 1000));
  });

  it('a bank is as old as its own time: one measured 4.5 s before it arrives goes stale 0.5 s later (staleSec 5)', () => {
    const { clock, sent, tx, ccl } = rig(fakeAcked, { staleSec: 5 });
    tx.update(bank(clock.now()));
    clock.advance(1_000);
    const arrived = clock.now();
    tx.update(bank(arrived - 4_500));
    clock.advance(2_000);
    const firstZero = sent.find((s) => ccl(s) === 0);
    assert.ok(firstZero, 'no zero-limit cycle');
    assert.ok(firstZero.at <= arrived + 500 + 50, `zero limits ${firstZero.at - arrived} ms after it arrived`);
    assert.equal(tx.status.state, 'stale');
    // one already older than staleSec when it arrives stops the flow at once (after the minimum gap)
    const second = rig(fakeAcked, { staleSec: 5 });
    second.tx.update(bank(second.clock.now()));
    second.clock.advance(300);
    second.tx.update(bank(second.clock.now() - 6_000));
    second.clock.advance(50);
    assert.equal(second.ccl(second.sent.at(-1)!), 0);
    assert.equal(second.tx.status.state, 'stale');
  });

  it('a fresh bank after stale restores the limits on the next cycle', () => {
    const { clock, sent, tx, ccl } = rig(fakeAcked, { staleSec: 3 });
    tx.update(bank(clock.now()));
    clock.advance(5_000);
    assert.equal(ccl(sent[sent.length - 1]), 0);
    tx.update(bank(clock.now()));
    clock.advance(1_000);
    assert.equal(ccl(sent[sent.length - 1]), 100);
    assert.equal(tx.status.state, 'transmitting');
  });

  it('no input for silenceSec → silent; a new bank resumes at once', () => {
    const { clock, sent, tx } = rig(fakeAcked, { staleSec: 5, silenceSec: 30 });
    tx.update(bank(clock.now()));
    const lastInput = clock.now();
    clock.advance(120_000);
    const last = sent[sent.length - 1].at;
    assert.ok(last < lastInput + 30_000 && last >= lastInput + 29_000, `last frame ${last - lastInput} ms after input`);
    assert.equal(tx.status.state, 'silent');
    tx.update(bank(clock.now()));
    assert.equal(sent[sent.length - 1].at, clock.now());
    clock.advance(3_000);
    assert.equal(tx.status.state, 'transmitting');
  });

  it('silenceSec 0 keeps sending the fail-safe frames', () => {
    const { clock, sent, tx, ccl } = rig(fakeAcked, { staleSec: 5, silenceSec: 0 });
    tx.update(bank(clock.now()));
    clock.advance(600_000);
    assert.ok(sent.length >= 600);
    assert.equal(ccl(sent[sent.length - 1]), 0);
  });

  it('stopCan stops at once; stopCan false resumes', () => {
    const { clock, sent, tx } = rig(fakeAcked);
    tx.update(bank(clock.now()));
    clock.advance(3_500);
    const n = sent.length;
    tx.update(bank(clock.now(), { stopCan: true }));
    clock.advance(10_000);
    tx.update(bank(clock.now(), { stopCan: true }));
    clock.advance(10_000);
    assert.equal(sent.length, n);
    assert.equal(tx.status.state, 'stopped');
    tx.update(bank(clock.now()));
    assert.equal(sent.length, n + 1);
  });

  it('link supervision: waiting → ok on ACK → lost after linkTimeoutSec', () => {
    const { clock, tx } = rig(fakeAcked, { linkTimeoutSec: 5 });
    tx.update(bank(clock.now()));
    assert.equal(tx.status.link, 'waiting');
    tx.onInverterFrame(canFrame(0x123, [1]));
    assert.equal(tx.status.link, 'waiting');
    tx.onInverterFrame(canFrame(0x305, [0, 0, 0, 0, 0, 0, 0, 0]));
    assert.equal(tx.status.link, 'ok');
    for (let i = 0; i < 4; i++) {
      tx.update(bank(clock.now()));
      clock.advance(1_000);
    }
    assert.equal(tx.status.link, 'ok');
    for (let i = 0; i < 3; i++) {
      tx.update(bank(clock.now()));
      clock.advance(1_000);
    }
    assert.equal(tx.status.link, 'lost');
  });

  it('linkTimeoutSec 0 or a protocol without an inverter side → unsupervised', () => {
    assert.equal(rig(fakeAcked, { linkTimeoutSec: 0 }).tx.status.link, 'unsupervised');
    assert.equal(rig(fakeUnsupervised).tx.status.link, 'unsupervised');
  });

  it('polled protocol: answers each poll, the periodic cycle pauses while polls come and returns after', () => {
    const { clock, sent, tx } = rig(fakePolled);
    tx.update(bank(clock.now()));
    const start = sent.length;
    for (let i = 0; i < 10; i++) {
      clock.advance(400);
      tx.onInverterFrame(canFrame(0x301, [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]));
      clock.advance(600);
      tx.update(bank(clock.now()));
    }
    assert.equal(sent.length - start, 10, 'one answer per poll, no extra periodic cycles');
    assert.equal(tx.status.link, 'ok');
    const n = sent.length;
    clock.advance(5_000);
    tx.update(bank(clock.now()));
    assert.ok(sent.length - n >= 4, 'periodic cycle resumes without polls');
  });

  it('polled protocol: the status shows what the answers carried, and a stop after a poll-answered reopen goes out at once', () => {
    const { clock, sent, tx, ccl } = rig(fakePolled);
    const poll = (): void => tx.onInverterFrame(canFrame(0x301, [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]));
    tx.update(bank(clock.now(), { ccl: 100 }));
    clock.advance(400);
    poll();
    clock.advance(600);
    tx.update(bank(clock.now(), { ccl: 0 }));
    clock.advance(0);
    assert.equal(ccl(sent.at(-1)!), 0, 'the first stop goes out at once');
    clock.advance(400);
    poll();
    clock.advance(600);
    tx.update(bank(clock.now(), { ccl: 80 }));
    clock.advance(400);
    poll();
    assert.equal(ccl(sent.at(-1)!), 80);
    assert.equal(tx.status.sent?.ccl, 80, 'status shows the bank the last answer carried');
    clock.advance(600);
    const n = sent.length;
    tx.update(bank(clock.now(), { ccl: 0 }));
    clock.advance(0);
    assert.equal(sent.length, n + 1, 'the second stop is sent without waiting for the next poll');
    assert.equal(ccl(sent.at(-1)!), 0);
  });

  it('no answer to a poll while silent or stopped', () => {
    const { clock, sent, tx } = rig(fakePolled);
    tx.update(bank(clock.now(), { stopCan: true }));
    tx.onInverterFrame(canFrame(0x301, [0]));
    clock.advance(5_000);
    assert.equal(sent.length, 0);
  });

  it('answers a poll with fail-safe values when the bank is stale', () => {
    const { clock, sent, tx, ccl } = rig(fakePolled, { staleSec: 3 });
    tx.update(bank(clock.now()));
    clock.advance(4_000);
    tx.onInverterFrame(canFrame(0x301, [0]));
    assert.equal(ccl(sent[sent.length - 1]), 0);
  });

  it('an encoder or handler that throws does not stop the timer', () => {
    let calls = 0;
    const flaky: InverterProtocol = {
      ...fakeAcked,
      encode: (b) => {
        calls += 1;
        if (calls === 2) throw new Error('bug');
        return fakeAcked.encode(b);
      },
      onInverterFrame: () => {
        throw new Error('bug');
      },
    };
    const { clock, sent, tx } = rig(flaky);
    tx.update(bank(clock.now()));
    tx.onInverterFrame(canFrame(0x305, []));
    clock.advance(5_000);
    assert.equal(sent.length, 5);
  });

  it('surfaces an inverter command', () => {
    const commanding: InverterProtocol = {
      ...fakeAcked,
      onInverterFrame: (f) => ({ linkAlive: true, command: f.id === 0x300 ? 'shutdown' : undefined }),
    };
    const { clock, tx } = rig(commanding);
    tx.update(bank(clock.now()));
    tx.onInverterFrame(canFrame(0x300, [1]));
    assert.equal(tx.status.command, 'shutdown');
  });

  it('close stops every timer', () => {
    const { clock, sent, tx } = rig(fakeAcked);
    tx.update(bank(clock.now()));
    tx.close();
    assert.equal(clock.pending, 0);
    clock.advance(10_000);
    tx.update(bank(clock.now()));
    assert.equal(sent.length, 1);
  });

  it('failSafeBank zeroes the limits and flags, keeps CVL and raises the alarm', () => {
    const b = failSafeBank(bank(0, { forceCharge: true, alarms: { cellImbalance: 'warn' } }));
    assert.deepEqual(
      [b.ccl, b.dcl, b.cvl, b.chargeAllowed, b.dischargeAllowed, b.forceCharge],
      [0, 0, 55.2, false, false, false],
    );
    assert.deepEqual(b.alarms, { cellImbalance: 'warn', communication: 'alarm' });
  });

  it('option problems are named', () => {
    assert.equal(transmitterOptionsProblem({ staleSec: 10, silenceSec: 60, linkTimeoutSec: 10 }), undefined);
    assert.match(transmitterOptionsProblem({ staleSec: 10, silenceSec: 5, linkTimeoutSec: 10 }) ?? '', /silenceSec/);
    assert.match(transmitterOptionsProblem({ staleSec: 0, silenceSec: 0, linkTimeoutSec: 10 }) ?? '', /staleSec/);
    assert.match(
      transmitterOptionsProblem({ periodMs: 50, staleSec: 1, silenceSec: 0, linkTimeoutSec: 0 }) ?? '',
      /period/,
    );
  });
});
