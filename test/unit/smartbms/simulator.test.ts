import { strict as assert } from 'node:assert';
import { SimClock } from '../../../src/core/clock';
import { validatePackState, type PackState } from '../../../src/core/pack-state';
import { SmartBmsListener } from '../../../src/nodes/smartbms/listener';
import { decodeFrame, type SmartBmsFrame } from '../../../src/nodes/smartbms/protocol-smartbms';
import { createSmartBmsSimulator, type SmartBmsSimulatorOptions } from '../../../src/nodes/smartbms/simulator';
import { SIMULATORS } from '../../../src/cli/simulators';

/** A simulator on simulated time, with everything it sends collected. */
function rig(options: SmartBmsSimulatorOptions) {
  const clock = new SimClock();
  const sent: Buffer[] = [];
  const sim = createSmartBmsSimulator(options, { clock, send: (d) => sent.push(d) });
  const listener = new SmartBmsListener({ id: 'p1', formula: 'venus' });
  const packs: PackState[] = [];
  /** Advances time in 100 ms steps, handing the listener what was sent at each step. */
  const pump = (ms: number): void => {
    for (let t = 0; t < ms; t += 100) {
      clock.advance(100);
      for (const d of sent.splice(0)) {
        for (const e of listener.receive(d, clock.now())) if (e.kind === 'pack') packs.push(e.pack);
      }
    }
  };
  const frames = (): SmartBmsFrame[] =>
    sent.map((b) => {
      const r = decodeFrame(b);
      if (!r.ok) throw new Error(r.reason);
      return r.value;
    });
  return { clock, sent, sim, listener, packs, pump, frames };
}

describe('smartbms simulator', () => {
  it('is registered for the bus simulator option and `cellsafe simulate`', () => {
    assert.equal(SIMULATORS.smartbms, createSmartBmsSimulator);
  });

  it('sends on its own cadence without any request: gen3 every 1 s, gen2 every 0.5 s', () => {
    const g3 = rig({ profile: 'gen3' });
    g3.clock.advance(10_000);
    assert.equal(g3.sent.length, 10);
    const g2 = rig({ profile: 'gen2' });
    g2.clock.advance(10_000);
    assert.equal(g2.sent.length, 20);
    g2.sim.close();
    g2.clock.advance(10_000);
    assert.equal(g2.sent.length, 20, 'close stops the sender');
  });

  it('rotates the cell record over every cell and gen3 keys over 0..18; gen2 sends the clock', () => {
    const g3 = rig({ profile: 'gen3', cells: 5 });
    g3.clock.advance(19_000);
    const f = g3.frames();
    assert.deepEqual(
      f.slice(0, 6).map((x) => x.cellInfoIndex),
      [1, 2, 3, 4, 5, 1],
    );
    assert.deepEqual(
      f.map((x) => x.kvKey),
      Array.from({ length: 19 }, (_, k) => k),
    );
    const g2 = rig({ profile: 'gen2' });
    g2.clock.advance(500);
    assert.equal(g2.frames()[0].frameKind, 'legacy-clock');
  });

  it('accepts 4..255 cells and refuses others with a clear error', () => {
    for (const cells of [4, 255]) {
      const r = rig({ cells });
      r.clock.advance(1000);
      assert.equal(r.frames()[0].cellCount, cells);
    }
    assert.throws(() => rig({ cells: 3 }), /cells must be 4\.\.255/);
    assert.throws(() => rig({ cells: 256 }), /cells must be 4\.\.255/);
    assert.throws(() => rig({ profile: 'gen4' }), /unknown profile part "gen4"/);
  });

  it('assembles into a PackState after N frames whose cells equal the model at 5 mV resolution', () => {
    const r = rig({ cells: 16 });
    r.pump(15_000);
    assert.equal(r.packs.length, 0, 'no PackState before every cell was seen');
    r.pump(1000);
    assert.equal(r.packs.length, 1);
    const p = r.packs[0];
    assert.ok(validatePackState(p).ok);
    assert.equal(p.cells.length, 16);
    r.sim.pack.model.cells.forEach((v, i) =>
      assert.ok(Math.abs(p.cells[i] - v) <= 0.0025, `cell ${i + 1}: ${p.cells[i]} vs ${v}`),
    );
    assert.ok(Math.abs(p.voltage - r.sim.pack.model.voltage) <= 0.0025);
    assert.equal(p.soc, Math.round(r.sim.pack.model.soc));
    assert.equal(p.chargeAllowed, true);
    assert.equal(p.dischargeAllowed, true);
    assert.deepEqual((p.extra!.cellAgesMs as number[]).slice(0, 3), [15_000, 14_000, 13_000]);
    r.pump(1000);
    assert.equal(r.packs.length, 2, 'then one PackState per frame');
  });

  it('a relay forced off shows chargeAllowed false on the very next message; on again after 3 frames', () => {
    const r = rig({ cells: 4 });
    r.pump(6000);
    assert.equal(r.packs.at(-1)!.chargeAllowed, true);
    r.sim.pack.model.chargeEnabled = false;
    r.pump(1000);
    assert.equal(r.packs.at(-1)!.chargeAllowed, false);
    assert.equal(r.packs.at(-1)!.dischargeAllowed, true);
    r.sim.pack.model.chargeEnabled = true;
    r.pump(2000);
    assert.equal(r.packs.at(-1)!.chargeAllowed, false, 'two good frames are not enough');
    r.pump(1000);
    assert.equal(r.packs.at(-1)!.chargeAllowed, true);
  });

  it('runner cell over V-max: Vh flag, cellOverVoltage alarm, charge relay off (normal and critical)', () => {
    for (const profile of ['gen3', 'gen3-critical']) {
      const r = rig({ cells: 4, profile });
      r.sim.pack.model.cellOffsets.set(2, 0.5);
      r.pump(5000);
      const p = r.packs.at(-1)!;
      assert.equal(p.alarms.cellOverVoltage, 'alarm', profile);
      assert.equal(p.chargeAllowed, false, profile);
      assert.equal(p.dischargeAllowed, true, profile);
      assert.equal(r.sim.relays.charge, false, profile);
    }
  });

  it('full pack: normal mode opens the charge relay, critical mode keeps it closed', () => {
    for (const [profile, charge] of [
      ['gen3', false],
      ['gen3-critical', true],
    ] as const) {
      const r = rig({ cells: 4, profile });
      r.sim.pack.model.soc = 100;
      r.pump(5000);
      const p = r.packs.at(-1)!;
      assert.equal(p.soc, 100, 'full sync sets 100 %');
      assert.equal(p.chargeAllowed, charge, profile);
    }
  });

  it('cell communication error: E flag, communication alarm, both relays off', () => {
    const r = rig({ cells: 4 });
    r.pump(5000);
    r.sim.cellCommError = true;
    r.pump(1000);
    const p = r.packs.at(-1)!;
    assert.equal(p.alarms.communication, 'alarm');
    assert.equal(p.chargeAllowed, false);
    assert.equal(p.dischargeAllowed, false);
  });

  it('over-temperature: Th flag and over-temperature alarms, both relays off', () => {
    const r = rig({ cells: 4 });
    r.sim.pack.model.temperatureOffset = 40;
    r.pump(5000);
    const p = r.packs.at(-1)!;
    assert.equal(p.alarms.chargeOverTemperature, 'alarm');
    assert.equal(p.alarms.dischargeOverTemperature, 'alarm');
    assert.equal(p.chargeAllowed || p.dischargeAllowed, false);
  });

  it('wire faults: bad checksums, truncation and garbage are dropped by the listener, silence sends nothing', () => {
    const r = rig({ cells: 4 });
    r.pump(6000);
    const before = r.packs.length;
    r.sim.pack.faults.badChecksum = true;
    r.pump(3000);
    assert.equal(r.packs.length, before, 'no PackState from bad frames');
    r.sim.pack.faults = { truncated: true };
    r.pump(3000);
    r.sim.pack.faults = { garbage: true };
    r.pump(3000);
    r.sim.pack.faults = { silent: true };
    const sentBefore = r.sent.length;
    r.clock.advance(3000);
    assert.equal(r.sent.length, sentBefore);
    r.sim.pack.faults = {};
    r.pump(4000);
    assert.ok(r.listener.counters.syncLosses >= 1);
    // Garbage between frames costs nothing once locked again; the stream recovers either way.
    assert.ok(r.packs.length > before, 'PackStates again once the faults stop');
  });

  it('gen3 key/value data reaches the PackState: SoH, firmware, status2 relays, Ah from V-nominal', () => {
    const r = rig({ cells: 16 });
    r.pump(40_000);
    const p = r.packs.at(-1)!;
    assert.equal(p.soh, 100);
    assert.equal(p.extra!.firmware, '3.3.11');
    assert.equal(p.extra!.generation, 'gen3');
    assert.equal(p.extra!.chargeRelayClosed, true);
    assert.equal(p.extra!.vNominal, 3.2);
    assert.ok(p.fullAh !== undefined && Math.abs(p.fullAh - 280) < 2, `fullAh ${p.fullAh}`);
  });
});
