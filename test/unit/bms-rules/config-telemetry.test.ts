/**
 * Configuration (defaults, presets, validation), commands and telemetry/HA discovery (the editor and help
 * coverage of every parameter is in config-schema.test.ts).
 */
import { strict as assert } from 'node:assert';
import { CHEMISTRY_PRESETS, DEFAULTS, interp, resolveConfig } from '../../../src/nodes/bms-rules/config';
import { parseCommand } from '../../../src/nodes/bms-rules/commands';
import { TelemetryDiff, discoveryMessages, telemetryValues } from '../../../src/nodes/bms-rules/telemetry';
import { warmRun } from './fixtures';

describe('bms-rules configuration', () => {
  it('defaults are the LiFePO4 16S values of docs/rules.md', () => {
    const c = resolveConfig({});
    assert.ok(c.ok);
    const v = c.value;
    assert.deepEqual(
      [v.cellsSeries, v.vCellAbsorb, v.vCellFloat, v.vCellRebulk, v.vCellBalance],
      [16, 3.45, 3.375, 3.3, 3.5],
    );
    assert.deepEqual([v.cellHighCut, v.cellHighRelease, v.cellLowCut, v.cellLowRelease], [3.58, 3.4, 2.9, 3.1]);
    assert.deepEqual(
      [v.staleSec, v.offlineSec, v.frozenSec, v.offBusV, v.blindGraceSec, v.blindFrac, v.recoverHoldSec],
      [10, 30, 60, 0.5, 120, 0.25, 30],
    );
    assert.deepEqual(
      [v.shareMargin, v.incHoldSec, v.absorbHoldSec, v.absorbMaxSec, v.minFloatSec],
      [0.9, 30, 900, 3600, 1800],
    );
  });

  it('chemistry presets carry the 123\\SmartBMS gen3 V-min / V-balance / V-max, user values win', () => {
    const th = (chem: string) => {
      const c = resolveConfig({ chemistry: chem });
      assert.ok(c.ok, c.ok ? '' : c.reason);
      return [c.value.relayVMin, c.value.relayVBalance, c.value.relayVMax];
    };
    assert.deepEqual(th('lifepo4'), [2.9, 3.4, 3.7]);
    assert.deepEqual(th('lto'), [2.15, 2.6, 2.7]);
    assert.deepEqual(th('nmc'), [3.43, 4.0, 4.1]);
    assert.deepEqual(th('li-ion'), [3.43, 4.1, 4.15]);
    const c = resolveConfig({ chemistry: 'nmc', vCellAbsorb: 4.02 });
    assert.ok(c.ok && c.value.vCellAbsorb === 4.02 && c.value.cellHighCut === CHEMISTRY_PRESETS.nmc.cellHighCut);
    for (const chem of Object.keys(CHEMISTRY_PRESETS)) assert.ok(resolveConfig({ chemistry: chem }).ok, chem);
  });

  it('rejects typos, bad types, bad tables and inconsistent voltages with a reason', () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ vCellAbsorbe: 3.4 }, /unknown parameter "vCellAbsorbe"/],
      [{ kp: 'x' }, /kp must be a finite number/],
      [{ staleSec: -1 }, /staleSec must not be negative/],
      [{ chargeRelayMode: 'sometimes' }, /chargeRelayMode must be one of limits, normal, critical/],
      [{ cellChargeTable: { x: [3.5, 3.4, 3.45], y: [0, 1, 0.5] } }, /strictly monotone/],
      [{ cellChargeTable: { x: [3.5], y: [2] } }, /fractions/],
      [{ vCellFloat: 3.5 }, /vCellFloat must be below vCellAbsorb: 3\.5 ≥ 3\.45/],
      [
        { packs: [{ id: 'a', capacityAh: 0, maxChargeA: 1, maxDischargeA: 1 }] },
        /^Pack 1: Capacity \(Ah\) must be a positive number, or empty to take it from the BMS$/,
      ],
      [
        {
          packs: [
            { id: 'a', capacityAh: 1, maxChargeA: 1, maxDischargeA: 1 },
            { id: 'a', capacityAh: 1, maxChargeA: 1, maxDischargeA: 1 },
          ],
        },
        /^Pack 2: the Pack id "a" is already used by pack 1$/,
      ],
      [{ staleSec: 40 }, /staleSec must be below offlineSec/],
      [{ cellsSeries: 0 }, /cellsSeries/],
      [{ packs: {} }, /^Packs must be a list of packs$/],
      [{ packs: [{ id: 'a' }, 7] }, /^Pack 2: must be a row with a Pack id and ratings$/],
      [{ packs: [{ id: '  ' }] }, /^Pack 1: the Pack id must not be empty$/],
      [
        { defaultPack: { capacityAh: 100, maxChargeA: 0 } },
        /^Unconfigured pack: Max charge \(A\) must be a positive number$/,
      ],
      ['x', /must be an object/],
    ];
    for (const [u, re] of bad) {
      const r = resolveConfig(u);
      assert.ok(!r.ok, JSON.stringify(u));
      assert.match(r.reason, re);
    }
  });

  it('interp clamps at both ends and works for falling x', () => {
    const t = DEFAULTS.cellChargeTable;
    assert.equal(interp(t, 3.6), 0);
    assert.equal(interp(t, 3.3), 1);
    assert.ok(Math.abs(interp(t, 3.425) - 0.325) < 1e-12);
    assert.equal(interp({ x: [0, 10], y: [0, 1] }, 5), 0.5);
  });
});

describe('bms-rules commands', () => {
  it('parses names and per-pack commands; rejects others', () => {
    assert.deepEqual(parseCommand('forceBulk'), { ok: true, value: { command: 'forceBulk' } });
    assert.deepEqual(parseCommand({ command: 'exclude', pack: 'P2' }), {
      ok: true,
      value: { command: 'exclude', pack: 'P2' },
    });
    assert.equal(parseCommand({ command: 'include' }).ok, false);
    assert.equal(parseCommand(42).ok, false);
    assert.equal(parseCommand('reboot').ok, false);
  });
});

describe('bms-rules telemetry', () => {
  it('one value per topic; only changes unless full; every alarm name present', () => {
    const bank = warmRun().last;
    const v = telemetryValues(bank);
    assert.equal(v.ccl, 270);
    assert.equal(v.mode, 'normal');
    assert.equal(v['alarms/cellOverVoltage'], 'ok');
    assert.equal(v['relays/charge'], true);
    assert.equal(v['packs/P2/status'], 'ok');
    const d = new TelemetryDiff('cellsafe', 'house');
    const first = d.messages(bank, false);
    assert.equal(first.length, Object.keys(v).length);
    assert.ok(first.every((m) => m.topic.startsWith('cellsafe/house/')));
    assert.deepEqual(d.messages(bank, false), []);
    assert.equal(
      d
        .messages({ ...bank, ccl: 100 }, false)
        .map((m) => m.topic)
        .join(),
      'cellsafe/house/ccl',
    );
    assert.equal(d.messages(bank, true).length, first.length);
  });

  it('HA discovery: retained configs for the bank and every pack, state topics match the telemetry topics', () => {
    const bank = warmRun().last;
    const msgs = discoveryMessages('cellsafe', 'my house', ['P1', 'P2', 'P3']);
    assert.ok(
      msgs.every(
        (m) =>
          m.retain === true &&
          /^homeassistant\/(sensor|binary_sensor)\/cellsafe_my_house_[\w-]+\/config$/.test(m.topic),
      ),
    );
    const topics = new Set(Object.keys(telemetryValues(bank)).map((k) => `cellsafe/my_house/${k}`));
    for (const m of msgs) {
      const c = JSON.parse(m.payload as string);
      assert.ok(topics.has(c.state_topic), c.state_topic);
      assert.ok(c.unique_id && c.device.identifiers.length === 1);
    }
    const ids = new Set(msgs.map((m) => JSON.parse(m.payload as string).unique_id));
    assert.equal(ids.size, msgs.length, 'unique ids');
    assert.ok(msgs.some((m) => m.topic === 'homeassistant/sensor/cellsafe_my_house_P3_soc/config'));
  });
});
