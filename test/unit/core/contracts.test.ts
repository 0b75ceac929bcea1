import { strict as assert } from 'node:assert';
import { parseAddressList } from '../../../src/core/address-list';
import { SimClock } from '../../../src/core/clock';
import { validateBankState, validatePackState, type BankState, type PackState } from '../../../src/core/pack-state';

export function samplePack(over: Partial<PackState> = {}): PackState {
  return {
    kind: 'pack',
    id: 'P1',
    protocol: 'jk-pb',
    address: 1,
    time: 1000,
    voltage: 53.1,
    current: -12.5,
    soc: 80,
    cells: [3.31, 3.32],
    temperatures: [24.5],
    chargeAllowed: true,
    dischargeAllowed: true,
    alarms: { cellImbalance: 'warn' },
    ...over,
  };
}

describe('PackState validator', () => {
  it('accepts a complete pack state', () => {
    assert.deepEqual(validatePackState(samplePack()), { ok: true, value: samplePack() });
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['not an object', 42, /must be an object/],
    ['wrong kind', { ...samplePack(), kind: 'bank' }, /kind must be "pack"/],
    ['NaN voltage', { ...samplePack(), voltage: NaN }, /voltage must be a finite number/],
    ['missing current', { ...samplePack(), current: undefined }, /current must be a finite number/],
    ['cell not a number', { ...samplePack(), cells: [3.3, '3.4'] }, /cells\[1\]/],
    ['soc out of range', { ...samplePack(), soc: 101 }, /soc must be 0..100/],
    ['unknown alarm', { ...samplePack(), alarms: { fire: 'alarm' } }, /unknown alarm "fire"/],
    ['bad alarm level', { ...samplePack(), alarms: { shortCircuit: 'yes' } }, /"warn" or "alarm"/],
    ['unknown protocol', { ...samplePack(), protocol: 'daly' }, /protocol must be one of/],
    ['infinite optional', { ...samplePack(), soh: Infinity }, /soh must be a finite number/],
    ['non-boolean flag', { ...samplePack(), chargeAllowed: 1 }, /chargeAllowed must be a boolean/],
  ];
  for (const [what, value, reason] of bad) {
    it(`rejects ${what} with a reason`, () => {
      const r = validatePackState(value);
      assert.equal(r.ok, false);
      assert.match((r as { reason: string }).reason, reason);
    });
  }
});

describe('BankState validator', () => {
  const bank: BankState = {
    kind: 'bank',
    time: 1,
    cvl: 55.2,
    ccl: 100,
    dcl: 150,
    dvl: 48,
    chargeAllowed: true,
    dischargeAllowed: true,
    forceCharge: false,
    fullChargeRequest: false,
    soc: 50,
    soh: 100,
    voltage: 53,
    current: 10,
    power: 530,
    temperature: { min: 20, max: 25, avg: 22 },
    cellMin: { v: 3.3, pack: 'P1', cell: 1 },
    cellMax: { v: 3.32, pack: 'P1', cell: 2 },
    packs: { total: 1, online: 1, stale: 0, offline: 0, blockingCharge: 0, blockingDischarge: 0 },
    capacityAh: { installed: 280, online: 280 },
    chargeState: 'bulk',
    mode: 'normal',
    limitedBy: { cvl: 'config', ccl: 'config', dcl: 'config' },
    alarms: { packOffline: 'warn' },
    relays: { charge: true, load: true, alarm: false },
    stopCan: false,
  };
  it('accepts a complete bank state', () => assert.equal(validateBankState(bank).ok, true));
  it('rejects a NaN limit, an unknown mode and a non-boolean relay', () => {
    assert.match((validateBankState({ ...bank, ccl: NaN }) as { reason: string }).reason, /ccl/);
    assert.match((validateBankState({ ...bank, mode: 'panic' }) as { reason: string }).reason, /mode/);
    assert.match((validateBankState({ ...bank, relays: { charge: 'on' } }) as { reason: string }).reason, /relays/);
  });
});

describe('address list', () => {
  it('parses lists and ranges, sorted and unique', () => {
    assert.deepEqual(parseAddressList('3, 1-2,2'), { ok: true, value: [1, 2, 3] });
    assert.deepEqual(parseAddressList('0-3, 8', 0, 15), { ok: true, value: [0, 1, 2, 3, 8] });
  });
  it('rejects garbage, backwards ranges and out-of-range addresses', () => {
    assert.match((parseAddressList('a') as { reason: string }).reason, /not an address/);
    assert.match((parseAddressList('5-1') as { reason: string }).reason, /backwards/);
    assert.match((parseAddressList('1-16', 0, 15) as { reason: string }).reason, /outside 0..15/);
    assert.match((parseAddressList(' ') as { reason: string }).reason, /no address/);
  });
});

describe('SimClock', () => {
  it('fires timers in time order, intervals repeatedly, and not after clear', () => {
    const clock = new SimClock(0);
    const log: string[] = [];
    clock.setTimeout(() => log.push(`b@${clock.now()}`), 200);
    clock.setTimeout(() => log.push(`a@${clock.now()}`), 100);
    const iv = clock.setInterval(() => log.push(`i@${clock.now()}`), 150);
    const gone = clock.setTimeout(() => log.push('never'), 50);
    clock.clearTimeout(gone);
    clock.advance(310);
    clock.clearInterval(iv);
    clock.advance(1000);
    assert.deepEqual(log, ['a@100', 'i@150', 'b@200', 'i@300']);
    assert.equal(clock.now(), 1310);
    assert.equal(clock.pending, 0);
  });
});
