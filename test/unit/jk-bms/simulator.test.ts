/**
 * The JK simulators on simulated time: answers decode to the model at protocol resolution, writes
 * change the model, wire and battery faults show up as they would from a real pack.
 */
import { strict as assert } from 'node:assert';
import { SimClock } from '../../../src/core/clock';
import { validatePackState, type PackState } from '../../../src/core/pack-state';
import { takeFrame, type Framer } from '../../../src/transport/framer';
import { writeMultipleRequest } from '../../../src/transport/modbus-rtu';
import type { DeviceSimulator } from '../../../src/transport/simulator-api';
import { liveToPackState, nwToPackState } from '../../../src/nodes/jk-bms/jk-pack-state';
import { decodeNw, nwFramer, readAllRequest, writeItemRequest } from '../../../src/nodes/jk-bms/protocol-jk-nw';
import {
  LIVE_READ,
  PB_TRIGGERS,
  checkWriteAnswer,
  decodeReadAnswer,
  decodeTriggerAnswer,
  liveReadRequest,
  readAnswerFramer,
  switchWriteRequest,
  triggerAnswerFramer,
  triggerRequest,
  writeAnswerFramer,
} from '../../../src/nodes/jk-bms/protocol-jk-pb';
import { createJkNwSimulator, createJkPbSimulator } from '../../../src/nodes/jk-bms/simulator';

function rig(factory: typeof createJkPbSimulator, addresses: number[], profile = 'discharge') {
  const clock = new SimClock();
  let wire: Buffer = Buffer.alloc(0);
  const sim: DeviceSimulator = factory(
    { addresses, cells: 16, profile },
    {
      clock,
      send: (d) => {
        wire = Buffer.concat([wire, d]);
      },
    },
  );
  /** Sends a request, lets 100 ms pass, returns what the framer makes of the answer (undefined: none). */
  const ask = (request: Buffer, framer: Framer): { frame?: Buffer; raw: Buffer } => {
    wire = Buffer.alloc(0);
    sim.receive(request);
    clock.advance(100);
    return { frame: takeFrame(wire, framer).frame, raw: wire };
  };
  return { clock, sim, ask };
}

const meta = { id: 'p', time: 0, protocol: 'jk-pb' as const };
const req = (address: number) => ({ address, start: LIVE_READ.start, quantity: LIVE_READ.quantity });

function pbPoll(r: ReturnType<typeof rig>, address: number): PackState | string {
  const { frame } = r.ask(liveReadRequest(address), readAnswerFramer(address));
  if (!frame) return 'no answer';
  const d = decodeReadAnswer(frame, req(address));
  if (!d.ok) return d.reason;
  assert.ok(d.value.block === 'live');
  const pack = liveToPackState(d.value.live, { ...meta, address });
  return pack.ok ? pack.value : pack.reason;
}

function assertMatchesModel(p: PackState | string, r: ReturnType<typeof rig>, address: number): void {
  assert.ok(typeof p !== 'string', String(p));
  assert.ok(validatePackState(p).ok);
  const m = r.sim.packs.get(address)!.model;
  assert.deepEqual(p.cells, m.cells);
  assert.ok(Math.abs(p.voltage - m.voltage) < 0.0015, `voltage ${p.voltage} vs ${m.voltage}`);
  assert.ok(Math.abs(p.current - m.current) < 0.0015);
  assert.equal(p.soc, Math.round(m.soc));
  assert.deepEqual(p.temperatures, m.temperatures);
}

describe('jk-pb simulator', () => {
  it('answers FC 0x03 live reads per address with its own model', () => {
    const r = rig(createJkPbSimulator, [1, 2, 3, 4, 5]);
    for (const a of [1, 2, 3, 4, 5]) assertMatchesModel(pbPoll(r, a), r, a);
    assert.notEqual(r.sim.packs.get(1)!.model.soc, r.sim.packs.get(2)!.model.soc);
    assert.equal(r.ask(liveReadRequest(9), readAnswerFramer(9)).raw.length, 0, 'unknown address stays silent');
  });

  it('answers trigger writes with a JK02 frame and the ACK', () => {
    const r = rig(createJkPbSimulator, [3]);
    const { frame } = r.ask(triggerRequest(3, PB_TRIGGERS.cellInfo), triggerAnswerFramer(3));
    const d = decodeTriggerAnswer(frame!);
    assert.ok(d.ok, d.ok ? '' : d.reason);
    assert.equal(d.value.ackAddress, 3);
    assert.equal(d.value.frame.type, 'cellInfo');
    const settings = decodeTriggerAnswer(r.ask(triggerRequest(3, PB_TRIGGERS.settings), triggerAnswerFramer(3)).frame!);
    assert.ok(
      settings.ok && settings.value.frame.type === 'settings' && settings.value.frame.settings.deviceAddress === 3,
    );
  });

  it('switch writes open the charge FET; out-of-range values get exception 3', () => {
    const r = rig(createJkPbSimulator, [2]);
    const { frame } = r.ask(switchWriteRequest(2, 'chargeFet', false), writeAnswerFramer(2));
    assert.ok(checkWriteAnswer(frame!, 2, 'chargeFet').ok);
    const p = pbPoll(r, 2) as PackState;
    assert.equal(p.chargeAllowed, false);
    assert.equal(p.dischargeAllowed, true);
    const bad = r.ask(writeMultipleRequest(2, 0x1070, Buffer.from([0, 0, 0, 2])), writeAnswerFramer(2)).frame!;
    assert.match((checkWriteAnswer(bad, 2, 'chargeFet') as { reason: string }).reason, /exception 3/);
  });

  it('wire faults: silent, bad CRC, garbage before the answer, truncated', () => {
    const r = rig(createJkPbSimulator, [1]);
    const faults = r.sim.packs.get(1)!.faults;
    faults.silent = true;
    assert.equal(pbPoll(r, 1), 'no answer');
    faults.silent = false;
    faults.badChecksum = true;
    assert.match(pbPoll(r, 1) as string, /CRC/);
    const trig = r.ask(triggerRequest(1, PB_TRIGGERS.cellInfo), triggerAnswerFramer(1)).frame!;
    assert.match((decodeTriggerAnswer(trig) as { reason: string }).reason, /checksum/);
    faults.badChecksum = false;
    faults.garbage = true;
    assertMatchesModel(pbPoll(r, 1), r, 1);
    faults.garbage = false;
    faults.truncated = true;
    assert.equal(pbPoll(r, 1), 'no answer');
  });

  it('battery faults: a runner cell and over-temperature trip the pack protection', () => {
    const r = rig(createJkPbSimulator, [1], 'idle');
    const m = r.sim.packs.get(1)!.model;
    m.cellOffsets.set(6, 0.5);
    let p = pbPoll(r, 1) as PackState;
    assert.equal(p.alarms.cellOverVoltage, 'warn');
    assert.equal(p.chargeAllowed, false);
    assert.equal(p.cells[6], m.cells[6]);
    m.cellOffsets.clear();
    m.temperatureOffset = 50;
    p = pbPoll(r, 1) as PackState;
    assert.equal(p.alarms.chargeOverTemperature, 'alarm');
    assert.equal(p.alarms.dischargeOverTemperature, 'alarm');
    assert.equal(p.dischargeAllowed, false);
  });

  it('frozen values repeat the same answer while time passes', () => {
    const r = rig(createJkPbSimulator, [1], 'discharge');
    r.sim.packs.get(1)!.model.frozen = true;
    const a = r.ask(liveReadRequest(1), readAnswerFramer(1)).frame!;
    r.clock.advance(600_000);
    const b = r.ask(liveReadRequest(1), readAnswerFramer(1)).frame!;
    assert.ok(a.equals(b));
  });
});

describe('jk-nw simulator', () => {
  const poll = (r: ReturnType<typeof rig>) => {
    const { frame } = r.ask(readAllRequest(), nwFramer);
    const d = decodeNw(frame!);
    assert.ok(d.ok, d.ok ? '' : d.reason);
    const pack = nwToPackState(d.value, { ...meta, protocol: 'jk-nw' });
    assert.ok(pack.ok, pack.ok ? '' : pack.reason);
    return pack.value;
  };

  it('answers read-all with the model (0.01 V / 0.01 A resolution)', () => {
    const r = rig(createJkNwSimulator, [1], 'charge');
    r.clock.advance(60_000);
    const p = poll(r);
    const m = r.sim.packs.get(1)!.model;
    assert.ok(validatePackState(p).ok);
    assert.deepEqual(p.cells, m.cells);
    assert.ok(Math.abs(p.voltage - m.voltage) < 0.006);
    assert.equal(p.current, 20);
    assert.equal(p.soc, Math.round(m.soc));
  });

  it('write of item 0xAB opens the charge FET', () => {
    const r = rig(createJkNwSimulator, [1]);
    assert.ok(r.ask(writeItemRequest(0xab, 0), nwFramer).frame);
    assert.equal(poll(r).chargeAllowed, false);
  });

  it('a bad checksum is rejected by the decoder', () => {
    const r = rig(createJkNwSimulator, [1]);
    r.sim.packs.get(1)!.faults.badChecksum = true;
    const d = decodeNw(r.ask(readAllRequest(), nwFramer).frame!);
    assert.equal(d.ok, false);
  });
});
