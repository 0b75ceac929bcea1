/**
 * Acceptance 2: per frame type ≥100k random and ≥100k mutated frames — nothing escapes the decoder,
 * no NaN/undefined in a required PackState field, every frame with a broken checksum/CRC is rejected,
 * every pack that gets out passes the plausibility gate (the number it rejected is printed).
 * Deterministic PRNG so a failure is reproducible.
 */
import { strict as assert } from 'node:assert';
import { validatePackState, type PackState } from '../../../src/core/pack-state';
import { withCrc } from '../../../src/transport/modbus-rtu';
import { V2BankListener, V3BankListener } from '../../../src/nodes/seplos/listener';
import * as v2 from '../../../src/nodes/seplos/protocol-seplos-v2';
import * as v2Payload from '../../../src/nodes/seplos/seplos-v2-payload';
import * as v3 from '../../../src/nodes/seplos/protocol-seplos-v3';
import { checkedIntraPack, checkedV2Pack, checkedV3Pack } from '../../../src/nodes/seplos/checked-pack';
import type { PlausibilityOptions } from '../../../src/core/plausibility';
import type { Result } from '../../../src/core/result';
import { SEPLOS_VECTORS } from '../../helpers/seplos-vectors';
import { Rng } from '../../helpers/rng';
import { GateTally, assertPlausible, isGateRejection } from '../../helpers/plausible';

const N = 100_000;
const VECTORS = SEPLOS_VECTORS;

const rng = new Rng(0x5e9105);
const rnd = (): number => rng.next();
const int = (n: number): number => rng.below(n);
const randomBytes = (n: number): Buffer => rng.bytes(n);
const HEX = '0123456789ABCDEF';

function assertPack(p: PackState): void {
  const c = validatePackState(p);
  assert.ok(c.ok, c.ok ? '' : `${c.reason}: ${JSON.stringify(p)}`);
}

const tally = new GateTally();
/** A gated pack: valid and plausible when it got out, else rejected by the gate; counted per frame type. */
function gated(name: string, r: Result<PackState>, opts?: PlausibilityOptions): boolean {
  if (!r.ok) {
    assert.ok(isGateRejection(r.reason), r.reason);
    tally.count(name, 'gate');
    return false;
  }
  assertPack(r.value);
  assertPlausible(r.value, name, opts);
  tally.count(name, 'accepted');
  return true;
}

const ctx = { id: 'p', address: 1, time: 1 };
const v2Frame = (cmd: string): v2.V2Frame => {
  const v = VECTORS.find((x) => x.protocol === 'seplos-v2' && x.command === cmd && x.direction === 'response')!;
  const f = v2.parseFrame(v.raw);
  assert.ok(f.ok);
  return f.value;
};
const goodTelemetry = (() => {
  const t = v2Payload.decodeTelemetry(v2Frame('0x42').info);
  assert.ok(t.ok);
  return t.value;
})();
const goodAlarms = (() => {
  const a = v2Payload.decodeAlarms(v2Frame('0x44').info);
  assert.ok(a.ok);
  return a.value;
})();

/** The whole V2 answer path of one frame type; returns whether the frame was accepted. */
const V2_PIPELINES: Record<string, (raw: string) => boolean> = {
  '0x42': (raw) => {
    const f = v2.parseFrame(raw);
    if (!f.ok || !v2.checkReturnCode(f.value).ok) return false;
    const t = v2Payload.decodeTelemetry(f.value.info);
    if (!t.ok) return false;
    return gated('V2 0x42', checkedV2Pack(t.value, goodAlarms, ctx));
  },
  '0x44': (raw) => {
    const f = v2.parseFrame(raw);
    if (!f.ok || !v2.checkReturnCode(f.value).ok) return false;
    const a = v2Payload.decodeAlarms(f.value.info);
    if (!a.ok) return false;
    return gated('V2 0x44', checkedV2Pack(goodTelemetry, a.value, ctx));
  },
  '0x47': (raw) => {
    const f = v2.parseFrame(raw);
    if (!f.ok || !v2.checkReturnCode(f.value).ok) return false;
    const p = v2Payload.decodeParameters(f.value.info);
    if (!p.ok) return false;
    for (const [k, x] of Object.entries(p.value.values)) assert.ok(Number.isFinite(x), k);
    assert.equal(typeof p.value.deviceName, 'string');
    return true;
  },
  '0x51': (raw) => {
    const f = v2.parseFrame(raw);
    if (!f.ok || !v2.checkReturnCode(f.value).ok) return false;
    const d = v2Payload.decodeDeviceInfo(f.value.info);
    if (!d.ok) return false;
    assert.ok(Number.isFinite(d.value.firmwareMajor) && typeof d.value.deviceName === 'string');
    return true;
  },
  '0x5A': (raw) => {
    const f = v2.parseFrame(raw);
    if (!f.ok) return false;
    const r = v2Payload.decodeIntraPack(f.value.info);
    if (!r.ok) return false;
    return gated('V2 0x5A', checkedIntraPack(r.value, ctx), { noCells: true });
  },
};

function mutateText(s: string, edits: number): string {
  let t = s;
  for (let e = 0; e < edits; e++) {
    const i = 1 + int(t.length - 2);
    const op = int(4);
    if (op === 0) t = t.slice(0, i) + String.fromCharCode(int(256)) + t.slice(i + 1);
    else if (op === 1) t = t.slice(0, i) + HEX[int(16)] + t.slice(i);
    else if (op === 2) t = t.slice(0, i) + t.slice(i + 1);
    else t = t.slice(0, i) + HEX[int(16)] + t.slice(i + 1);
  }
  return t;
}

describe('seplos fuzz', function () {
  this.timeout(120_000);
  after(() => tally.print('Seplos answers the decoders accepted'));

  for (const [cmd, pipeline] of Object.entries(V2_PIPELINES)) {
    it(`V2 ${cmd}: ${N} random frames, ${N} mutated`, () => {
      const good = v2Frame(cmd);
      const goodRaw = v2.encodeFrame(good.adr, good.code, good.info);
      assert.ok(pipeline(goodRaw));
      let accepted = 0;
      for (let k = 0; k < N; k++) {
        // Random INFO in valid framing; half of them with a plausible cell count to go deeper.
        const info = randomBytes(int(200));
        if (info.length > 3 && rnd() < 0.5) info[2] = 1 + int(20);
        if (pipeline(v2.encodeFrame(int(16), cmd === '0x5A' ? 0x5a : 0, info))) accepted++;
      }
      // Mutated: half single substitutions (must be rejected), a quarter multi-edits, a quarter
      // mutated INFO re-framed with correct checksums so the payload decoder sees it.
      let rejectedSingle = 0;
      for (let k = 0; k < N; k++) {
        if (k % 2 === 0) {
          const i = 1 + int(goodRaw.length - 2);
          let c = int(256);
          if (c === goodRaw.charCodeAt(i)) c = (c + 1) % 256;
          const m = goodRaw.slice(0, i) + String.fromCharCode(c) + goodRaw.slice(i + 1);
          assert.equal(pipeline(m), false, `single substitution accepted: ${JSON.stringify(m)}`);
          rejectedSingle++;
        } else if (k % 4 === 1) {
          pipeline(mutateText(goodRaw, 1 + int(4)));
        } else {
          const info = Buffer.from(good.info);
          for (let e = 1 + int(4); e > 0; e--) if (info.length > 0) info[int(info.length)] = int(256);
          const cut = rnd() < 0.2 ? int(info.length + 1) : info.length;
          if (pipeline(v2.encodeFrame(good.adr, good.code, info.subarray(0, cut)))) accepted++;
        }
      }
      assert.equal(rejectedSingle, N / 2);
      assert.ok(accepted > 0, 'fuzz never reached an accepted frame');
    });
  }

  const v3Block = (start: string, id?: number): Buffer => {
    const v = VECTORS.find(
      (x) =>
        x.protocol === 'seplos-v3' &&
        x.start_address === start &&
        !x.expected.exception &&
        (id === undefined || x.expected.slave_id === id),
    )!;
    return Buffer.from(v.raw, 'hex');
  };
  const parts = (() => {
    const a = v3.decodePia(
      v3.parseBlockAnswer(v3Block('0x1000', 2), 2, v3.BLOCKS.pia).ok
        ? v3Block('0x1000', 2).subarray(3, -2)
        : Buffer.alloc(0),
    );
    const b = v3.decodePib(v3Block('0x1100', 2).subarray(3, -2));
    const c = v3.decodePic(v3Block('0x1200', 2).subarray(3, -2));
    assert.ok(a.ok && b.ok && c.ok);
    return { a: a.value, b: b.value, c: c.value };
  })();

  const V3_PIPELINES: Array<[string, v3.BlockSpec, (d: Buffer) => boolean]> = [
    [
      '0x1000',
      v3.BLOCKS.pia,
      (d) => {
        const r = v3.decodePia(d);
        return r.ok && gated('V3 PIA', checkedV3Pack(r.value, parts.b, parts.c, ctx));
      },
    ],
    [
      '0x1100',
      v3.BLOCKS.pib,
      (d) => {
        const r = v3.decodePib(d);
        return r.ok && gated('V3 PIB', checkedV3Pack(parts.a, r.value, parts.c, ctx));
      },
    ],
    [
      '0x1200',
      v3.BLOCKS.pic,
      (d) => {
        const r = v3.decodePic(d);
        return r.ok && gated('V3 PIC', checkedV3Pack(parts.a, parts.b, r.value, ctx));
      },
    ],
    [
      '0x1700',
      v3.BLOCKS.via,
      (d) => {
        const r = v3.decodeVia(d);
        if (r.ok) assert.equal(typeof r.value.deviceName, 'string');
        return r.ok;
      },
    ],
  ];

  for (const [start, block, decode] of V3_PIPELINES) {
    it(`V3 ${block.name.toUpperCase()}: ${N} random answers, ${N} mutated`, () => {
      const good = v3Block(start);
      const id = good[0];
      const pipeline = (frame: Buffer): boolean => {
        const r = v3.parseBlockAnswer(frame, id, block);
        return r.ok && decode(r.value);
      };
      assert.ok(pipeline(good));
      const dataLen = good[2];
      let accepted = 0;
      for (let k = 0; k < N; k++) {
        const len = rnd() < 0.7 ? dataLen : int(256);
        const body = Buffer.concat([
          Buffer.from([id, rnd() < 0.9 ? block.fn : int(256), len & 0xff]),
          randomBytes(rnd() < 0.9 ? len : int(300)),
        ]);
        if (pipeline(rnd() < 0.95 ? withCrc(body) : body)) accepted++;
      }
      // Mutated: half single byte errors (CRC must catch them), half mutated data with a repaired CRC.
      for (let k = 0; k < N; k++) {
        if (k % 2 === 0) {
          const m = Buffer.from(good);
          const i = int(m.length);
          m[i] = (m[i] + 1 + int(255)) & 0xff;
          assert.equal(pipeline(m), false, `single byte error accepted: ${m.toString('hex')}`);
        } else {
          const body = Buffer.from(good.subarray(0, -2));
          for (let e = 1 + int(4); e > 0; e--) body[3 + int(body.length - 3)] = int(256);
          if (pipeline(withCrc(body))) accepted++;
        }
      }
      assert.ok(accepted > 0);
    });
  }

  it('listeners: 20k random and spliced byte chunks never throw and emit only valid, plausible PackStates', () => {
    let packs = 0;
    let gateRejected = 0;
    const cb = {
      onPack: (_a: number, build: (id: string) => PackState) => {
        const pack = build('x');
        assertPack(pack);
        assertPlausible(pack, 'listener', { noCells: pack.cells.length === 0 });
        packs++;
      },
      onReject: (reason: string) => {
        if (isGateRejection(reason)) gateRejected++;
      },
    };
    const l2 = new V2BankListener(cb, 5000);
    const l3 = new V3BankListener(cb, 5000);
    const v2Raw = VECTORS.filter((v) => v.protocol === 'seplos-v2').map((v) => Buffer.from(v.raw, 'latin1'));
    const v3Raw = VECTORS.filter((v) => v.protocol === 'seplos-v3').map((v) => Buffer.from(v.raw, 'hex'));
    for (let k = 0; k < 20_000; k++) {
      const pick = (list: Buffer[]): Buffer => {
        const b = Buffer.from(list[int(list.length)]);
        if (rnd() < 0.3) b[int(b.length)] = int(256);
        return rnd() < 0.3 ? b.subarray(0, int(b.length)) : b;
      };
      l2.push(rnd() < 0.5 ? randomBytes(int(64)) : pick(v2Raw), k);
      l3.push(rnd() < 0.5 ? randomBytes(int(64)) : pick(v3Raw), k);
    }
    console.log(`      plausibility gate, bank listeners: ${gateRejected} rejected, ${packs} packs emitted`);
    assert.ok(packs > 0);
  });
});
