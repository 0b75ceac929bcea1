/**
 * The plausibility gate on 123\SmartBMS data: every vector built from real readings or the spec passes
 * it; S1 (the protocol document's per-field examples, physically inconsistent: 255 cells at 335 V)
 * and a frame whose stated values break a rule are rejected with the reason, counted, never emitted.
 */
import { strict as assert } from 'node:assert';
import { SmartBmsListener } from '../../../src/nodes/smartbms/listener';
import { decodeSmartBmsCli } from '../../../src/nodes/smartbms/cli-decode';
import { checksum } from '../../../src/nodes/smartbms/protocol-smartbms';
import { loadSmartBmsVectors } from './vectors';

describe('smartbms plausibility gate', () => {
  const vectors = loadSmartBmsVectors().filter((v) => v.expected.checksumValid);

  for (const v of vectors.filter((x) => x.id !== 'smartbms-S1')) {
    it(`${v.id} passes the gate`, () => {
      const r = decodeSmartBmsCli(v.hex);
      assert.ok(r.ok, r.ok ? '' : r.reason);
    });
  }

  it('smartbms-S1 (synthetic, 255 cells at 335 V) is rejected with the reason', () => {
    const r = decodeSmartBmsCli(vectors.find((x) => x.id === 'smartbms-S1')!.hex);
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, /^implausible: the frame states 255 cells \(1–32 possible\)$/);
  });

  it('a frame whose rotating cell record is impossible is rejected, counted, and leaves no cell behind', () => {
    const base = Buffer.from(vectors.find((x) => x.id === 'smartbms-S3')!.hex, 'hex');
    const withCell = (index: number, mv5: number): Buffer => {
      const f = Buffer.from(base);
      f[24] = index;
      f.writeUIntBE(mv5, 26, 2); // cell voltage in 5 mV steps
      f[57] = checksum(f);
      return f;
    };
    const listener = new SmartBmsListener({ id: 'p', formula: 'venus' });
    const events = listener.receive(Buffer.concat([withCell(1, 660), withCell(2, 1200)]), 0);
    assert.equal(events[1].kind, 'rejected');
    assert.match((events[1] as { reason: string }).reason, /^implausible: stated cell voltage 3 at 6 V/);
    assert.equal(listener.counters.rejected, 1);
    // Every cell but 2: had the bad record been kept, the pack would now be complete.
    const rest = [1, ...Array.from({ length: 14 }, (_, i) => i + 3)].map((i) => withCell(i, 660));
    const after = listener.receive(Buffer.concat(rest), 1000);
    assert.deepEqual(after.at(-1), { kind: 'progress', soc: 66, seen: 15, cellCount: 16 });
    const complete = listener.receive(withCell(2, 660), 2000);
    assert.equal(complete[0].kind, 'pack');
  });
});
