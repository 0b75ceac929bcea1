/**
 * The process-wide simulated banks: one bank per name, moving only while someone holds it, and BMS
 * simulators that name a bank answer from its packs (shared models and cables) instead of their own.
 */
import { strict as assert } from 'node:assert';
import { BatteryModel } from '../../../src/core/battery-model';
import { SimClock } from '../../../src/core/clock';
import { PackModel } from '../../../src/core/pack-model';
import { takeFrame } from '../../../src/transport/framer';
import {
  acquireSimulatedBank,
  forgetSimulatedBanks,
  getSimulatedBank,
  releaseSimulatedBank,
  simulatedBankNames,
} from '../../../src/transport/simulated-banks';
import type { DeviceSimulator, SimulatorFactory, SimulatorOptions } from '../../../src/transport/simulator-api';
import { liveToPackState } from '../../../src/nodes/jk-bms/jk-pack-state';
import {
  LIVE_READ,
  decodeReadAnswer,
  liveReadRequest,
  readAnswerFramer,
} from '../../../src/nodes/jk-bms/protocol-jk-pb';
import { createJkNwSimulator, createJkPbSimulator } from '../../../src/nodes/jk-bms/simulator';
import { createSeplosV2Simulator, createSeplosV3Simulator } from '../../../src/nodes/seplos/simulator';
import { createSmartBmsSimulator } from '../../../src/nodes/smartbms/simulator';

function start(factory: SimulatorFactory, options: SimulatorOptions) {
  const clock = new SimClock();
  let wire = Buffer.alloc(0);
  const sim: DeviceSimulator = factory(options, { clock, send: (d) => (wire = Buffer.concat([wire, d])) });
  const ask = (request: Buffer): Buffer => {
    wire = Buffer.alloc(0);
    sim.receive(request);
    clock.advance(100);
    return wire;
  };
  return { sim, ask };
}

function pbLive(ask: (b: Buffer) => Buffer, address: number) {
  const frame = takeFrame(ask(liveReadRequest(address)), readAnswerFramer(address)).frame;
  if (!frame) return undefined;
  const decoded = decodeReadAnswer(frame, { address, start: LIVE_READ.start, quantity: LIVE_READ.quantity });
  assert.ok(decoded.ok && decoded.value.block === 'live');
  const pack = liveToPackState(decoded.value.live, { id: 'p', time: 0, protocol: 'jk-pb', address });
  assert.ok(pack.ok, pack.ok ? '' : pack.reason);
  return pack.value;
}

describe('simulated banks registry', () => {
  afterEach(() => forgetSimulatedBanks());

  it('gives one bank per name, created on first use with its options', () => {
    const a = getSimulatedBank('r1', { soc: 20 });
    assert.equal(getSimulatedBank('r1', { soc: 90 }), a, 'the same bank; later options do not recreate it');
    assert.ok(Math.abs(a.pack(2).soc - 20) < 1e-9);
    assert.notEqual(getSimulatedBank('r2'), a);
    assert.deepEqual(simulatedBankNames().sort(), ['r1', 'r2']);
  });

  it('moves a bank on the wall clock only while someone holds it, and keeps its state after', () => {
    const bank = acquireSimulatedBank('held');
    acquireSimulatedBank('held');
    assert.ok(bank.clock.running);
    releaseSimulatedBank('held');
    assert.ok(bank.clock.running, 'a second user still holds it');
    releaseSimulatedBank('held');
    assert.ok(!bank.clock.running);
    releaseSimulatedBank('held');
    assert.equal(getSimulatedBank('held'), bank, 'state kept for the next user');
  });

  it('a JK PB simulator naming a bank answers from the bank’s packs; its cable is the bank’s', () => {
    const bank = getSimulatedBank('jk', { soc: 60 });
    const { sim, ask } = start(createJkPbSimulator, { addresses: [1, 2, 3], cells: 16, bank: 'jk' });
    for (const a of [1, 2, 3]) {
      assert.equal(sim.packs.get(a)!.model, bank.pack(a));
      assert.ok(bank.pack(a) instanceof PackModel);
    }
    bank.setCurrent(90);
    bank.clock.advance(600_000);
    const live = pbLive(ask, 2)!;
    assert.deepEqual(live.cells, bank.pack(2).cells);
    assert.ok(Math.abs(live.current - bank.pack(2).current) < 0.01, `${live.current} A`);
    assert.ok(Math.abs(live.current - 30) < 0.5, `about a third of 90 A (${live.current})`);
    assert.equal(live.soc, Math.round(bank.pack(2).soc));
    bank.pullCable(2);
    assert.equal(pbLive(ask, 2), undefined, 'pulled cable: silent');
    assert.ok(pbLive(ask, 3), 'the others still answer');
    bank.allClear();
    assert.ok(pbLive(ask, 2), 'answers again after all clear');
    assert.ok(bank.clock.running, 'the simulator holds the bank');
    sim.close();
    assert.ok(!bank.clock.running, 'closing the simulator releases it');
  });

  it('a bank pack’s own latched protection shows as an open FET on the wire', () => {
    const bank = getSimulatedBank('cold', { soc: 50 });
    const { sim, ask } = start(createJkPbSimulator, { addresses: [1, 2], cells: 16, bank: 'cold' });
    bank.setCurrent(40);
    bank.clock.advance(2000);
    assert.equal(pbLive(ask, 1)!.chargeAllowed, true);
    bank.setAmbient(-5, { cellsToo: true });
    bank.clock.advance(2000);
    const cold = pbLive(ask, 1)!;
    assert.ok(Math.max(...cold.cells) < 3.4, 'cell voltages are normal');
    assert.equal(cold.chargeAllowed, false, 'below 0 °C the pack refuses charge');
    assert.equal(cold.dischargeAllowed, true);
    sim.close();
  });

  it('every BMS simulator shares the named bank’s pack at its address', () => {
    const bank = getSimulatedBank('mixed');
    const sims = [
      start(createJkNwSimulator, { addresses: [1], bank: 'mixed' }).sim,
      start(createSeplosV2Simulator, { addresses: [1], bank: 'mixed' }).sim,
      start(createSeplosV3Simulator, { addresses: [1], bank: 'mixed' }).sim,
      start(createSmartBmsSimulator, { addresses: [1], bank: 'mixed' }).sim,
    ];
    for (const sim of sims) {
      assert.equal(sim.packs.get(1)!.model, bank.pack(1));
      assert.equal(sim.packs.get(1)!.faults, bank.cable(1));
    }
    assert.deepEqual(bank.packIds, [1]);
    sims.forEach((sim) => sim.close());
    assert.ok(!bank.clock.running);
  });

  it('without a bank, simulators keep packs of their own on their own current profile', () => {
    const { sim } = start(createJkPbSimulator, { addresses: [1, 2], cells: 16 });
    for (const pack of sim.packs.values()) {
      assert.ok(pack.model instanceof BatteryModel && !(pack.model instanceof PackModel));
    }
    assert.deepEqual(simulatedBankNames(), []);
    sim.close();
  });
});
