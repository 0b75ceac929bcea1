/**
 * The Seplos simulators on simulated time: answers decode to the model's values at protocol
 * resolution, wire faults are visible to the decoder, and the bank-master profile produces the
 * traffic the listen-only decoders expect.
 */
import { strict as assert } from 'node:assert';
import { SimClock } from '../../../src/core/clock';
import type { PackState } from '../../../src/core/pack-state';
import { takeFrame } from '../../../src/transport/framer';
import { answerFramer } from '../../../src/transport/modbus-rtu';
import type { DeviceSimulator } from '../../../src/transport/simulator-api';
import { V2BankListener, V3BankListener } from '../../../src/nodes/seplos/listener';
import * as v2 from '../../../src/nodes/seplos/protocol-seplos-v2';
import * as v2Payload from '../../../src/nodes/seplos/seplos-v2-payload';
import * as v2PackState from '../../../src/nodes/seplos/seplos-v2-pack-state';
import * as v3 from '../../../src/nodes/seplos/protocol-seplos-v3';
import {
  BANK_MASTER_CYCLE_MS,
  createSeplosV2Simulator,
  createSeplosV3Simulator,
  type SeplosWireFaults,
} from '../../../src/nodes/seplos/simulator';

function harness(factory: typeof createSeplosV2Simulator, addresses: number[], profile?: string) {
  const clock = new SimClock();
  let wire = Buffer.alloc(0);
  const sim: DeviceSimulator = factory(
    { addresses, cells: 16, profile },
    {
      clock,
      send: (d) => {
        wire = Buffer.concat([wire, d]);
      },
    },
  );
  const ask = (req: Buffer): Buffer => {
    wire = Buffer.alloc(0);
    sim.receive(req);
    clock.advance(50);
    return wire;
  };
  return {
    clock,
    sim,
    ask,
    take: () => {
      const w = wire;
      wire = Buffer.alloc(0);
      return w;
    },
  };
}

describe('seplos simulator', () => {
  it('V2: 0x42 + 0x44 of 4 packs decode to each model at protocol resolution', () => {
    const h = harness(createSeplosV2Simulator, [1, 2, 3, 4]);
    h.sim.packs.get(3)!.model.chargeEnabled = false;
    for (const adr of [1, 2, 3, 4]) {
      const t = v2.parseFrame(h.ask(v2.buildRequest(adr, v2.CID2.telemetry)));
      const a = v2.parseFrame(h.ask(v2.buildRequest(adr, v2.CID2.alarms)));
      assert.ok(t.ok && a.ok);
      assert.equal(t.value.adr, adr);
      const tel = v2Payload.decodeTelemetry(t.value.info);
      const al = v2Payload.decodeAlarms(a.value.info);
      assert.ok(tel.ok && al.ok, JSON.stringify([tel, al]));
      const p = v2PackState.toPackState(tel.value, al.value, { id: `p${adr}`, address: adr, time: h.clock.now() });
      const m = h.sim.packs.get(adr)!.model;
      assert.deepEqual(
        p.cells,
        m.cells.map((c) => Math.round(c * 1000) / 1000),
      );
      assert.ok(Math.abs(p.voltage - m.voltage) < 0.011);
      assert.ok(Math.abs(p.soc - m.soc) <= 0.05 + 1e-9);
      assert.equal(p.temperatures[0], m.temperatures[0]);
      assert.equal(p.chargeAllowed, adr !== 3);
      assert.equal(p.dischargeAllowed, true);
    }
  });

  it('V2: 0x51 and 0x47 answers decode; unknown commands get RTN 04', () => {
    const h = harness(createSeplosV2Simulator, [2]);
    const d = v2.parseFrame(h.ask(v2.buildRequest(2, v2.CID2.deviceInfo)));
    assert.ok(d.ok);
    const info = v2Payload.decodeDeviceInfo(d.value.info);
    assert.ok(info.ok && info.value.deviceName === '1101-SIM');
    const p = v2.parseFrame(h.ask(v2.buildRequest(2, v2.CID2.parameters)));
    assert.ok(p.ok);
    const params = v2Payload.decodeParameters(p.value.info);
    assert.ok(params.ok);
    assert.equal(params.value.values.cellsInSeries, 16);
    assert.equal(params.value.values.cellOverVoltageProtectionV, 3.65);
    const e = v2.parseFrame(h.ask(Buffer.from(v2.encodeFrame(2, 0x92), 'latin1')));
    assert.ok(e.ok);
    assert.equal(v2.checkReturnCode(e.value).ok, false);
  });

  it('V2 faults: wrong LCHKSUM, bad CHKSUM, silent, garbage, truncated', () => {
    const h = harness(createSeplosV2Simulator, [1]);
    const faults = h.sim.packs.get(1)!.faults as SeplosWireFaults;
    const req = v2.buildRequest(1, v2.CID2.telemetry);
    faults.badLengthChecksum = true;
    const bad = v2.parseFrame(h.ask(req));
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.reason, /LCHKSUM/);
    faults.badLengthChecksum = false;
    faults.badChecksum = true;
    const badSum = v2.parseFrame(h.ask(req));
    assert.match(badSum.ok ? '' : badSum.reason, /CHKSUM mismatch/);
    faults.badChecksum = false;
    faults.silent = true;
    assert.equal(h.ask(req).length, 0);
    faults.silent = false;
    faults.garbage = true;
    const { frame, dropped } = takeFrame(h.ask(req), v2.v2Framer);
    assert.ok(dropped > 0 && frame && v2.parseFrame(frame).ok);
    faults.garbage = false;
    faults.truncated = true;
    assert.equal(takeFrame(h.ask(req), v2.v2Framer).frame, undefined);
  });

  it('V3: PIA, PIB, PIC and VIA answers decode; a partial coil read raises exception 2', () => {
    const h = harness(createSeplosV3Simulator, [1, 2]);
    const read = (id: number, block: v3.BlockSpec): Buffer => {
      const raw = h.ask(v3.buildBlockRequest(id, block));
      const framed = takeFrame(raw, answerFramer(id, block.fn)).frame;
      assert.ok(framed);
      const r = v3.parseBlockAnswer(Buffer.from(framed), id, block);
      assert.ok(r.ok, r.ok ? '' : r.reason);
      return r.value;
    };
    h.sim.packs.get(2)!.model.dischargeEnabled = false;
    const a = v3.decodePia(read(2, v3.BLOCKS.pia));
    const b = v3.decodePib(read(2, v3.BLOCKS.pib));
    const c = v3.decodePic(read(2, v3.BLOCKS.pic));
    assert.ok(a.ok && b.ok && c.ok);
    const p = v3.toPackState(a.value, b.value, c.value, { id: 'x', address: 2, time: 0 });
    const m = h.sim.packs.get(2)!.model;
    assert.deepEqual(p.cells, m.cells);
    assert.equal(p.temperatures.length, 4);
    assert.equal(p.chargeAllowed, true);
    assert.equal(p.dischargeAllowed, false);
    const via = v3.decodeVia(read(1, v3.BLOCKS.via));
    assert.ok(via.ok && via.value.manufacturer === v3.V3_MANUFACTURER, 'peers detect a V3 pack by this text');
    const ex = v3.parseBlockAnswer(h.ask(Buffer.from('0101120009003F22', 'hex')), 1, v3.BLOCKS.pic);
    assert.match(ex.ok ? '' : ex.reason, /exception 2/);
  });

  it('V3 bank-master profile: one cycle yields one PackState per pack, from requests and unsolicited blocks', () => {
    const h = harness(createSeplosV3Simulator, [1, 2, 3], 'bank-master');
    const packs: PackState[] = [];
    const requests: number[] = [];
    const l = new V3BankListener(
      {
        onPack: (_a, build) => packs.push(build('b')),
        onReject: (r) => assert.fail(r),
        onRequest: (a) => requests.push(a),
      },
      5000,
    );
    h.clock.advance(BANK_MASTER_CYCLE_MS + 500);
    l.push(h.take(), h.clock.now());
    assert.deepEqual(packs.map((p) => p.address).sort(), [1, 2, 3]);
    assert.deepEqual([...new Set(requests)].sort(), [2, 3]);
    h.sim.close();
    assert.equal(h.clock.pending, 0);
  });

  it('V2 bank-master profile: 0x5A polls and records of the slaves', () => {
    const h = harness(createSeplosV2Simulator, [0, 1, 2], 'bank-master');
    const packs: PackState[] = [];
    const l = new V2BankListener(
      { onPack: (_a, build) => packs.push(build('b')), onReject: (r) => assert.fail(r) },
      5000,
    );
    h.clock.advance(BANK_MASTER_CYCLE_MS + 500);
    l.push(h.take(), h.clock.now());
    assert.deepEqual(
      packs.map((p) => p.address),
      [1, 2],
    );
    const m = h.sim.packs.get(1)!.model;
    assert.equal(packs[0].extra?.highestCell, Math.max(...m.cells));
    assert.equal(packs[0].soc, Math.round(m.soc * 10) / 10);
  });
});
