import { strict as assert } from 'node:assert';
import {
  checksum,
  decodeFrame,
  encodeFrame,
  keyValueMeaning,
  temperatureDoc,
  temperatureVenus,
  type SmartBmsFrame,
} from '../../../src/nodes/smartbms/protocol-smartbms';
import { loadSmartBmsVectors } from './vectors';

/** What the vectors call a field, computed from the decoder's output (derived keys included). */
function vectorView(f: SmartBmsFrame): Record<string, unknown> {
  const view: Record<string, unknown> = { ...f, checksumValid: true };
  for (const prefix of ['lowestCellTemp', 'highestCellTemp', 'cellInfoTemp']) {
    const raw = f[`${prefix}Raw` as keyof SmartBmsFrame] as number;
    view[`${prefix}C_venus`] = temperatureVenus(raw);
    view[`${prefix}C_doc`] = temperatureDoc(raw);
  }
  view.cellInfoBalancing_derived = f.cellInfoVoltage >= f.vBalanceSetting;
  if (f.frameKind === 'key-value') {
    const m = keyValueMeaning(f.kvKey!, f.kvValue!);
    assert.ok(m, `key ${f.kvKey} has a meaning`);
    view.kvMeaning = m.meaning;
    Object.assign(view, m.fields);
  }
  return view;
}

describe('smartbms protocol: shared vectors', () => {
  const vectors = loadSmartBmsVectors();

  it('has the 7 vectors', () => {
    assert.equal(vectors.length, 7);
  });

  for (const v of vectors) {
    it(`${v.id} decodes to its expected values`, () => {
      const bytes = Buffer.from(v.hex, 'hex');
      const r = decodeFrame(bytes);
      if (v.expected.checksumValid === false) {
        assert.equal(r.ok, false);
        assert.ok(!r.ok && /checksum/.test(r.reason), 'rejected for its checksum');
        assert.equal(bytes[57], v.expected.checksumReceived);
        assert.equal(checksum(bytes), v.expected.checksumComputed);
        return;
      }
      assert.ok(r.ok, r.ok ? '' : r.reason);
      const view = vectorView(r.value);
      for (const [key, want] of Object.entries(v.expected)) {
        assert.ok(key in view, `decoder produces ${key}`);
        const got = view[key];
        if (typeof want === 'number') {
          assert.equal(typeof got, 'number', `${key} is a number`);
          assert.ok(Math.abs((got as number) - want) <= 1e-6, `${key}: got ${String(got)}, want ${want}`);
        } else {
          assert.deepEqual(got, want, key);
        }
      }
    });
  }

  it('re-encodes every accepted vector byte for byte', () => {
    for (const v of vectors) {
      const r = decodeFrame(Buffer.from(v.hex, 'hex'));
      if (!r.ok) continue;
      assert.equal(encodeFrame(r.value).toString('hex'), v.hex, v.id);
    }
  });
});

describe('smartbms protocol: rejections', () => {
  const good = Buffer.from(loadSmartBmsVectors().find((v) => v.id === 'smartbms-S3')!.hex, 'hex');
  const withByte = (i: number, value: number): Buffer => {
    const b = Buffer.from(good);
    b[i] = value;
    b[57] = checksum(b);
    return b;
  };
  const reasonOf = (b: Buffer): string => {
    const r = decodeFrame(b);
    assert.equal(r.ok, false);
    return r.ok ? '' : r.reason;
  };

  it('rejects a wrong length', () => {
    assert.match(reasonOf(good.subarray(0, 57)), /length 57/);
    assert.match(reasonOf(Buffer.concat([good, Buffer.from([0])])), /length 59/);
  });
  it('rejects a sign byte that is not + - X', () => {
    assert.match(reasonOf(withByte(6, 0x20)), /sign/);
  });
  it('rejects cell count 0', () => {
    assert.match(reasonOf(withByte(25, 0)), /cell count 0/);
  });
  it('rejects SoC above 100', () => {
    assert.match(reasonOf(withByte(40, 101)), /SoC 101/);
  });
  it('rejects a min/max cell number above the cell count', () => {
    assert.match(reasonOf(withByte(17, 17)), /highest cell number 17/);
  });
  it('rejects lowest cell voltage above highest', () => {
    assert.match(reasonOf(withByte(12, 0x03)), /lowest cell voltage/);
  });
  it('keeps a rotating index of 0 (ignored later by the assembler)', () => {
    assert.equal(decodeFrame(withByte(24, 0)).ok, true);
  });
  it('classifies bytes 47/48 that are neither a key nor a clock as unknown', () => {
    const r = decodeFrame(withByte(47, 24));
    assert.ok(r.ok && r.value.frameKind === 'unknown' && r.value.kvKey === undefined);
  });
});
