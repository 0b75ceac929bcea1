/**
 * Decoders never throw and never produce NaN/Infinity, for random frames (any length 0-8, the
 * protocol's ids and others, 11/29-bit) and for mutated/truncated real vectors.
 */
import * as assert from 'node:assert/strict';
import type { CanFrame } from '../../../src/transport/can-frame';
import type { InverterView } from '../../../src/transport/can-inverter-api';
import { Rng } from '../../helpers/rng';
import { TARGETS, baseBank } from './bank-arbitrary';
import { VECTORS, toFrames } from './vectors';

/** A seeded sequence in [0, 1), so a failure reproduces. */
function rng(seed: number): () => number {
  const generator = new Rng(seed);
  return () => generator.next();
}

function assertFinite(value: unknown, where: string): void {
  if (typeof value === 'number') assert.ok(Number.isFinite(value), `${where} = ${value}`);
  else if (Array.isArray(value)) value.forEach((v, i) => assertFinite(v, `${where}[${i}]`));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) assertFinite(v, `${where}.${k}`);
  }
}

const checkView = (view: InverterView): void => {
  assert.ok(Array.isArray(view.alarms) && Array.isArray(view.warnings));
  assertFinite(view, 'view');
};

const FRAMES_PER_TARGET = 20000;

describe('inverter CAN decoders under fuzz', () => {
  for (const { protocol, profile } of TARGETS) {
    it(`${protocol.name}/${profile}: ${FRAMES_PER_TARGET} random frames never throw nor yield NaN`, () => {
      const rand = rng(0xc0ffee);
      const ids = [...new Set(protocol.encode(baseBank(), { profile }).map((f) => f.id)), 0x305, 0x7ff, 0x1fffffff];
      let count = 0;
      while (count < FRAMES_PER_TARGET) {
        const frames: CanFrame[] = [];
        for (let n = 1 + Math.floor(rand() * 8); n > 0; n--, count++) {
          const data = Buffer.alloc(Math.floor(rand() * 9));
          for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);
          frames.push({ id: ids[Math.floor(rand() * ids.length)], ext: rand() < 0.1, rtr: rand() < 0.05, data });
        }
        checkView(protocol.decode(frames, { profile }));
      }
    });
  }

  it('mutated and truncated vectors decode without throwing or NaN', () => {
    const rand = rng(42);
    let runs = 0;
    for (const v of VECTORS) {
      for (const { protocol, profile } of TARGETS) {
        for (let k = 0; k < 50; k++, runs++) {
          const frames = toFrames(v.frames).map((f) => {
            const data = Buffer.from(f.data);
            data[Math.floor(rand() * data.length)] ^= 1 << Math.floor(rand() * 8);
            return { ...f, data: rand() < 0.3 ? data.subarray(0, Math.floor(rand() * data.length)) : data };
          });
          checkView(protocol.decode(frames, { profile }));
        }
      }
    }
    assert.ok(runs > 10000);
  });
});
