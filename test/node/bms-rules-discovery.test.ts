/**
 * Discovery (issue 16, acceptance 2, runtime side): example 01's three simulated JK PB packs reach a
 * bms-rules node whose packs table is empty. The admin endpoint lists them with their capacity, the
 * status names them as unconfigured; once they are added (with the capacity the endpoint gave) and the
 * node is redeployed, the "unconfigured" status ends. Real runtime, real admin HTTP.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import jkNode = require('../../src/nodes/jk-bms/jk-bms');
import type { SeenPack } from '../../src/nodes/bms-rules/packs-seen';
import { lastStatus, until } from '../helpers/runtime';
import { getNode } from '../helpers/node-red';
import { loadExample } from '../helpers/fixtures';
import { rulesWithCatalog } from '../helpers/rules-catalog';

helper.init(require.resolve('node-red'));

type FlowNode = Record<string, unknown> & { id: string; type: string };

/** Example 01 with only the bus, the BMS node and bms-rules (debug nodes become test sinks). */
function quickStart(packs: unknown[]): FlowNode[] {
  return loadExample<FlowNode>('01 - Quick start (simulated)')
    .filter((n) => ['tab', 'bms-serial-bus', 'jk-bms', 'bms-rules', 'debug'].includes(n.type))
    .map((n) => (n.type === 'debug' ? { ...n, type: 'helper' } : n))
    .map((n) => (n.type === 'bms-rules' ? { ...n, packs: JSON.stringify(packs) } : n));
}

const statusText = (): string => String(lastStatus(getNode('qs_rules')).text);

async function packsSeen(): Promise<SeenPack[]> {
  const res = await helper.request().get('/bms-rules/qs_rules/packs-seen').expect(200);
  return res.body as SeenPack[];
}

describe('bms-rules discovery: packs seen and unconfigured packs', function () {
  this.timeout(30_000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('example 01 with no packs configured: the endpoint lists the three with capacity; adding them ends the unconfigured status', async () => {
    await helper.load([busNode, jkNode, rulesWithCatalog], quickStart([]));
    await until(() => /3 unconfigured packs: jk-1, jk-2, jk-3/.test(statusText()), 12_000, 'unconfigured status');

    const seen = await packsSeen();
    assert.deepEqual(
      seen.map((p) => [p.id, p.protocol, p.address, p.configured]),
      [
        ['jk-1', 'jk-pb', 1, false],
        ['jk-2', 'jk-pb', 2, false],
        ['jk-3', 'jk-pb', 3, false],
      ],
    );
    for (const pack of seen) {
      const capacity = pack.capacityAh ?? pack.designCapacityAh;
      assert.ok(capacity !== undefined && capacity > 0, `${pack.id} capacity ${JSON.stringify(pack)}`);
      assert.ok(pack.temperatureSensors >= 1, `${pack.id} sensors`);
      assert.ok(Date.now() - pack.lastSeen < 10_000, `${pack.id} seen lately`);
    }
    await helper.request().get('/bms-rules/no-such-node/packs-seen').expect(404);

    // the dialog adds the packs seen with their capacity; the flow is redeployed
    const packs = seen.map((p) => ({
      id: p.id,
      capacityAh: p.capacityAh ?? p.designCapacityAh,
      maxChargeA: 100,
      maxDischargeA: 100,
    }));
    await helper.setFlows(quickStart(packs), 'nodes');
    await until(() => /^normal · 3\/3 /.test(statusText()), 12_000, 'NORMAL with the three packs configured');
    assert.doesNotMatch(statusText(), /unconfigured/);
    const after = await packsSeen();
    assert.ok(after.length === 3 && after.every((p) => p.configured), JSON.stringify(after));
  });
});
