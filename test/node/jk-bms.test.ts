/**
 * jk-bms in the real Node-RED runtime with the bus's in-process simulator port.
 * Acceptance 4: the 5-pack PB bank scenario. Acceptance 5: writes refused while disabled; when
 * enabled, a charge-FET command round-trips and the next PackState shows chargeAllowed false.
 * Also NW polling and writes, and input validation.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import jkNode = require('../../src/nodes/jk-bms/jk-bms');
import type { DeviceSimulator } from '../../src/transport/simulator-api';
import { lastStatus, until } from '../helpers/runtime';
import { bankFlow, bankScenario, watch } from '../e2e/jk-bms-scenario';
import { getNode, type TestNode } from '../helpers/node-red';

helper.init(require.resolve('node-red'));

const simulator = (): DeviceSimulator => getNode<{ simulator: DeviceSimulator }>('bus').simulator;
const simBus = (protocol: string, addresses: string) => ({
  portType: 'simulator',
  simProtocol: protocol,
  simAddresses: addresses,
  simCells: 16,
  simProfile: 'cycle',
  simWireTime: true,
});
type Caught = { error: { message: string } };

function caught(): Caught[] {
  const out: Caught[] = [];
  getNode<TestNode<Caught>>('caught').on('input', (m) => out.push(m));
  return out;
}
const send = (payload: unknown): void => getNode('jk').receive({ payload });

describe('jk-bms node (in-process simulator)', function () {
  this.timeout(20000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('PB bank of 5 (in-process port, wire time at 115200): same scenario as over the pty', async () => {
    await helper.load([busNode, jkNode], bankFlow(simBus('jk-pb', '1-5')));
    await bankScenario(simulator);
  });

  it('refuses writes while "allow writes" is off, and changes nothing', async () => {
    await helper.load([busNode, jkNode], bankFlow(simBus('jk-pb', '1-2'), { addresses: '1-2', allowWrites: false }));
    const errors = caught();
    const w = watch(simulator);
    send({ command: 'chargeFet', value: false, address: 2 });
    await until(() => errors.length === 1, 2000, 'the refusal');
    assert.match(errors[0].error.message, /writes are disabled/);
    await until(() => w.packs.filter((m) => m.payload.address === 2).length >= 2, 5000, 'two PackStates of pack 2');
    assert.equal(simulator().packs.get(2)!.model.chargeEnabled, true);
    assert.ok(w.packs.every((m) => m.payload.chargeAllowed === true));
  });

  it('with writes allowed, a charge-FET command round-trips and the next PackState shows chargeAllowed false', async () => {
    await helper.load([busNode, jkNode], bankFlow(simBus('jk-pb', '1-2'), { addresses: '1-2', allowWrites: true }));
    const w = watch(simulator);
    await until(() => w.packs.length >= 2, 5000, 'first cycle');
    assert.ok(w.packs.every((m) => m.payload.chargeAllowed));
    send({ command: 'chargeFet', value: false, address: 2 });
    await until(() => w.events.some((e) => e.payload.kind === 'write'), 3000, 'the write result');
    const result = w.events.find((e) => e.payload.kind === 'write')!;
    assert.deepEqual(result.payload, {
      kind: 'write',
      id: 'bank-2',
      address: 2,
      command: 'chargeFet',
      value: false,
      ok: true,
    });
    const at = w.packs.length;
    await until(() => w.packs.slice(at).some((m) => m.payload.address === 2), 3000, 'next PackState of pack 2');
    assert.equal(w.packs.slice(at).find((m) => m.payload.address === 2)!.payload.chargeAllowed, false);
    assert.equal(w.packs.slice(at).find((m) => m.payload.address === 1)?.payload.chargeAllowed ?? true, true);
    assert.deepEqual(w.mismatches, []);
    // one switch write per pack per 5 s: a second one at once is refused and changes nothing
    const errors = caught();
    send({ command: 'chargeFet', value: true, address: 2 });
    await until(() => errors.length === 1, 2000, 'the refusal');
    assert.match(errors[0].error.message, /refused: pack 2 was switched \d+ ms ago \(at most one write per 5 s\)/);
    assert.equal(simulator().packs.get(2)!.model.chargeEnabled, false);
  });

  it('never writes to PB address 0 (the Modbus broadcast: every pack on the bus would act on it)', async () => {
    await helper.load([busNode, jkNode], bankFlow(simBus('jk-pb', '0-1'), { addresses: '0-1', allowWrites: true }));
    const errors = caught();
    send({ command: 'chargeFet', value: false, address: 0 });
    await until(() => errors.length === 1, 2000, 'the refusal');
    assert.match(errors[0].error.message, /address 0 is the Modbus broadcast address/);
    assert.equal(simulator().packs.get(1)!.model.chargeEnabled, true);
  });

  it('validates every input message with a clear error', async () => {
    await helper.load([busNode, jkNode], bankFlow(simBus('jk-pb', '1-2'), { addresses: '1-2', allowWrites: true }));
    const errors = caught();
    const bad: Array<[unknown, RegExp]> = [
      ['on', /must be \{ command, value, address \}/],
      [{ command: 'reboot', value: true, address: 1 }, /command must be one of chargeFet, dischargeFet, balancer/],
      [{ command: 'chargeFet', value: 'off', address: 1 }, /value must be true \(on\) or false \(off\)/],
      [{ command: 'chargeFet', value: false }, /address must be one of this node's addresses \(1, 2\)/],
      [{ command: 'chargeFet', value: false, address: 7 }, /address must be one of/],
    ];
    for (const [payload] of bad) send(payload);
    await until(() => errors.length === bad.length, 2000, 'every refusal');
    bad.forEach(([, re], i) => assert.match(errors[i].error.message, re));
    assert.equal(simulator().packs.get(1)!.model.chargeEnabled, true);
  });

  it('NW: polls one JK-B, writes the discharge switch with the password frame first', async () => {
    await helper.load(
      [busNode, jkNode],
      bankFlow(simBus('jk-nw', '1'), { protocol: 'nw', addresses: '1', allowWrites: true, name: 'bank' }),
    );
    const w = watch(simulator);
    await until(() => w.packs.length >= 1, 5000, 'a PackState');
    assert.equal(w.packs[0].payload.protocol, 'jk-nw');
    assert.equal(w.packs[0].topic, 'bank-1');
    send({ command: 'dischargeFet', value: false });
    await until(() => w.events.some((e) => e.payload.kind === 'write'), 3000, 'the write result');
    const at = w.packs.length;
    await until(() => w.packs.length > at, 3000, 'next PackState');
    assert.equal(w.packs.at(-1)!.payload.dischargeAllowed, false);
    assert.equal(w.packs.at(-1)!.payload.extra?.dischargeSwitch, false);
    // The status is throttled to one write per second from the first PackState, which is also when the
    // next poll answers (1 s interval): wait for the refresh instead of racing it.
    await until(() => /^1\/1 · /.test(String(lastStatus(helper.getNode('jk')).text)), 3000, 'status 1/1');
  });

  it('NW with more than one address is a configuration error', async () => {
    await helper.load([busNode, jkNode], bankFlow(simBus('jk-nw', '1'), { protocol: 'nw', addresses: '1-2' }));
    assert.equal(lastStatus(helper.getNode('jk')).text, 'jkBms.status.badAddress');
  });

  it('counts rejected frames (bad checksum) in the status without emitting them', async () => {
    await helper.load([busNode, jkNode], bankFlow(simBus('jk-pb', '1-2'), { addresses: '1-2' }));
    const w = watch(simulator);
    simulator().packs.get(2)!.faults.badChecksum = true;
    await until(() => / · \d+ bad$/.test(String(lastStatus(helper.getNode('jk')).text)), 5000, 'the bad count');
    assert.ok(w.packs.every((m) => m.payload.address === 1));
    assert.ok(w.packs.length >= 1);
  });
});
