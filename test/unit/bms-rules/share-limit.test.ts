/**
 * Share model (docs/rules.md#current-limits): share feedback may lower the bank limit, never raise it above what the modelled
 * shares allow.
 */
import { strict as assert } from 'node:assert';
import { DEFAULTS } from '../../../src/nodes/bms-rules/config';
import type { PackTrack } from '../../../src/nodes/bms-rules/health';
import { bankLimit, type Limited } from '../../../src/nodes/bms-rules/limits';

function track(id: string, weightFactor: number): PackTrack {
  return {
    id,
    status: 'ok',
    weightFactor,
    config: { capacityAh: 100 },
    last: { chargeFet: true, dischargeFet: true },
  } as unknown as PackTrack;
}

const perPack = (a: number, b: number) =>
  new Map<string, { ccl: Limited; dcl: Limited }>([
    ['A', { ccl: { value: a, by: 'cell:AC1' }, dcl: { value: 100, by: 'config:A' } }],
    ['B', { ccl: { value: b, by: 'config:B' }, dcl: { value: 100, by: 'config:B' } }],
  ]);

describe('bank limit share model', () => {
  const cfg = { ...DEFAULTS, shareMode: 'capacity' as const, shareMargin: 0.9, systemMaxChargeA: 1000 };

  it('two equal packs: the tighter pack binds, with the margin', () => {
    const l = bankLimit([track('A', 1), track('B', 1)], cfg, 'charge', perPack(50, 100));
    assert.equal(l.value, 90);
    assert.equal(l.by, 'cell:AC1');
  });

  it('a feedback factor below 1 on the binding pack does not raise the bank limit', () => {
    const l = bankLimit([track('A', 0.5), track('B', 1)], cfg, 'charge', perPack(50, 100));
    assert.ok(l.value <= 90, `bank CCL ${l.value} above the modelled 90 A`);
  });

  it('a raised weight on the binding pack lowers the bank limit', () => {
    const l = bankLimit([track('A', 2), track('B', 1)], cfg, 'charge', perPack(50, 100));
    assert.ok(Math.abs(l.value - 67.5) < 1e-9, `bank CCL ${l.value}`);
  });
});
