import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { SimClock } from '../../../src/core/clock';
import type { BusPort } from '../../../src/transport/bus-port';
import { canFrame, type CanFrame } from '../../../src/transport/can-frame';
import { encodeSlcan, parseSlcanLine, SlcanChannel } from '../../../src/transport/can-slcan';

/** Plays a Lawicel adapter behind a fake serial port. */
class FakeAdapter extends EventEmitter implements BusPort {
  isOpen = false;
  lines: string[] = [];
  /** Answer per command letter; default CR. */
  answers: Record<string, string> = { C: '\x07' };
  txAnswer = 'z\r';
  failOpen?: Error;

  open(): Promise<void> {
    if (this.failOpen) return Promise.reject(this.failOpen);
    this.isOpen = true;
    return Promise.resolve();
  }

  write(data: Buffer): Promise<void> {
    for (const line of data.toString('ascii').split('\r').filter(Boolean)) {
      this.lines.push(line);
      const answer = 'tTrR'.includes(line[0]) ? this.txAnswer : (this.answers[line[0]] ?? '\r');
      queueMicrotask(() => this.emit('data', Buffer.from(answer, 'latin1')));
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.isOpen) {
      this.isOpen = false;
      this.emit('close', false);
    }
    return Promise.resolve();
  }

  unplug(): void {
    this.isOpen = false;
    this.emit('close', true);
  }
  push(text: string): void {
    this.emit('data', Buffer.from(text, 'latin1'));
  }
}

const settle = () => new Promise((r) => setImmediate(r));

async function connected(options: { bitrate?: number; adapter?: FakeAdapter } = {}) {
  const clock = new SimClock();
  const adapters: FakeAdapter[] = [];
  const channel = new SlcanChannel({
    path: `/tmp/nonexistent-slcan-${Math.random()}`,
    bitrate: options.bitrate ?? 500000,
    clock,
    openPort: () => {
      const a = adapters.length === 0 && options.adapter ? options.adapter : new FakeAdapter();
      adapters.push(a);
      return a;
    },
  });
  for (let i = 0; i < 10; i++) await settle();
  return { clock, channel, adapters };
}

describe('slcan channel', () => {
  it('opens with C, the bitrate code, then O', async () => {
    for (const [bitrate, code] of [
      [500000, 'S6'],
      [250000, 'S5'],
      [125000, 'S4'],
      [1000000, 'S8'],
    ] as const) {
      const { channel, adapters } = await connected({ bitrate });
      assert.deepEqual(adapters[0].lines, ['C', code, 'O']);
      assert.deepEqual(channel.status, { state: 'connected' });
      await channel.close();
      assert.equal(adapters[0].lines[adapters[0].lines.length - 1], 'C', 'closes the CAN channel before the port');
    }
  });

  it('an unsupported bitrate is a clear error and opens nothing', async () => {
    const { channel, adapters } = await connected({ bitrate: 300000 });
    assert.equal(channel.status.state, 'error');
    assert.match((channel.status as { reason: string }).reason, /300000/);
    assert.equal(adapters.length, 0);
  });

  it('transmits t/T lines and counts refusals; three BELLs in a row → error, an OK answer → connected', async () => {
    const { channel, adapters } = await connected();
    const a = adapters[0];
    channel.send(canFrame(0x351, [0x28, 0x02, 0xe8, 0x03, 0xe8, 0x03, 0xe0, 0x01]));
    channel.send(canFrame(0x18ff50e5, [1, 2], true));
    await settle();
    assert.deepEqual(a.lines.slice(3), ['t35182802E803E803E001', 'T18FF50E520102']);
    a.txAnswer = '\x07';
    for (let i = 0; i < 3; i++) channel.send(canFrame(0x355, [1]));
    await settle();
    assert.equal(channel.status.state, 'error');
    assert.match((channel.status as { reason: string }).reason, /ACK/);
    assert.equal(channel.counters.refused, 3);
    a.txAnswer = 'z\r';
    channel.send(canFrame(0x355, [1]));
    await settle();
    assert.equal(channel.status.state, 'connected');
    await channel.close();
  });

  it('parses received frames (standard, extended, RTR, timestamped, split across chunks) and counts garbage', async () => {
    const { channel, adapters } = await connected();
    const got: CanFrame[] = [];
    channel.onFrame((f) => got.push(f));
    const a = adapters[0];
    a.push('t30580000000');
    a.push('000000000\r');
    a.push('T000003058AABBCCDDEEFF0011\r');
    a.push('r1232\rt3051011A2B\rtZZZ1\r');
    await settle();
    assert.equal(got.length, 4);
    assert.deepEqual(got[0], { id: 0x305, ext: false, rtr: false, data: Buffer.alloc(8) });
    assert.deepEqual(got[1], { id: 0x305, ext: true, rtr: false, data: Buffer.from('AABBCCDDEEFF0011', 'hex') });
    assert.deepEqual([got[2].id, got[2].rtr, got[2].data.length], [0x123, true, 2]);
    assert.deepEqual(got[3].data, Buffer.from([0x01]));
    assert.equal(channel.counters.malformed, 1);
    await channel.close();
  });

  it('a refused bitrate is an error, then it retries', async () => {
    const bad = new FakeAdapter();
    bad.answers.S = '\x07';
    const { clock, channel, adapters } = await connected({ adapter: bad });
    assert.equal(channel.status.state, 'error');
    assert.match((channel.status as { reason: string }).reason, /S6/);
    assert.equal(bad.isOpen, false);
    clock.advance(1_000);
    for (let i = 0; i < 10; i++) await settle();
    assert.equal(adapters.length, 2);
    assert.equal(channel.status.state, 'connected');
    await channel.close();
  });

  it('close() while the port is still opening leaves it closed and the adapter off the bus', async () => {
    const slow = new FakeAdapter();
    let finishOpen = (): void => undefined;
    slow.open = () =>
      new Promise<void>((resolve) => {
        finishOpen = () => {
          slow.isOpen = true;
          resolve();
        };
      });
    const channel = new SlcanChannel({
      path: `/tmp/nonexistent-slcan-${Math.random()}`,
      bitrate: 500000,
      clock: new SimClock(),
      openPort: () => slow,
    });
    await settle();
    const closed = channel.close();
    finishOpen();
    for (let i = 0; i < 10; i++) await settle();
    await closed;
    assert.equal(slow.isOpen, false, 'the port opened after close() is closed again');
    assert.ok(!slow.lines.includes('O'), `the CAN channel was opened after close(): ${slow.lines.join(',')}`);
    assert.equal(channel.status.state, 'closed');
  });

  it('an adapter that never answers times out instead of hanging', async () => {
    const mute = new FakeAdapter();
    mute.write = (d) => {
      mute.lines.push(d.toString());
      return Promise.resolve();
    };
    const { clock, channel } = await connected({ adapter: mute });
    for (let i = 0; i < 2; i++) {
      clock.advance(1_000);
      for (let j = 0; j < 5; j++) await settle();
    }
    assert.equal(channel.status.state, 'error');
    assert.match((channel.status as { reason: string }).reason, /does not answer|bitrate/);
    await channel.close();
  });

  it('unplug → disconnected, nothing sent, reconnect with backoff', async () => {
    const { clock, channel, adapters } = await connected();
    const statuses: string[] = [];
    channel.onStatus((s) => statuses.push(s.state));
    adapters[0].unplug();
    assert.deepEqual(channel.status, { state: 'disconnected', reason: 'adapter unplugged' });
    channel.send(canFrame(0x351, [1]));
    assert.equal(channel.counters.dropped, 1);
    clock.advance(1_000);
    for (let i = 0; i < 10; i++) await settle();
    assert.deepEqual(statuses, ['disconnected', 'connecting', 'connected']);
    assert.equal(adapters.length, 2);
    await channel.close();
    assert.equal(clock.pending, 0);
  });

  it('a port that cannot open reports why and keeps retrying, doubling the delay', async () => {
    const missing = new FakeAdapter();
    missing.failOpen = new Error('ENOENT: no such file');
    const clock = new SimClock();
    let opens = 0;
    const channel = new SlcanChannel({
      path: '/tmp/none-slcan',
      bitrate: 500000,
      clock,
      openPort: () => {
        opens += 1;
        return missing;
      },
    });
    for (let i = 0; i < 5; i++) await settle();
    assert.equal(channel.status.state, 'disconnected');
    assert.match((channel.status as { reason: string }).reason, /ENOENT/);
    for (const wait of [1_000, 2_000, 4_000]) {
      clock.advance(wait);
      for (let i = 0; i < 5; i++) await settle();
    }
    assert.equal(opens, 4);
    await channel.close();
  });

  it('encodeSlcan and parseSlcanLine round-trip every valid frame', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.nat(0x1fffffff),
        fc.uint8Array({ maxLength: 8 }),
        (ext, rtr, rawId, bytes) => {
          const id = ext ? rawId : rawId & 0x7ff;
          const frame: CanFrame = { id, ext, rtr, data: rtr ? Buffer.alloc(bytes.length) : Buffer.from(bytes) };
          const line = encodeSlcan(frame);
          assert.ok(line.endsWith('\r'));
          assert.deepEqual(parseSlcanLine(line.slice(0, -1)), frame);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('parseSlcanLine rejects malformed lines without throwing', () => {
    for (const line of [
      't',
      't12',
      't1239',
      't1232010',
      'T1234567',
      'tABCZ',
      'x1231AA',
      't8001AA',
      'T2000000010',
      't1232AABBCC',
    ]) {
      assert.equal(parseSlcanLine(line), undefined, line);
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        parseSlcanLine(s);
      }),
      { numRuns: 5000 },
    );
  });
});
