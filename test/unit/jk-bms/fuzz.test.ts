/**
 * Acceptance 2: per frame type, ≥ 100k random and ≥ 100k mutated frames. No exception escapes a
 * decoder, an accepted frame always yields a valid PackState (no NaN/undefined in required fields)
 * that passes the plausibility gate, and every frame whose checksum/CRC does not verify (checked here
 * independently) is rejected. How many frames the gate rejected per frame type is printed.
 */
import { strict as assert } from 'node:assert';
import { validatePackState, type PackState } from '../../../src/core/pack-state';
import { crc16Modbus, readAnswer, withCrc } from '../../../src/transport/modbus-rtu';
import { liveToPackState, nwToPackState } from '../../../src/nodes/jk-bms/jk-pack-state';
import { NW_ITEM_LENGTHS, decodeNw, nwFrame } from '../../../src/nodes/jk-bms/protocol-jk-nw';
import { decodeReadAnswer, decodeTriggerAnswer, type ReadRequest } from '../../../src/nodes/jk-bms/protocol-jk-pb';
import { decodeJk02, encodeJk02CellInfo, jk02Frame, type Jk02Frame } from '../../../src/nodes/jk-bms/protocol-jk02';
import { jk02PackState } from '../../../src/nodes/jk-bms/jk02-layout';
import type { Result } from '../../../src/core/result';
import { Rng } from '../../helpers/rng';
import { GateTally, assertPlausible, isGateRejection } from '../../helpers/plausible';
import { JK_VECTORS } from './vectors.test';

const COUNT = 100_000;

const rng = new Rng(0x5eed);
const rnd = (): number => rng.next();
const int = (n: number): number => rng.below(n);
const bytes = (n: number): Buffer => rng.bytes(n);

function mutate(src: Buffer): Buffer {
  let b = Buffer.from(src);
  for (let m = 1 + int(3); m > 0; m--) {
    const at = int(b.length + 1);
    switch (int(6)) {
      case 0:
        if (b.length) b[at % b.length] = int(256);
        break;
      case 1:
        if (b.length) b[at % b.length] ^= 1 << int(8);
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), bytes(1 + int(4)), b.subarray(at)]);
        break;
      case 3:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(4))]);
        break;
      case 4:
        b = b.subarray(0, at);
        break;
      default:
        if (b.length >= 2) b.writeUInt16BE(int(65536), Math.min(at, b.length - 2));
        break;
    }
  }
  return b;
}

// ---- independent checksum checks (what "broken" means per frame type) ----
const sum = (b: Buffer, end: number, mask: number): number => {
  let s = 0;
  for (let i = 0; i < end; i++) s += b[i];
  return s & mask;
};
const nwSumOk = (b: Buffer): boolean =>
  b.length >= 21 && sum(b, b.length - 4, 0xffff) === b.readUInt16BE(b.length - 2) && b.readUInt16BE(b.length - 4) === 0;
const jk02SumOk = (b: Buffer): boolean => b.length >= 300 && sum(b, 299, 0xff) === b[299];
const crcOk = (b: Buffer): boolean => b.length >= 4 && crc16Modbus(b, 0, b.length - 2) === b.readUInt16LE(b.length - 2);
const ackOk = (b: Buffer): boolean => [300, 301].some((at) => b.length >= at + 8 && crcOk(b.subarray(at, at + 8)));

// With the checksum fixed up, mutated frames reach the payload decoders.
function fixNw(b: Buffer): Buffer {
  if (b.length < 21) return b;
  b.writeUInt16BE(0, b.length - 4);
  b.writeUInt16BE(sum(b, b.length - 4, 0xffff), b.length - 2);
  return b;
}
function fixJk02(b: Buffer): Buffer {
  if (b.length >= 300) b[299] = sum(b, 299, 0xff);
  return b;
}
function fixCrc(b: Buffer): Buffer {
  return b.length >= 4 ? withCrc(b.subarray(0, b.length - 2)) : b;
}
function fixTrigger(b: Buffer): Buffer {
  fixJk02(b);
  return b.length >= 308
    ? Buffer.concat([b.subarray(0, 300), fixCrc(Buffer.from(b.subarray(300, 308))), b.subarray(308)])
    : b;
}

interface FrameType {
  name: string;
  seeds: Buffer[];
  random(): Buffer;
  fix(b: Buffer): Buffer;
  checksumOk(b: Buffer): boolean;
  /** Decodes: the PackState (or true for a frame that carries none), or the rejection reason. */
  decode(b: Buffer): Result<PackState | true>;
}

const meta = { id: 'fuzz', time: 1, protocol: 'jk-pb' as const };
function packOf(f: Jk02Frame): Result<PackState | true> {
  return f.type === 'cellInfo' ? liveToPackState(f.live, meta) : { ok: true, value: true };
}

/**
 * A cell-info frame built from random but mostly sensible values (random bytes almost never make a
 * plausible pack): some pass the gate, some break one of its rules on purpose.
 */
function randomCellInfo(): Buffer {
  const n = 1 + int(32);
  const cells = Array.from({ length: n }, () => (rnd() < 0.98 ? 2.5 + rnd() * 1.2 : rnd() * 6));
  const sum = cells.reduce((a, b) => a + b, 0);
  const wild = (sensible: number, range: number): number => (rnd() < 0.9 ? sensible : (rnd() - 0.5) * range);
  const values = {
    packVoltage: wild(sum + (rnd() - 0.5) * 2, 400),
    current: wild((rnd() - 0.5) * 400, 1e6),
    soc: int(rnd() < 0.95 ? 101 : 256),
    soh: int(rnd() < 0.95 ? 101 : 256),
    mos: wild(-20 + rnd() * 90, 2000),
    t1: wild(-20 + rnd() * 90, 2000),
    t2: wild(-20 + rnd() * 90, 2000),
    fullChargeCapacityAh: rnd() * 400,
    alarmsRaw: int(2 ** 32),
    chargeFetOn: rnd() < 0.5,
    dischargeFetOn: rnd() < 0.5,
  };
  return encodeJk02CellInfo(values, cells, [], int(256));
}
const randomJk02 = (): Buffer => (rnd() < 0.5 ? randomCellInfo() : jk02Frame(jk02Types[int(5)], bytes(293), int(256)));
const seedsOf = (pred: (v: (typeof JK_VECTORS)[number]) => boolean, cut?: number): Buffer[] =>
  JK_VECTORS.filter(pred).map((v) => Buffer.from(v.hex, 'hex').subarray(0, cut));

const nwIds = Object.keys(NW_ITEM_LENGTHS).map(Number);
function randomNwInfo(): Buffer {
  if (rnd() < 0.2) return bytes(int(300));
  const out = Buffer.alloc(400);
  let p = 0;
  const cells = int(40);
  out[p++] = 0x79;
  out[p++] = rnd() < 0.9 ? cells * 3 : int(256);
  for (let i = 0; i < cells; i++) {
    out[p++] = rnd() < 0.95 ? i + 1 : int(256);
    out[p++] = int(256);
    out[p++] = int(256);
  }
  for (const id of nwIds) {
    if (rnd() >= 0.9) continue;
    out[p++] = id;
    // Temperatures and SOC mostly in range, so frames get past the range checks to the rest.
    if (id >= 0x80 && id <= 0x82 && rnd() < 0.9) {
      out[p++] = 0;
      out[p++] = int(150);
      continue;
    }
    if (id === 0x85 && rnd() < 0.9) {
      out[p++] = int(105);
      continue;
    }
    for (let k = 0; k < NW_ITEM_LENGTHS[id]; k++) out[p++] = int(256);
  }
  return out.subarray(0, p);
}

let lastRequest: ReadRequest = { address: 1, start: 0x1200, quantity: 120 };
const jk02Types = [1, 2, 3, 5, 0];

const TYPES: FrameType[] = [
  {
    name: 'NW read-all answer',
    seeds: seedsOf((v) => v.protocol === 'jk-b-nw'),
    random: () =>
      rnd() < 0.05
        ? bytes(int(400))
        : nwFrame(rnd() < 0.9 ? 6 : int(256), 0, rnd() < 0.95 ? 1 : int(256), randomNwInfo()),
    fix: fixNw,
    checksumOk: nwSumOk,
    decode: (b) => {
      const r = decodeNw(b);
      return r.ok ? nwToPackState(r.value, { ...meta, protocol: 'jk-nw' }) : r;
    },
  },
  {
    name: 'PB FC 0x03 answer',
    seeds: seedsOf((v) => v.kind === 'fc03-response'),
    random: () => {
      const quantity = 1 + int(125);
      const block = [0x1000, 0x1200, 0x1400][int(3)];
      lastRequest = { address: 1, start: block + (rnd() < 0.5 ? 0 : 2 * int(150)), quantity };
      return rnd() < 0.05 ? bytes(int(260)) : readAnswer(1, 3, bytes(2 * quantity));
    },
    fix: fixCrc,
    checksumOk: crcOk,
    decode: (b) => {
      const r = decodeReadAnswer(b, lastRequest);
      lastRequest = { address: 1, start: 0x1200, quantity: 120 };
      if (!r.ok) return r;
      return r.value.block === 'live' ? liveToPackState(r.value.live, meta) : { ok: true, value: true };
    },
  },
  {
    name: 'PB trigger answer (JK02 + ACK)',
    seeds: seedsOf((v) => v.kind === 'pb-trigger-response'),
    random: () => {
      const reg = [0x1620, 0x161e, 0x161c, int(65536)][int(4)];
      const ack = withCrc(Buffer.from([int(16), 0x10, reg >> 8, reg & 0xff, 0, 1]));
      return Buffer.concat([randomJk02(), rnd() < 0.3 ? Buffer.from([0]) : Buffer.alloc(0), ack]);
    },
    fix: fixTrigger,
    checksumOk: (b) => jk02SumOk(b) && ackOk(b),
    decode: (b) => {
      const r = decodeTriggerAnswer(b);
      return r.ok ? packOf(r.value.frame) : r;
    },
  },
  ...(['JK02_32S', 'JK02_24S', undefined] as const).map((layout): FrameType => ({
    name: `JK02 frame (${layout ?? 'layout chosen by the gate'})`,
    seeds: seedsOf((v) => v.protocol === 'jk02-ble' || v.kind === 'pb-trigger-response', 300),
    random: () => (rnd() < 0.05 ? bytes(int(320)) : randomJk02()),
    fix: fixJk02,
    checksumOk: jk02SumOk,
    decode: (b) => {
      if (layout === undefined && b.length >= 5 && b[4] === 0x02) return jk02PackState(b, meta);
      const r = decodeJk02(b, layout);
      return r.ok ? packOf(r.value) : r;
    },
  })),
];

interface Counts {
  /** Accepted frames, and those of them that carry a pack. */
  accepted: number;
  packs: number;
  gateRejected: number;
  rejectedBroken: number;
}
const tally = new GateTally();

function check(t: FrameType, run: string, frame: Buffer, counts: Counts): void {
  let out: Result<PackState | true>;
  try {
    out = t.decode(frame);
  } catch (e) {
    assert.fail(`${t.name}: decoder threw ${String(e)} on ${frame.toString('hex')}`);
  }
  const gate = !out.ok && isGateRejection(out.reason);
  tally.count(`${t.name}, ${run}`, out.ok ? 'accepted' : gate ? 'gate' : 'other');
  if (!t.checksumOk(frame)) {
    assert.equal(out.ok, false, `${t.name}: accepted a frame with a broken checksum: ${frame.toString('hex')}`);
    counts.rejectedBroken++;
    return;
  }
  if (gate) counts.gateRejected++;
  if (!out.ok) return;
  counts.accepted++;
  if (out.value === true) return;
  counts.packs++;
  const v = validatePackState(out.value);
  assert.ok(v.ok, `${t.name}: invalid PackState (${v.ok ? '' : v.reason}) from ${frame.toString('hex')}`);
  assertPlausible(v.value, `${t.name} ${frame.toString('hex')}`);
}

describe('jk-bms decoder fuzzing', function () {
  this.timeout(120_000);
  after(() => tally.print('JK frames'));
  for (const t of TYPES) {
    it(`${t.name}: ${COUNT} random frames`, () => {
      const counts = { accepted: 0, packs: 0, gateRejected: 0, rejectedBroken: 0 };
      for (let i = 0; i < COUNT; i++) {
        const f = t.random();
        check(t, 'random', rnd() < 0.1 ? mutate(f) : f, counts);
      }
      // The generator is meant to reach the payload decoders, not only the checksum test.
      const past = counts.accepted + counts.gateRejected;
      assert.ok(past > COUNT / 100, `only ${past} random frames got past the envelope`);
    });

    it(`${t.name}: ${COUNT} mutated frames`, () => {
      const counts = { accepted: 0, packs: 0, gateRejected: 0, rejectedBroken: 0 };
      for (let i = 0; i < COUNT; i++) {
        const m = mutate(t.seeds[i % t.seeds.length]);
        check(t, 'mutated', i % 2 ? t.fix(m) : m, counts);
      }
      assert.ok(counts.rejectedBroken > COUNT / 4, `only ${counts.rejectedBroken} broken frames seen`);
      // Mutations of real frames must also reach the gate, or it is never exercised on them.
      const reached = counts.packs + counts.gateRejected;
      assert.ok(reached > COUNT / 100, `only ${reached} mutated frames reached the gate`);
    });
  }

  it('the gate both accepts and rejects structured random cell-info frames (JK02_32S)', () => {
    const row = tally.get('JK02 frame (JK02_32S), random');
    assert.ok(row.accepted > COUNT / 50 && row.gateRejected > COUNT / 50, JSON.stringify(row));
  });
});
