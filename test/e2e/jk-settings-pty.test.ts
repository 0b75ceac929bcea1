/**
 * JK settings over a pty pair at 115200 in the real Node-RED runtime: read at start (one `settings`
 * message per pack on output 2, field by field equal to the simulator's settings, and in
 * `extra.settings` of later PackStates); a PB cell OVP write changes the simulator and the read-back
 * confirms it; out-of-range values and writes with "Allow writes" off are refused and change nothing.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import jkNode = require('../../src/nodes/jk-bms/jk-bms');
import type { PackSettings } from '../../src/core/pack-settings';
import { jkSettingNames } from '../../src/nodes/jk-bms/jk-settings';
import { createJkNwSimulator, createJkPbSimulator } from '../../src/nodes/jk-bms/simulator';
import { SIM_SETTINGS, simulatedJkSettings } from '../../src/nodes/jk-bms/simulator-settings';
import type { DeviceSimulator } from '../../src/transport/simulator-api';
import { getNode, type TestNode } from '../helpers/node-red';
import { withPtySimulator } from '../helpers/pty-simulator';
import { until } from '../helpers/runtime';
import { bankFlow, type EventMsg, type Msg } from './jk-bms-scenario';

helper.init(require.resolve('node-red'));

type Caught = { error: { message: string } };

function collect() {
  const events: EventMsg[] = [];
  const packs: Msg[] = [];
  const errors: Caught[] = [];
  getNode<TestNode<EventMsg>>('events').on('input', (m) => events.push(m));
  getNode<TestNode<Msg>>('out').on('input', (m) => packs.push(m));
  getNode<TestNode<Caught>>('caught').on('input', (m) => errors.push(m));
  const settingsOf = (address: number) =>
    events.filter((e) => e.payload.kind === 'settings' && e.payload.address === address);
  return { events, packs, errors, settingsOf };
}

/** Every setting the protocol carries equals the simulated pack's. */
function assertMatches(read: PackSettings, sim: DeviceSimulator, address: number, protocol: 'nw' | 'pb'): void {
  const expected = simulatedJkSettings(sim.packs.get(address)!);
  const names = jkSettingNames(protocol);
  assert.ok(names.length >= 18, `${protocol} carries ${names.length} settings`);
  for (const name of names) assert.equal(read[name], expected[name], `${protocol} ${name} of pack ${address}`);
  assert.equal(read.switches.chargeEnabled, sim.packs.get(address)!.model.chargeEnabled);
}

const send = (topic: string, payload: unknown): void => getNode('jk').receive({ topic, payload });

describe('JK settings over a pty pair at 115200 baud', function () {
  this.timeout(30000);
  const rig = withPtySimulator();

  const reads = [
    { protocol: 'nw' as const, method: 'fc03', factory: createJkNwSimulator, addresses: [1] },
    { protocol: 'pb' as const, method: 'fc03', factory: createJkPbSimulator, addresses: [1, 2, 3] },
    { protocol: 'pb' as const, method: 'trigger', factory: createJkPbSimulator, addresses: [1, 2, 3] },
  ];
  for (const { protocol, method, factory, addresses } of reads) {
    it(`${protocol} ${method}: one settings message per pack at start, equal to the simulator's, then in extra.settings`, async () => {
      const device = await rig.startDevice({ baudRate: 115200, factory, options: { addresses, cells: 16 } });
      const flow = bankFlow(
        { portType: 'serial', path: rig.pty.a },
        { protocol, method, addresses: addresses.join(',') },
      );
      await helper.load([busNode, jkNode], flow);
      const seen = collect();
      await until(() => addresses.every((a) => seen.settingsOf(a).length === 1), 10000, 'settings of every pack');
      for (const a of addresses) {
        const read = seen.settingsOf(a)[0].payload.settings as PackSettings;
        assert.equal(read.protocol, protocol === 'nw' ? 'jk-nw' : 'jk-pb');
        assertMatches(read, device.simulator, a, protocol);
      }
      const before = seen.packs.length;
      await until(() => seen.packs.length >= before + addresses.length, 5000, 'a cycle after the settings');
      const later = seen.packs.slice(before);
      for (const m of later) assert.equal((m.payload.extra?.settings as PackSettings).cellOvpV, SIM_SETTINGS.cellOvpV);
      // Measurements kept their cadence: no pack missed a cycle while settings were read.
      assert.equal(seen.events.filter((e) => e.payload.kind === 'communication').length, 0);

      send('readSettings', { address: addresses[0] });
      await until(() => seen.settingsOf(addresses[0]).length === 2, 5000, 'settings again on readSettings');
      assert.equal(seen.errors.length, 0);
    });
  }

  it('PB write of cell OVP: written, read back and confirmed; out of range and writes off are refused', async () => {
    const device = await rig.startDevice({
      baudRate: 115200,
      factory: createJkPbSimulator,
      options: { addresses: [1, 2], cells: 16 },
    });
    const flow = bankFlow({ portType: 'serial', path: rig.pty.a }, { addresses: '1,2', allowWrites: true });
    await helper.load([busNode, jkNode], flow);
    const seen = collect();
    const simSettings = (a: number) => simulatedJkSettings(device.simulator.packs.get(a)!);
    await until(() => seen.settingsOf(2).length === 1, 10000, 'settings at start');

    send('writeSettings', { address: 2, fields: { cellOvpV: 3.62 }, dryRun: true });
    await until(
      () => seen.events.some((e) => e.payload.kind === 'settingsWrite') || seen.errors.length > 0,
      5000,
      'the dry run',
    );
    assert.equal(seen.errors.length, 0, JSON.stringify(seen.errors));
    const dry = seen.events.find((e) => e.payload.kind === 'settingsWrite')!.payload;
    assert.deepEqual(dry.diff, [{ field: 'cellOvpV', from: 3.65, to: 3.62 }]);
    assert.equal(simSettings(2).cellOvpV, 3.65, 'a dry run writes nothing');

    send('writeSettings', { address: 2, fields: { cellOvpV: 3.62 } });
    await until(() => seen.events.filter((e) => e.payload.kind === 'settingsWrite').length === 2, 5000, 'the write');
    const done = seen.events.filter((e) => e.payload.kind === 'settingsWrite')[1].payload;
    assert.equal(done.ok, true);
    assert.equal((done.settings as PackSettings).cellOvpV, 3.62, 'read back');
    assert.equal(simSettings(2).cellOvpV, 3.62, 'the simulator holds the new OVP');
    assert.equal(simSettings(1).cellOvpV, 3.65, 'the other pack is untouched');
    assert.equal((seen.settingsOf(2).at(-1)!.payload.settings as PackSettings).cellOvpV, 3.62);

    send('writeSettings', { address: 1, fields: { cellOvpV: 5.5 } });
    await until(() => seen.errors.length === 1, 5000, 'out-of-range refusal');
    assert.match(seen.errors[0].error.message, /cellOvpV 5\.5 V is outside 1–5 V/);
    send('writeSettings', { address: 1, fields: { cellOvprV: 3.7 } });
    await until(() => seen.errors.length === 2, 5000, 'ordering refusal');
    assert.match(seen.errors[1].error.message, /recovery must be below cell OVP/);
    send('writeSettings', { address: 2, fields: { cellOvpV: 3.55 } });
    await until(() => seen.errors.length === 3, 5000, 'second write within seconds refused');
    assert.match(seen.errors[2].error.message, /at most one write per 5 s/);
    assert.equal(simSettings(1).cellOvpV, 3.65);
    assert.equal(simSettings(1).cellOvprV, 3.6);
    assert.equal(simSettings(2).cellOvpV, 3.62);
  });

  it('NW write (password frame, then the items): written, read back, in the simulator; an out-of-range OTP is refused', async () => {
    const device = await rig.startDevice({
      baudRate: 115200,
      factory: createJkNwSimulator,
      options: { addresses: [1] },
    });
    const flow = bankFlow(
      { portType: 'serial', path: rig.pty.a },
      { protocol: 'nw', addresses: '1', allowWrites: true },
    );
    await helper.load([busNode, jkNode], flow);
    const seen = collect();
    const held = simulatedJkSettings(device.simulator.packs.get(1)!);
    await until(() => seen.settingsOf(1).length === 1, 10000, 'settings at start');
    send('writeSettings', { address: 1, fields: { cellUvpV: 2.6, chargeUtpC: -15, maxChargeA: 90 } });
    await until(
      () => seen.events.some((e) => e.payload.kind === 'settingsWrite') || seen.errors.length > 0,
      5000,
      'the write',
    );
    assert.equal(seen.errors.length, 0, JSON.stringify(seen.errors));
    const done = seen.events.find((e) => e.payload.kind === 'settingsWrite')!.payload;
    assert.equal(done.ok, true);
    assert.deepEqual([held.cellUvpV, held.chargeUtpC, held.maxChargeA], [2.6, -15, 90]);
    assert.deepEqual(
      [(done.settings as PackSettings).cellUvpV, (done.settings as PackSettings).chargeUtpC],
      [2.6, -15],
      'read back',
    );
    send('writeSettings', { address: 1, fields: { mosOtpC: -5 }, dryRun: true });
    await until(() => seen.errors.length === 1, 5000, 'refusal');
    assert.match(seen.errors[0].error.message, /mosOtpC -5 °C is outside 0–100 °C/);
    assert.equal(held.mosOtpC, SIM_SETTINGS.mosOtpC);
  });

  it('PB with "Allow writes" off: a settings write is refused and the simulator is unchanged', async () => {
    const device = await rig.startDevice({
      baudRate: 115200,
      factory: createJkPbSimulator,
      options: { addresses: [1] },
    });
    await helper.load([busNode, jkNode], bankFlow({ portType: 'serial', path: rig.pty.a }, { addresses: '1' }));
    const seen = collect();
    send('writeSettings', { address: 1, fields: { cellOvpV: 3.6 } });
    await until(() => seen.errors.length === 1, 5000, 'the refusal');
    assert.match(seen.errors[0].error.message, /writes are disabled/);
    assert.equal(simulatedJkSettings(device.simulator.packs.get(1)!).cellOvpV, 3.65);
    send('readSettings', { address: 7 });
    await until(() => seen.errors.length === 2, 5000, 'a bad address refused');
    assert.match(seen.errors[1].error.message, /must be one of this node's addresses \(1\)/);
  });
});
