/**
 * Random and mutated frames never escape the decoder, a broken checksum is always rejected, and every
 * PackState that gets out — of one frame, or assembled by the stream listener over many — passes the
 * plausibility gate. How many frames the gate rejected is printed.
 */
import { strict as assert } from 'node:assert';
import { validatePackState } from '../../../src/core/pack-state';
import { SmartBmsListener } from '../../../src/nodes/smartbms/listener';
import { toPackState } from '../../../src/nodes/smartbms/smartbms-pack-state';
import { checksum, decodeFrame, FRAME_LENGTH } from '../../../src/nodes/smartbms/protocol-smartbms';
import { GateTally, assertPlausible, isGateRejection } from '../../helpers/plausible';
import { loadSmartBmsVectors } from './vectors';
import { Rng } from '../../helpers/rng';

const COUNT = 100_000;
const tally = new GateTally();

/** Decodes one frame and checks the decoder's contract; returns whether it was accepted. */
function check(frame: Buffer, run: string): boolean {
  let r: ReturnType<typeof decodeFrame>;
  try {
    r = decodeFrame(frame);
  } catch (e) {
    assert.fail(`decoder threw on ${frame.toString('hex')}: ${String(e)}`);
  }
  const checksumOk = frame.length === FRAME_LENGTH && checksum(frame) === frame[57];
  if (!checksumOk) {
    assert.equal(r.ok, false, `broken frame accepted: ${frame.toString('hex')}`);
    tally.count(run, 'other');
    return false;
  }
  if (!r.ok) {
    assert.equal(typeof r.reason, 'string');
    tally.count(run, 'other');
    return false;
  }
  for (const [k, v] of Object.entries(r.value)) {
    if (typeof v === 'number') assert.ok(Number.isFinite(v), `${k} is ${v}`);
  }
  let accepted = true;
  for (const formula of ['venus', 'doc'] as const) {
    const pack = toPackState(r.value, { id: 'fuzz', time: 1, formula, status1: r.value.status1, keyValues: {} });
    if (!pack.ok) {
      assert.ok(isGateRejection(pack.reason), pack.reason);
      accepted = false;
      continue;
    }
    const valid = validatePackState(pack.value);
    assert.ok(valid.ok, valid.ok ? '' : `${valid.reason} from ${frame.toString('hex')}`);
    assertPlausible(pack.value, frame.toString('hex'), { noCells: true, frameCellCount: r.value.cellCount });
  }
  tally.count(run, accepted ? 'accepted' : 'gate');
  return accepted;
}

/** A vector frame with 1–3 bytes changed, the checksum fixed half of the time. */
function mutated(rng: Rng, bases: Buffer[], fixChecksum: boolean): Buffer {
  const f = Buffer.from(bases[rng.below(bases.length)]);
  const flips = 1 + rng.below(3);
  for (let k = 0; k < flips; k++) f[rng.below(FRAME_LENGTH)] ^= 1 + rng.below(255);
  if (fixChecksum) f[57] = checksum(f);
  return f;
}

describe('smartbms protocol: fuzz', () => {
  const bases = loadSmartBmsVectors()
    .filter((v) => v.expected.checksumValid)
    .map((v) => Buffer.from(v.hex, 'hex'));
  after(() => tally.print('123\\SmartBMS frames'));

  it(`${COUNT} random frames (half with a correct checksum) never escape the decoder`, () => {
    const rng = new Rng(1);
    let accepted = 0;
    for (let i = 0; i < COUNT; i++) {
      const len = rng.below(10) === 0 ? rng.below(120) : FRAME_LENGTH;
      const f = rng.bytes(len);
      if (len === FRAME_LENGTH && i % 2 === 0) f[57] = checksum(f);
      if (check(f, 'random')) accepted++;
    }
    // Random bytes rarely look like a frame (three sign bytes, ordered min/max): the plausibility rules bite.
    assert.ok(accepted < COUNT / 1000, `accepted ${accepted}`);
  });

  it(`${COUNT} mutated vector frames never escape the decoder; broken checksums are rejected`, () => {
    const rng = new Rng(2);
    let rejectedBroken = 0;
    let accepted = 0;
    for (let i = 0; i < COUNT; i++) {
      const f = mutated(rng, bases, i % 2 === 0);
      const ok = check(f, 'mutated');
      if (ok) accepted++;
      if (checksum(f) !== f[57]) {
        assert.equal(ok, false);
        rejectedBroken++;
      }
    }
    assert.ok(rejectedBroken > COUNT / 3, `rejected ${rejectedBroken} broken frames`);
    assert.ok(accepted > COUNT / 10, `accepted ${accepted} mutated frames with a fixed checksum`);
    assert.ok(tally.get('mutated').gateRejected > COUNT / 100, 'the gate is exercised on mutated frames');
  });

  it(`the stream listener over ${COUNT / 10} frames (a 16-cell pack, every 5th frame mutated): every pack it emits is plausible`, () => {
    const rng = new Rng(3);
    const pack16 = bases.filter((b) => b[25] === 16);
    const listener = new SmartBmsListener({ id: 'fuzz', formula: 'venus' });
    let packs = 0;
    let gateRejected = 0;
    for (let i = 0; i < COUNT / 10; i++) {
      const f = Buffer.from(pack16[i % pack16.length]);
      f[24] = 1 + (i % 16); // the rotating cell record walks through cells 1..16
      f[57] = checksum(f);
      const frame = i % 5 === 4 ? mutated(rng, [f], true) : f;
      for (const e of listener.receive(frame, i * 1000)) {
        if (e.kind === 'rejected' && isGateRejection(e.reason)) gateRejected++;
        if (e.kind !== 'pack') continue;
        packs++;
        assertPlausible(e.pack, `stream frame ${i}`);
      }
    }
    console.log(
      `      plausibility gate, stream listener: ${gateRejected} of ${COUNT / 10} frames rejected, ${packs} packs`,
    );
    assert.ok(packs > COUNT / 20 && gateRejected > 0, `${packs} packs, ${gateRejected} rejected by the gate`);
  });
});
