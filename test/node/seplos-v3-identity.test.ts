/**
 * seplos-bms V3 identity in the real Node-RED runtime with the bus's in-process simulator: the VIA
 * block is read before a pack's first poll and never again, its model and firmware ride in every
 * PackState's `extra` and show in the node status; with "read device info" off nothing is read or
 * shown.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import seplosNode = require('../../src/nodes/seplos/seplos-bms');
import type { PackState } from '../../src/core/pack-state';
import { parseRequest } from '../../src/transport/modbus-rtu';
import type { DeviceSimulator } from '../../src/transport/simulator-api';
import { lastStatus, until } from '../helpers/runtime';
import { getNode } from '../helpers/node-red';

helper.init(require.resolve('node-red'));

function flow(readInfo: boolean) {
  return [
    { id: 'tab', type: 'tab' },
    {
      id: 'bus',
      type: 'bms-serial-bus',
      portType: 'simulator',
      simProtocol: 'seplos-v3',
      simAddresses: '1-2',
      simCells: 16,
      baudRate: 19200,
      timeoutMs: 300,
    },
    {
      id: 's',
      z: 'tab',
      type: 'seplos-bms',
      bus: 'bus',
      generation: 'v3',
      addresses: '1-2',
      interval: 0.5,
      readInfo,
      wires: [['out'], []],
    },
    { id: 'out', z: 'tab', type: 'helper' },
  ];
}

/** Counts, from now on, the identity (FC 04 at 0x1700) requests per address the simulated packs receive. */
function countIdentityReads(): Map<number, number> {
  const sim = getNode<{ simulator: DeviceSimulator }>('bus').simulator;
  const counts = new Map<number, number>();
  const receive = sim.receive.bind(sim);
  sim.receive = (data) => {
    const request = parseRequest(Buffer.from(data));
    if (request && request.fn === 0x04 && request.start === 0x1700) {
      counts.set(request.address, (counts.get(request.address) ?? 0) + 1);
    }
    receive(data);
  };
  return counts;
}

describe('seplos-bms V3 identity (in-process simulator)', function () {
  this.timeout(15000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('reads VIA once per pack; model and firmware in extra and in the status', async () => {
    await helper.load([busNode, seplosNode], flow(true));
    const out: PackState[] = [];
    getNode('out').on('input', (m) => out.push((m as { payload: PackState }).payload));
    await until(() => out.length >= 2, 5000, 'first cycle (identity read before it)');
    // Counted from here: the first cycle read the identity (its PackStates carry it), later ones must not.
    const identityReads = countIdentityReads();
    await until(() => out.length >= 8, 8000, 'three more poll cycles of two packs');
    assert.equal(identityReads.size, 0, 'no identity read after the first');
    for (const p of out) {
      assert.equal(p.extra?.model, 'SIM16S200A-V3');
      assert.equal(p.extra?.firmware, '1.5');
      const device = p.extra?.device as { manufacturer: string; bmsSerial: string };
      assert.equal(device.manufacturer, 'XZH-ElecTech Co.,Ltd');
      assert.equal(device.bmsSerial, `SIMV3-BMS-000${p.address}`);
    }
    await until(
      () => /^2\/2 · .* · SIM16S200A-V3 fw 1\.5$/.test(String(lastStatus(helper.getNode('s')).text)),
      3000,
      'status with model and firmware',
    );
  });

  it('with "read device info" off: no VIA read, no model in extra or status', async () => {
    await helper.load([busNode, seplosNode], flow(false));
    const out: PackState[] = [];
    getNode('out').on('input', (m) => out.push((m as { payload: PackState }).payload));
    await until(() => out.length >= 2, 5000, 'first cycle');
    const identityReads = countIdentityReads();
    await until(() => out.length >= 6, 8000, 'two more poll cycles');
    await until(() => /^2\/2 · /.test(String(lastStatus(helper.getNode('s')).text)), 3000, 'status 2/2');
    assert.equal(identityReads.size, 0);
    assert.ok(out.every((p) => p.extra?.model === undefined));
    assert.doesNotMatch(String(lastStatus(helper.getNode('s')).text), /SIM/);
  });
});
