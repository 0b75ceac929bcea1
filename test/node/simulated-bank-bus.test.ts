/**
 * A bms-serial-bus in simulator mode naming a simulated bank, in the real Node-RED runtime: the jk-bms
 * node reads the bank's packs (their share of the bank current, their cells), a pulled cable silences
 * one pack, and undeploying releases the bank while keeping its state.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import jkNode = require('../../src/nodes/jk-bms/jk-bms');
import type { PackState } from '../../src/core/pack-state';
import { forgetSimulatedBanks, getSimulatedBank } from '../../src/transport/simulated-banks';
import { until } from '../helpers/runtime';
import { bankFlow } from '../e2e/jk-bms-scenario';
import { getNode, type TestNode } from '../helpers/node-red';

helper.init(require.resolve('node-red'));

const bus = {
  portType: 'simulator',
  simProtocol: 'jk-pb',
  simAddresses: '1-3',
  simCells: 16,
  simBank: ' node-test ',
};

describe('bms-serial-bus with a simulated bank', function () {
  this.timeout(20000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    forgetSimulatedBanks();
  });

  it('the packs answer from the bank: each carries its share of the bank current', async () => {
    const bank = getSimulatedBank('node-test', { soc: 40 });
    bank.setCurrent(-120);
    await helper.load([busNode, jkNode], bankFlow(bus, { addresses: '1-3' }));
    const packs: PackState[] = [];
    getNode<TestNode<{ payload: PackState }>>('out').on('input', (m) => packs.push(m.payload));
    await until(() => new Set(packs.filter((p) => p.current !== 0).map((p) => p.address)).size === 3, 8000, '3 packs');
    const last = new Map(packs.map((p) => [p.address, p]));
    const sum = [...last.values()].reduce((a, p) => a + p.current, 0);
    assert.ok(Math.abs(sum + 120) < 1.5, `the packs carry the bank current together (${sum} A)`);
    for (const p of last.values()) assert.ok(p.current < -30 && p.current > -50, `pack ${p.address}: ${p.current} A`);
    assert.ok(bank.clock.running, 'the bus holds the bank');
    bank.pullCable(2);
    const from = packs.length;
    await until(() => packs.slice(from).filter((p) => p.address === 1).length >= 3, 8000, 'three more reads of pack 1');
    const during = packs.slice(from + 1);
    assert.ok(during.length > 0 && during.every((p) => p.address !== 2), 'pack 2 silent while its cable is pulled');
    await helper.unload();
    assert.ok(!bank.clock.running, 'undeploy releases the bank');
    assert.equal(getSimulatedBank('node-test'), bank, 'the bank and its state stay');
  });
});
