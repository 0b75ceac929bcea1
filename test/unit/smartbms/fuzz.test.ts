import { strict as assert } from 'node:assert';
import { validatePackState } from '../../../src/core/pack-state';
import { toPackState } from '../../../src/nodes/smartbms/pack-mapping';
import { checksum, decodeFrame, FRAME_LENGTH } from '../../../src/nodes/smartbms/protocol-smartbms';
import { loadSmartBmsVectors } from './vectors';
import { Rng } from './rng';

const COUNT = 100_000;

/** Decodes one frame and checks the decoder's contract; returns whether it was accepted. */
function check(frame: Buffer): boolean {
  let r: ReturnType<typeof decodeFrame>;
  try {
    r = decodeFrame(frame);
  } catch (e) {
    assert.fail(`decoder threw on ${frame.toString('hex')}: ${String(e)}`);
  }
  const checksumOk = frame.length === FRAME_LENGTH && checksum(frame) === frame[57];
  if (!checksumOk) {
    assert.equal(r.ok, false, `broken frame accepted: ${frame.toString('hex')}`);
    return false;
  }
  if (!r.ok) {
    assert.equal(typeof r.reason, 'string');
    return false;
  }
  for (const [k, v] of Object.entries(r.frame)) {
    if (typeof v === 'number') assert.ok(Number.isFinite(v), `${k} is ${v}`);
  }
  for (const formula of ['venus', 'doc'] as const) {
    const pack = toPackState(r.frame, { id: 'fuzz', time: 1, formula, status1: r.frame.status1, keyValues: {} });
    const valid = validatePackState(pack);
    assert.ok(valid.ok, valid.ok ? '' : `${valid.reason} from ${frame.toString('hex')}`);
  }
  return true;
}

describe('smartbms protocol: fuzz', () => {
  const bases = loadSmartBmsVectors()
    .filter((v) => v.expected.checksumValid)
    .map((v) => Buffer.from(v.hex, 'hex'));

  it(`${COUNT} random frames (half with a correct checksum) never escape the decoder`, () => {
    const rng = new Rng(1);
    let accepted = 0;
    for (let i = 0; i < COUNT; i++) {
      const len = rng.int(10) === 0 ? rng.int(120) : FRAME_LENGTH;
      const f = rng.bytes(len);
      if (len === FRAME_LENGTH && i % 2 === 0) f[57] = checksum(f);
      if (check(f)) accepted++;
    }
    // Random bytes rarely look like a frame (three sign bytes, ordered min/max): the plausibility rules bite.
    assert.ok(accepted < COUNT / 1000, `accepted ${accepted}`);
  });

  it(`${COUNT} mutated vector frames never escape the decoder; broken checksums are rejected`, () => {
    const rng = new Rng(2);
    let rejectedBroken = 0;
    let accepted = 0;
    for (let i = 0; i < COUNT; i++) {
      const f = Buffer.from(bases[rng.int(bases.length)]);
      const flips = 1 + rng.int(3);
      for (let k = 0; k < flips; k++) f[rng.int(FRAME_LENGTH)] ^= 1 + rng.int(255);
      const fixChecksum = i % 2 === 0;
      if (fixChecksum) f[57] = checksum(f);
      const ok = check(f);
      if (ok) accepted++;
      if (!fixChecksum && checksum(f) !== f[57]) {
        assert.equal(ok, false);
        rejectedBroken++;
      }
    }
    assert.ok(rejectedBroken > COUNT / 3, `rejected ${rejectedBroken} broken frames`);
    assert.ok(accepted > COUNT / 10, `accepted ${accepted} mutated frames with a fixed checksum`);
  });
});
