/**
 * Listen-only decoding of captured bank traffic, delivered in arbitrary chunks with line noise.
 */
import { strict as assert } from 'node:assert';
import { validatePackState, type PackState } from '../../../src/core/pack-state';
import { V2BankListener, V3BankListener } from '../../../src/nodes/seplos/listener';
import { SEPLOS_VECTORS } from '../../helpers/seplos-vectors';

const VECTORS = SEPLOS_VECTORS;

function feed(push: (b: Buffer) => void, stream: Buffer, chunk: number): void {
  for (let i = 0; i < stream.length; i += chunk) push(stream.subarray(i, i + chunk));
}

describe('seplos bank listeners', () => {
  for (const chunk of [1, 7, 64, 4096]) {
    it(`V3: master polls slave 2 (PIA, PIB, PIC) → one PackState; chunks of ${chunk} bytes with noise`, () => {
      const parts: Buffer[] = [Buffer.from([0x00, 0xff, 0x13])];
      for (const start of ['0x1000', '0x1100', '0x1200']) {
        const v = VECTORS.find(
          (x) => x.protocol === 'seplos-v3' && x.start_address === start && x.expected.slave_id === 2,
        )!;
        parts.push(Buffer.from(v.request_raw!, 'hex'), Buffer.from(v.raw, 'hex'));
      }
      const packs: PackState[] = [];
      const rejects: string[] = [];
      const requests: number[] = [];
      const l = new V3BankListener(
        {
          onPack: (_a, b) => packs.push(b('bank-2')),
          onReject: (r) => rejects.push(r),
          onRequest: (a) => requests.push(a),
        },
        5000,
      );
      feed((b) => l.push(b, 1000), Buffer.concat(parts), chunk);
      assert.equal(packs.length, 1);
      assert.ok(validatePackState(packs[0]).ok);
      assert.equal(packs[0].address, 2);
      assert.equal(packs[0].voltage, 52.37);
      assert.deepEqual(requests, [2, 2, 2]);
      assert.deepEqual(rejects, []);
    });
  }

  it('V3: blocks older than the freshness window are not combined', () => {
    const frames = ['0x1000', '0x1100', '0x1200'].map((s) =>
      Buffer.from(VECTORS.find((x) => x.start_address === s && x.expected.slave_id === 2)!.raw, 'hex'),
    );
    const packs: PackState[] = [];
    const l = new V3BankListener({ onPack: (_a, b) => packs.push(b('x')), onReject: () => undefined }, 2000);
    l.push(frames[0], 0);
    l.push(frames[1], 5000);
    l.push(frames[2], 5100);
    assert.equal(packs.length, 0);
    l.push(frames[0], 5200);
    assert.equal(packs.length, 1);
  });

  it('V2: master 0x5A poll and slave record → PackState of the slave; a broken record is rejected', () => {
    const rec = VECTORS.find((x) => x.command === '0x5A')!.raw;
    const packs: PackState[] = [];
    const rejects: string[] = [];
    const l = new V2BankListener(
      { onPack: (_a, b) => packs.push(b('bank-1')), onReject: (r) => rejects.push(r) },
      5000,
    );
    feed((b) => l.push(b, 1), Buffer.from(`xx~2001465A0000FD9D\r${rec}`, 'latin1'), 5);
    assert.equal(packs.length, 1);
    assert.equal(packs[0].address, 1);
    assert.equal(packs[0].soc, 58.2);
    assert.deepEqual(packs[0].cells, []);
    l.push(Buffer.from(rec.replace('0CE1', '0CE2'), 'latin1'), 2);
    assert.equal(packs.length, 1);
    assert.match(rejects[0], /CHKSUM/);
  });
});
