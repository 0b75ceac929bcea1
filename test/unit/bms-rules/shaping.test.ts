/**
 * Output shaping (docs/rules.md#shaping): a small fall inside the publish deadband is held, but never above what the
 * packs that can take current allow in sum (found by the offlineSec property: 101.8 A published with
 * one fresh 100 A pack left).
 */
import { strict as assert } from 'node:assert';
import { newShaper, shape, type ShapeParams } from '../../../src/nodes/bms-rules/shaping';

const p: ShapeParams = { holdMs: 10_000, rate: 10, restartMin: 5, deadbandA: 0.5, deadbandFrac: 0.02 };

describe('bms-rules output shaping', () => {
  it('holds a fall smaller than the deadband while the output stays within the ceiling', () => {
    const sh = newShaper();
    sh.out = 101.77;
    assert.equal(shape(sh, 100, 0, 1000, p, false, 300), 101.77);
  });

  it('applies a small fall at once when the held output would exceed the ceiling', () => {
    const sh = newShaper();
    sh.out = 101.77;
    assert.equal(shape(sh, 100, 0, 1000, p, false, 100), 100);
  });

  it('applies a fall to 0 and a fall beyond the deadband at once', () => {
    const a = newShaper();
    a.out = 50;
    assert.equal(shape(a, 0, 0, 1000, p, false), 0);
    const b = newShaper();
    b.out = 50;
    assert.equal(shape(b, 45, 0, 1000, p, false), 45);
  });
});
