/**
 * PB listen-only: the sniffer decodes a bank master's RS485-2 traffic (requests, slave answers with
 * or without pad bytes, the master's own frames with ACK address 0) split at random points, skips
 * garbage and regains sync after a corrupted frame.
 */
import { strict as assert } from 'node:assert';
import { SimClock } from '../../../src/core/clock';
import { withCrc } from '../../../src/transport/modbus-rtu';
import type { Result } from '../../../src/core/result';
import { PB_TRIGGERS, PbSniffer, triggerRequest, type TriggerAnswer } from '../../../src/nodes/jk-bms/protocol-jk-pb';
import { createJkPbSimulator } from '../../../src/nodes/jk-bms/simulator';
import { Rng } from '../../helpers/rng';

function bankTraffic(): { stream: Buffer; socs: Map<number, number> } {
  const clock = new SimClock();
  let wire: Buffer = Buffer.alloc(0);
  const sim = createJkPbSimulator(
    { addresses: [0, 1, 2], cells: 16, profile: 'idle' },
    {
      clock,
      send: (d) => {
        wire = Buffer.concat([wire, d]);
      },
    },
  );
  const answer = (address: number, reg: number): Buffer => {
    wire = Buffer.alloc(0);
    sim.receive(triggerRequest(address, reg));
    clock.advance(50);
    return wire;
  };
  const parts: Buffer[] = [];
  for (const a of [1, 2]) {
    const ans = answer(a, PB_TRIGGERS.cellInfo);
    // One capture style has a 0x00 before and after the ACK (310 bytes), the other none.
    const padded =
      a === 2 ? Buffer.concat([ans.subarray(0, 300), Buffer.from([0]), ans.subarray(300), Buffer.from([0])]) : ans;
    parts.push(
      triggerRequest(a, PB_TRIGGERS.cellInfo),
      padded,
      triggerRequest(a, PB_TRIGGERS.settings),
      answer(a, PB_TRIGGERS.settings),
    );
  }
  // The master's own broadcast: its frame, then an ACK-shaped 00 10 16 20 00 01 + CRC.
  const own = answer(0, PB_TRIGGERS.cellInfo).subarray(0, 300);
  parts.push(Buffer.from([0x13, 0x37, 0x55, 0xaa]), own, withCrc(Buffer.from([0x00, 0x10, 0x16, 0x20, 0x00, 0x01])));
  const socs = new Map([...sim.packs].map(([a, p]) => [a, Math.round(p.model.soc)]));
  return { stream: Buffer.concat(parts), socs };
}

function cellInfos(events: Array<Result<TriggerAnswer>>): Array<{ address: number; soc: number }> {
  return events.flatMap((e) =>
    e.ok && e.value.frame.type === 'cellInfo' ? [{ address: e.value.ackAddress, soc: e.value.frame.live.soc }] : [],
  );
}

describe('jk-pb listen-only sniffer', () => {
  const { stream, socs } = bankTraffic();

  it('decodes every pack of the bank, the master as address 0, at any chunking', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const sniffer = new PbSniffer();
      const events: Array<Result<TriggerAnswer>> = [];
      const rng = new Rng(seed);
      for (let p = 0; p < stream.length;) {
        const n = rng.int(1, 97);
        events.push(...sniffer.push(stream.subarray(p, p + n)));
        p += n;
      }
      assert.deepEqual(
        cellInfos(events),
        [1, 2, 0].map((a) => ({ address: a, soc: socs.get(a)! })),
        `chunking seed ${seed}`,
      );
      assert.equal(events.filter((e) => e.ok && e.value.frame.type === 'settings').length, 2);
      assert.ok(
        events.every((e) => e.ok),
        'no rejected frames in clean traffic',
      );
    }
  });

  it('rejects a corrupted frame and regains sync for the next one', () => {
    const broken = Buffer.from(stream);
    broken[100] ^= 0xff; // inside pack 1's cell-info frame (after its 11-byte request)
    const sniffer = new PbSniffer();
    const events = sniffer.push(broken);
    assert.deepEqual(
      cellInfos(events).map((c) => c.address),
      [2, 0],
    );
    assert.ok(events.some((e) => !e.ok && /checksum/.test(e.reason)));
  });
});
