/**
 * Cross-field checks (config-checks.ts) and the packs-seen record, without Node-RED: every preset is
 * consistent, each contradiction gives its reason naming both settings through the label, and table shapes
 * are judged whatever the order of x.
 */
import { strict as assert } from 'node:assert';
import { CHEMISTRY_PRESETS, DEFAULTS, mergeConfig, type RulesConfig } from '../../../src/nodes/bms-rules/config';
import { checkConfig } from '../../../src/nodes/bms-rules/config-checks';
import { PacksSeen } from '../../../src/nodes/bms-rules/packs-seen';
import type { PackState } from '../../../src/core/pack-state';

function config(user: Record<string, unknown>): RulesConfig {
  const merged = mergeConfig(user);
  assert.ok(merged.ok, merged.ok ? '' : merged.reason);
  return merged.value;
}

describe('bms-rules cross-field checks', () => {
  it('the defaults and every chemistry preset are consistent', () => {
    assert.deepEqual(checkConfig(DEFAULTS), []);
    for (const chemistry of Object.keys(CHEMISTRY_PRESETS)) assert.deepEqual(checkConfig(config({ chemistry })), []);
  });

  it('each contradiction gives a reason naming both settings, with their values', () => {
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ cellLowRelease: 2.85 }, ['cellLowCut must be below cellLowRelease: 2.9 ≥ 2.85']],
      [{ cellLowRelease: 3.38 }, ['cellLowRelease must be below vCellFloat: 3.38 ≥ 3.375']],
      [{ vCellBalance: 3.44 }, ['vCellAbsorb must not be above vCellBalance: 3.45 > 3.44']],
      [{ cellValidMax: 3.55 }, ['cellHighCut must be below cellValidMax: 3.58 ≥ 3.55']],
      [{ forceChargeClearCell: 2.95 }, ['forceChargeCell must be below forceChargeClearCell: 3 ≥ 2.95']],
      [{ cellWarnHigh: 3.6 }, ['cellWarnHigh must be below cellAlarmHigh: 3.6 ≥ 3.6']],
      [{ tChargeMinRelease: -1 }, ['tChargeMin must be below tChargeMinRelease: 0 ≥ -1']],
      [{ tDisMax: 95 }, ['tDisMax must be below tempValidMax: 95 ≥ 90']],
      [{ mosWarn: 95 }, ['mosWarn must be below mosAlarm: 95 ≥ 90']],
      [{ relayVBalance: 3.8 }, ['relayVBalance must be below relayVMax: 3.8 ≥ 3.7']],
      [{ staleSec: 40 }, ['staleSec must be below offlineSec: 40 ≥ 30']],
      [{ genStopSoc: 10 }, ['genStartSoc must be below genStopSoc: 20 ≥ 10']],
    ];
    for (const [user, reasons] of cases) assert.deepEqual(checkConfig(config(user)), reasons, JSON.stringify(user));
  });

  it('names settings through the label it is given', () => {
    const label = (name: string) => `«${name}»`;
    assert.deepEqual(checkConfig(config({ staleSec: 40 }), label), ['«staleSec» must be below «offlineSec»: 40 ≥ 30']);
  });

  it('judges a taper table by rising x, whichever way it is written', () => {
    const falling = { x: [3.55, 3.5, 3.45, 3.4], y: [0, 0.5, 0.2, 1] };
    const rising = { x: [3.4, 3.45, 3.5, 3.55], y: [1, 0.2, 0.5, 0] };
    const reason = ['cellChargeTable must not give more current at a higher value'];
    assert.deepEqual(checkConfig(config({ cellChargeTable: falling })), reason);
    assert.deepEqual(checkConfig(config({ cellChargeTable: rising })), reason);
    assert.deepEqual(checkConfig(config({ cellDischargeTable: { x: [2.9, 3.0, 3.1], y: [0, 1, 0.5] } })), [
      'cellDischargeTable must not give more current at a lower value',
    ]);
    // a plateau with equal steps is a peak; a second rise is not
    assert.deepEqual(checkConfig(config({ tempChargeTable: { x: [0, 10, 40, 55], y: [0, 1, 1, 0] } })), []);
    assert.deepEqual(checkConfig(config({ mosTable: { x: [70, 80, 90], y: [1, 1, 1] } })), []);
  });

  it('a battery temperature pack must be in the packs, unless no pack is configured', () => {
    const packs = [{ id: 'jk-1', capacityAh: 100, maxChargeA: 50, maxDischargeA: 50 }];
    const choice = { pack: 'jk-5', sensor: 1 };
    assert.deepEqual(checkConfig(config({ batteryTemperature: choice })), []);
    assert.deepEqual(checkConfig(config({ packs, batteryTemperature: choice })), [
      'batteryTemperature: pack "jk-5" is not in the packs',
    ]);
    assert.deepEqual(checkConfig(config({ packs, batteryTemperature: { pack: 'jk-1', sensor: 2 } })), []);
    for (const bad of ['hottest', { pack: 'jk-1', sensor: 0 }, { pack: '', sensor: 1 }, { pack: 'jk-1' }]) {
      assert.equal(mergeConfig({ batteryTemperature: bad }).ok, false, JSON.stringify(bad));
    }
  });
});

describe('bms-rules packs seen', () => {
  const pack = (id: string, o: Partial<PackState> = {}): PackState => ({
    kind: 'pack',
    id,
    protocol: 'seplos-v2',
    time: 0,
    voltage: 53,
    current: 0,
    soc: 50,
    cells: [],
    temperatures: [25, 26, 27, 28],
    chargeAllowed: true,
    dischargeAllowed: true,
    alarms: {},
    ...o,
  });

  it('keeps the last of each pack, by id, with the capacities it reports; names the unconfigured ones still sending', () => {
    const seen = new PacksSeen(new Set(['b']));
    seen.record(pack('c', { address: 3, fullAh: 0, designAh: 200 }), 1000);
    seen.record(pack('b', { address: 2, fullAh: 271.5 }), 2000);
    seen.record(pack('a', { fullAh: Number.NaN }), 3000);
    seen.record(pack('c', { address: 3, fullAh: 198, designAh: 200 }), 4000);
    assert.deepEqual(seen.list(), [
      { id: 'a', protocol: 'seplos-v2', temperatureSensors: 4, lastSeen: 3000, configured: false },
      {
        id: 'b',
        protocol: 'seplos-v2',
        address: 2,
        capacityAh: 271.5,
        temperatureSensors: 4,
        lastSeen: 2000,
        configured: true,
      },
      {
        id: 'c',
        protocol: 'seplos-v2',
        address: 3,
        capacityAh: 198,
        designCapacityAh: 200,
        temperatureSensors: 4,
        lastSeen: 4000,
        configured: false,
      },
    ]);
    assert.deepEqual(seen.unconfigured(5000, 30_000), ['a', 'c']);
    assert.deepEqual(seen.unconfigured(34_000, 30_000), ['c']);
  });
});
