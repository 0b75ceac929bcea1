/**
 * The battery temperature bms-rules gives the inverter (setting batteryTemperature), in the real runtime:
 * four nodes receive the same two packs and differ only in that setting. The BankState's
 * temperature.avg is the choice, min and max stay the bank's; a chosen pack that goes offline gives the
 * warmest sensor of the packs left. A choice naming a pack not in the packs is refused.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import { jitteredCells, rulesPack } from '../helpers/rules-pack';
import type { PackState } from '../../src/core/pack-state';
import type { RulesBankState } from '../../src/nodes/bms-rules/engine';
import { lastStatus, until } from '../helpers/runtime';
import { getNode, type TestNode } from '../helpers/node-red';
import { rulesWithCatalog } from '../helpers/rules-catalog';

helper.init(require.resolve('node-red'));

const PACKS = [
  { id: 'P1', capacityAh: 100, maxChargeA: 50, maxDischargeA: 50 },
  { id: 'P2', capacityAh: 100, maxChargeA: 50, maxDischargeA: 50 },
];
const CHOICES: Record<string, unknown> = {
  average: undefined,
  max: 'max',
  min: 'min',
  sensor: { pack: 'P2', sensor: 2 },
};
const TIMING = { staleSec: 1, offlineSec: 2 };

function pack(id: string, temperatures: number[]): PackState {
  return rulesPack(id, jitteredCells(), temperatures);
}

function rulesNodes(): Array<Record<string, unknown>> {
  const nodes = Object.entries(CHOICES).flatMap(([name, choice]) => [
    {
      id: `rules-${name}`,
      z: 'tab',
      type: 'bms-rules',
      bankName: name,
      packs: JSON.stringify(PACKS),
      rules: JSON.stringify({ ...TIMING, ...(choice === undefined ? {} : { batteryTemperature: choice }) }),
      telemetry: false,
      wires: [[`${name}-bank`], [], [], [], [], []],
    },
    { id: `${name}-bank`, z: 'tab', type: 'helper' },
  ]);
  return [{ id: 'tab', type: 'tab' }, ...nodes];
}

describe('bms-rules battery temperature for the inverter', function () {
  this.timeout(20_000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('average (default), warmest, coldest or one pack’s sensor; an offline chosen pack gives the warmest left', async () => {
    await helper.load(rulesWithCatalog, rulesNodes());
    const banks: Record<string, RulesBankState[]> = {};
    for (const name of Object.keys(CHOICES)) {
      banks[name] = [];
      getNode<TestNode<{ payload: RulesBankState }>>(`${name}-bank`).on('input', (m) => banks[name].push(m.payload));
    }
    const latest = (name: string) => banks[name].at(-1)?.temperature;
    let sending = ['P1', 'P2'];
    const temperatures: Record<string, number[]> = { P1: [20, 40], P2: [30, 34] };
    const feed = setInterval(() => {
      for (const name of Object.keys(CHOICES)) {
        for (const id of sending) getNode(`rules-${name}`).receive({ payload: pack(id, temperatures[id]) });
      }
    }, 200);
    try {
      await until(() => Object.keys(CHOICES).every((n) => banks[n].at(-1)?.packs.online === 2), 8000, 'both packs');
      // per pack the average of its coldest and warmest sensor, then over the packs: (30 + 32) / 2
      assert.deepEqual(latest('average'), { min: 20, max: 40, avg: 31 });
      assert.deepEqual(latest('max'), { min: 20, max: 40, avg: 40 });
      assert.deepEqual(latest('min'), { min: 20, max: 40, avg: 20 });
      assert.deepEqual(latest('sensor'), { min: 20, max: 40, avg: 34 });

      // P2 (the chosen one) stops: once it no longer counts, the warmest sensor of P1
      sending = ['P1'];
      temperatures.P1 = [20, 38];
      await until(() => banks.sensor.at(-1)?.packStates.P2.status === 'offline', 6000, 'P2 offline');
      assert.deepEqual(latest('sensor'), { min: 20, max: 38, avg: 38 });
      assert.deepEqual(latest('average'), { min: 20, max: 38, avg: 29 });
    } finally {
      clearInterval(feed);
    }
  });

  it('refuses a sensor of a pack that is not in the packs, and a choice it does not know', async () => {
    const node = (id: string, batteryTemperature: unknown) => ({
      id,
      z: 'tab',
      type: 'bms-rules',
      packs: JSON.stringify(PACKS),
      rules: JSON.stringify({ batteryTemperature }),
      wires: [],
    });
    await helper.load(rulesWithCatalog, [
      { id: 'tab', type: 'tab' },
      node('other', { pack: 'P9', sensor: 1 }),
      node('word', 'hottest'),
    ]);
    assert.equal(
      lastStatus(getNode('other')).text,
      'bad configuration: Battery temperature for the inverter: pack "P9" is not in the packs',
    );
    assert.equal(
      lastStatus(getNode('word')).text,
      'bad configuration: batteryTemperature must be "max", "average", "min" or { "pack": "<id>", "sensor": 1 }',
    );
  });
});
