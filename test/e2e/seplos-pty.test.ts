/**
 * Acceptance 3 and 4 end to end: the real Node-RED runtime and bms-serial-bus on one end of a pty
 * pair at 19200 baud, a Seplos simulator on the other end.
 * 3: four V2 packs (addresses 1–4) → four PackStates per cycle matching the model; a pack that
 *    answers with a wrong LCHKSUM is rejected and counted, and raises its communication alarm on
 *    output 2, while the others keep their cadence.
 * 4: a simulated V3 bank master polling slaves 2 and 3 and publishing its own blocks (id 1) →
 *    three PackStates, and the node never puts a byte on the wire.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import seplosNode = require('../../src/nodes/seplos/seplos-bms');
import { validatePackState, type PackState } from '../../src/core/pack-state';
import type { DeviceSimulator } from '../../src/transport/simulator-api';
import {
  createSeplosV2Simulator,
  createSeplosV3Simulator,
  type SeplosWireFaults,
} from '../../src/nodes/seplos/simulator';
import { withPtySimulator } from '../helpers/pty-simulator';
import { lastStatus, sleep, until } from '../helpers/runtime';
import { getNode, type TestNode } from '../helpers/node-red';

helper.init(require.resolve('node-red'));

type Msg = { topic: string; payload: PackState };
const BAUD = 19200;

function flow(path: string, node: Record<string, unknown>) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'bus', type: 'bms-serial-bus', portType: 'serial', path, baudRate: BAUD, timeoutMs: 500 },
    { id: 's', z: 'tab', type: 'seplos-bms', bus: 'bus', wires: [['out'], ['events']], ...node },
    { id: 'events', z: 'tab', type: 'helper' },
    { id: 'out', z: 'tab', type: 'helper' },
  ];
}

describe('seplos-bms over a pty pair at 19200 baud', function () {
  this.timeout(30000);
  const rig = withPtySimulator();

  it('V2, 4 packs: 4 PackStates per cycle matching the model; a wrong LCHKSUM is rejected without disturbing the others', async () => {
    const device = await rig.startDevice({
      baudRate: BAUD,
      factory: createSeplosV2Simulator,
      options: { addresses: [1, 2, 3, 4], cells: 16 },
    });
    const sim: DeviceSimulator = device.simulator;
    await helper.load(
      [busNode, seplosNode],
      flow(rig.pty.a, { generation: 'v2', addresses: '1-4', interval: 1.5, readInfo: true, name: 'p' }),
    );
    const out: Msg[] = [];
    getNode<TestNode<Msg>>('out').on('input', (m) => out.push(m));
    const events: Array<{ payload: { kind: string; address: number; level: string } }> = [];
    getNode<TestNode<(typeof events)[number]>>('events').on('input', (m) => {
      if (m.payload.kind === 'communication') events.push(m);
    });

    await until(() => out.length >= 8, 10000, 'two cycles of 4 packs');
    const cycles = [out.slice(0, 4), out.slice(4, 8)];
    for (const cycle of cycles) {
      assert.deepEqual(cycle.map((m) => m.payload.address).sort(), [1, 2, 3, 4], 'one PackState per pack per cycle');
    }
    for (const m of out.slice(0, 8)) {
      const p = m.payload;
      const checked = validatePackState(p);
      assert.ok(checked.ok, checked.ok ? '' : checked.reason);
      assert.equal(m.topic, `p-${p.address}`);
      const model = sim.packs.get(p.address!)!.model;
      // Protocol resolution: cells 1 mV, voltage 10 mV, SOC 0.1 %, temperatures 0.1 °C.
      assert.deepEqual(p.cells, model.cells);
      assert.ok(Math.abs(p.voltage - model.voltage) <= 0.0101, `voltage ${p.voltage} vs ${model.voltage}`);
      assert.ok(Math.abs(p.soc - model.soc) <= 0.05 + 1e-9, `soc ${p.soc} vs ${model.soc}`);
      assert.equal(p.current, Math.round(model.current * 100) / 100);
      assert.deepEqual(
        p.temperatures,
        [0, 1, 2, 3].map((k) => model.temperatures[k % model.temperatures.length]),
      );
      assert.equal(p.chargeAllowed, true);
      assert.equal(p.dischargeAllowed, true);
      assert.equal((p.extra?.device as { deviceName: string }).deviceName, '1101-SIM');
    }

    (sim.packs.get(3)!.faults as SeplosWireFaults).badLengthChecksum = true;
    await sleep(1600); // let the cycle in flight finish
    const mark = out.length;
    const started = Date.now();
    await sleep(4600);
    const seconds = (Date.now() - started) / 1000;
    const after = out.slice(mark);
    const count = (a: number): number => after.filter((m) => m.payload.address === a).length;
    assert.equal(count(3), 0, 'the pack with the broken LENGTH checksum produced no data');
    for (const a of [1, 2, 4]) {
      // 1.5 s interval: about 3 cycles in 4.6 s for every pack that answers correctly.
      assert.ok(
        count(a) >= Math.floor(seconds / 1.5) - 1 && count(a) >= 2,
        `pack ${a}: ${count(a)} PackStates in ${seconds} s`,
      );
    }
    // Rejected answers are a communication failure of that pack alone (output 2).
    assert.deepEqual([...new Set(events.map((e) => `${e.payload.address}:${e.payload.level}`))], ['3:warn', '3:alarm']);
    const status = lastStatus(helper.getNode('s'));
    assert.match(String(status.text), /^3\/4 · .* · (\d+) bad$/);
    assert.ok(Number(/(\d+) bad$/.exec(String(status.text))![1]) >= 2, String(status.text));
    assert.equal(status.fill, 'yellow');
  });

  it('V3 listen-only: a master polling its slaves → 3 PackStates, nothing transmitted', async () => {
    const device = await rig.startDevice({
      baudRate: BAUD,
      factory: createSeplosV3Simulator,
      options: { addresses: [1, 2, 3], cells: 16, profile: 'bank-master' },
    });
    let received = 0;
    const sim: DeviceSimulator = device.simulator;
    const receive = sim.receive.bind(sim);
    sim.receive = (d) => {
      received += d.length;
      receive(d);
    };
    await helper.load(
      [busNode, seplosNode],
      flow(rig.pty.a, { generation: 'v3', mode: 'listen', addresses: '1-3', name: 'bank' }),
    );
    const out: Msg[] = [];
    getNode<TestNode<Msg>>('out').on('input', (m) => out.push(m));

    await until(() => new Set(out.map((m) => m.payload.address)).size === 3, 8000, 'three packs heard');
    for (const m of out) {
      const p = m.payload;
      assert.ok(validatePackState(p).ok);
      assert.equal(p.protocol, 'seplos-v3');
      assert.equal(p.extra?.source, 'sniffed');
      const model = sim.packs.get(p.address!)!.model;
      assert.deepEqual(p.cells, model.cells);
      assert.ok(Math.abs(p.soc - model.soc) <= 0.05 + 1e-9);
    }
    await sleep(1200); // another master cycle: still no byte from us
    assert.equal(received, 0, 'the node never transmits in listen mode');
    assert.match(String(lastStatus(helper.getNode('s')).text), /^3\/3 · .* · listen$/);
  });
});
