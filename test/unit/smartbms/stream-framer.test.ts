import { strict as assert } from 'node:assert';
import { checksum, decodeFrame, encodeFrame } from '../../../src/nodes/smartbms/protocol-smartbms';
import { SmartBmsStreamFramer } from '../../../src/nodes/smartbms/stream-framer';
import { Rng } from '../../helpers/rng';
import { vectorFrame } from './vectors';

/** A run of distinct, valid frames like a 16-cell pack sends them (rotating cell, varying current). */
function frames(n: number, rng: Rng): Buffer[] {
  const r = decodeFrame(vectorFrame('smartbms-S3'));
  if (!r.ok) throw new Error(r.reason);
  return Array.from({ length: n }, (_, i) => {
    const current = (rng.below(800) - 400) / 8;
    return encodeFrame({
      ...r.value,
      cellInfoIndex: (i % 16) + 1,
      cellInfoVoltage: 3.3 + rng.below(20) * 0.005,
      batteryCurrent: current,
      current1: Math.max(0, current),
      current2: Math.max(0, -current),
      byte47: 25 + (i % 19),
      byte48: rng.below(256),
    });
  });
}

/** Feeds `stream` in random chunks (1..150 bytes) and collects what the framer emits. */
function feed(framer: SmartBmsStreamFramer, stream: Buffer, rng: Rng): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < stream.length;) {
    const n = 1 + rng.below(150);
    out.push(...framer.push(stream.subarray(i, i + n)).map((f) => f.frame));
    i += n;
  }
  return out;
}

const hexes = (bs: Buffer[]): string[] => bs.map((b) => b.toString('hex'));

type Disturbance = 'garbage' | 'cut' | 'drop';

/** Damages frame j of the stream and returns the new stream. */
function disturb(fs: Buffer[], j: number, kind: Disturbance, rng: Rng): Buffer {
  const parts = fs.map((f) => Buffer.from(f));
  const f = parts[j];
  if (kind === 'garbage') {
    const at = rng.below(f.length + 1);
    parts[j] = Buffer.concat([f.subarray(0, at), rng.bytes(1 + rng.below(100)), f.subarray(at)]);
  } else if (kind === 'cut') {
    // The device stopped mid-frame (or the reader started mid-frame): only a head or a tail survives.
    const keep = 1 + rng.below(f.length - 1);
    parts[j] = rng.below(2) === 0 ? f.subarray(0, keep) : f.subarray(f.length - keep);
  } else {
    const drops = 1 + rng.below(5);
    let g = f;
    for (let k = 0; k < drops; k++) {
      const at = rng.below(g.length);
      g = Buffer.concat([g.subarray(0, at), g.subarray(at + 1)]);
    }
    parts[j] = g;
  }
  return Buffer.concat(parts);
}

describe('smartbms stream framer', () => {
  it('emits every frame of a clean stream, in order, whatever the chunking', () => {
    const rng = new Rng(10);
    for (let run = 0; run < 200; run++) {
      const fs = frames(20, rng);
      const framer = new SmartBmsStreamFramer();
      assert.deepEqual(hexes(feed(framer, Buffer.concat(fs), rng)), hexes(fs));
      assert.equal(framer.stats.droppedBytes, 0);
    }
  });

  it('waits for a confirming second frame before trusting an unsynchronised stream', () => {
    const fs = frames(2, new Rng(11));
    const framer = new SmartBmsStreamFramer();
    assert.deepEqual(framer.push(fs[0], 1000), []);
    const out = framer.push(fs[1], 2000);
    assert.deepEqual(hexes(out.map((f) => f.frame)), hexes(fs));
    assert.deepEqual(
      out.map((f) => f.time),
      [1000, 2000],
      'each frame keeps the time its last byte arrived',
    );
    assert.equal(framer.isLocked, true);
  });

  it('starts mid-frame and emits from the first whole frame on', () => {
    const rng = new Rng(12);
    for (let run = 0; run < 500; run++) {
      const fs = frames(8, rng);
      const start = 1 + rng.below(57);
      const out = feed(new SmartBmsStreamFramer(), Buffer.concat(fs).subarray(start), rng);
      assert.deepEqual(hexes(out), hexes(fs.slice(1)), `start offset ${start}`);
    }
  });

  for (const kind of ['garbage', 'cut', 'drop'] as const) {
    it(`regains sync within two frames after ${kind === 'drop' ? 'dropped bytes' : kind === 'cut' ? 'a cut frame' : 'inserted garbage'} (3000 runs)`, () => {
      const rng = new Rng(kind.length * 97);
      let nextFrameToo = 0;
      for (let run = 0; run < 3000; run++) {
        const fs = frames(12, rng);
        const j = 2 + rng.below(6);
        const framer = new SmartBmsStreamFramer();
        const out = feed(framer, disturb(fs, j, kind, rng), rng);
        const genuine = new Set(hexes(fs));
        for (const f of out) {
          assert.equal(checksum(f), f[57], 'emitted frame passes its checksum');
          assert.ok(genuine.has(f.toString('hex')), `run ${run}: emitted a frame that was never sent`);
        }
        const got = hexes(out);
        // Frames before the damage, and every frame from the second after it, come out in order.
        const tail = hexes(fs.slice(j + 2));
        assert.deepEqual(got.slice(0, j), hexes(fs.slice(0, j)), `run ${run}: frames before the damage`);
        assert.deepEqual(got.slice(got.length - tail.length), tail, `run ${run}: frames after the damage`);
        if (got.includes(fs[j + 1].toString('hex'))) nextFrameToo++;
      }
      // In practice the very next whole frame is recovered too.
      assert.ok(nextFrameToo > 2900, `frame after the damage recovered in ${nextFrameToo}/3000 runs`);
    });
  }

  it('never emits a frame failing its checksum from a long stream with random damage', () => {
    const rng = new Rng(99);
    const fs = frames(3000, rng);
    const parts: Buffer[] = [];
    let damaged = 0;
    for (const f of fs) {
      const roll = rng.below(10);
      if (roll === 0) {
        parts.push(rng.bytes(1 + rng.below(80)));
        damaged++;
      }
      if (roll === 1) {
        parts.push(f.subarray(0, rng.below(58)));
        damaged++;
        continue;
      }
      parts.push(f);
    }
    const framer = new SmartBmsStreamFramer();
    const out = feed(framer, Buffer.concat(parts), rng);
    for (const f of out) assert.equal(checksum(f), f[57]);
    // Each damage costs at most the damaged frame and the one after it.
    assert.ok(out.length >= fs.length - 2 * damaged, `${out.length} of ${fs.length} frames, ${damaged} damaged`);
    assert.ok(framer.stats.syncLosses > 0);
  });
});
