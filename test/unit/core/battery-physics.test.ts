/**
 * The simulated bank against physics: charge is conserved through the current split and the
 * balancer, the OCV curves rise strictly, no state turns NaN or infinite under random currents,
 * the temperature stays bounded, balancing happens only near the top, and a pack's BMS protection
 * takes it out of the split. Everything runs on simulated time with seeded random profiles.
 */
import { strict as assert } from 'node:assert';
import { SimClock } from '../../../src/core/clock';
import { OCV_CURVES, openCircuitVoltage, type ModelledChemistry } from '../../../src/core/ocv-curve';
import { PACK_PROTECTION, PROTECTION, PackModel } from '../../../src/core/pack-model';
import { ScaledClock } from '../../../src/core/scaled-clock';
import { SimulatedBank, splitCurrent } from '../../../src/core/simulated-bank';
import { Rng } from '../../helpers/rng';

const HOUR = 3_600_000;

/** Charge a pack holds by its cells, Ah: per cell SoC × its capacity plus what the balancer bled, averaged. */
function chargeAh(p: PackModel): number {
  let sum = 0;
  for (let k = 0; k < p.cellSoc.length; k++) sum += (p.cellSoc[k] * p.cellCapacityAh[k]) / 100 + p.balancedAh[k];
  return sum / p.cellSoc.length;
}

function allFinite(p: PackModel): boolean {
  return [
    ...p.cells,
    ...p.cellSoc,
    ...p.cellPolarisation,
    ...p.temperatures,
    p.soc,
    p.current,
    p.temperature,
    p.voltage,
  ].every(Number.isFinite);
}

/**
 * A random profile that wanders: a new current every 1–20 minutes, pushed back towards the middle
 * when the mean SoC leaves 25–85 %, with a drift towards charge so the net charge is large.
 */
function wanderingProfile(rng: Rng, bank: SimulatedBank): void {
  let until = 0;
  let amps = 0;
  bank.setCurrent((t) => {
    if (t >= until) {
      until = t + rng.int(1, 20) * 60_000;
      const soc = Math.min(...bank.packIds.map((id) => bank.pack(id).soc));
      const high = Math.max(...bank.packIds.map((id) => bank.pack(id).soc));
      amps = (rng.next() - 0.4) * 300;
      if (high > 85) amps = -Math.abs(amps);
      if (soc < 25) amps = Math.abs(amps);
    }
    return amps;
  });
}

describe('simulated battery physics', function () {
  // Days of 1 s steps: a second or two each on an idle machine, more on a busy one.
  this.timeout(120_000);

  it('OCV curves rise strictly for every chemistry (table and 0.01 % sampling)', () => {
    for (const chemistry of Object.keys(OCV_CURVES) as ModelledChemistry[]) {
      const table = OCV_CURVES[chemistry];
      for (let i = 1; i < table.length; i++) {
        assert.ok(table[i][0] > table[i - 1][0] && table[i][1] > table[i - 1][1], `${chemistry} point ${i}`);
      }
      let last = -Infinity;
      for (let soc = table[0][0]; soc <= table[table.length - 1][0]; soc += 0.01) {
        const v = openCircuitVoltage(chemistry, soc);
        assert.ok(v > last, `${chemistry} at ${soc.toFixed(2)} %`);
        last = v;
      }
      assert.ok(Number.isFinite(openCircuitVoltage(chemistry, NaN)));
      assert.equal(openCircuitVoltage(chemistry, -50), table[0][1]);
      assert.equal(openCircuitVoltage(chemistry, 1e9), table[table.length - 1][1]);
    }
  });

  for (const chemistry of Object.keys(OCV_CURVES) as ModelledChemistry[]) {
    it(`${chemistry}: the pack's BMS always reaches its cut-offs, so no current runs a pack past full or empty`, () => {
      const cuts = PROTECTION[chemistry];
      const pack = new PackModel({ chemistry, soc: 50 });
      let steps = 0;
      while (!pack.chargeBlocked && steps++ < 5 * 3600) pack.step(140, 1000);
      assert.ok(pack.chargeBlocked, 'charge cut reached');
      assert.ok(pack.cellMax >= cuts.cellOverV && Math.max(...pack.cellSoc) < 100.5, `top ${pack.cellMax} V`);
      steps = 0;
      while (!pack.dischargeBlocked && steps++ < 10 * 3600) pack.step(-140, 1000);
      assert.ok(pack.dischargeBlocked, 'discharge cut reached');
      assert.ok(pack.cellMin <= cuts.cellUnderV && Math.min(...pack.cellSoc) > -1, `bottom ${pack.cellMin} V`);
      assert.ok(!pack.accepts(-1) && pack.accepts(1), 'a discharged pack still takes charge');
    });
  }

  it('conserves charge: ∫ bank current dt equals the packs’ charge change within 1 % over 2 random days', () => {
    const rng = new Rng(17_001);
    const bank = new SimulatedBank({ packs: 3, soc: 30, runner: { pack: 2, cell: 4, socPct: 1.5 } });
    wanderingProfile(rng, bank);
    const packs = bank.packIds.map((id) => bank.pack(id));
    const before = packs.map(chargeAh);
    const socBefore = packs.map((p) => p.soc);
    const inAh = packs.map(() => 0);
    let bankAh = 0;
    let throughputAh = 0;
    let worstSplitA = 0;
    for (let s = 0; s < 2 * 24 * 3600; s++) {
      bank.clock.advance(1000);
      bankAh += bank.current / 3600;
      throughputAh += Math.abs(bank.current) / 3600;
      packs.forEach((p, k) => (inAh[k] += p.current / 3600));
      const sum = packs.reduce((a, p) => a + p.current, 0);
      worstSplitA = Math.max(worstSplitA, Math.abs(sum - bank.current));
    }
    const change = packs.map((p, k) => chargeAh(p) - before[k]);
    const total = change.reduce((a, b) => a + b, 0);
    assert.ok(throughputAh > 3000, `the profile moved ${throughputAh.toFixed(0)} Ah`);
    assert.ok(Math.abs(bankAh) > 50, `net ${bankAh.toFixed(1)} Ah`);
    assert.ok(Math.abs(total - bankAh) <= 0.01 * Math.abs(bankAh), `packs ${total} Ah vs bank ${bankAh} Ah`);
    change.forEach((c, k) => assert.ok(Math.abs(c - inAh[k]) <= 0.01 * Math.abs(inAh[k]) + 1e-6, `pack ${k + 1}`));
    assert.ok(worstSplitA < 0.001, `pack currents sum to the bank current (worst ${worstSplitA} A)`);
    // What a BMS reports: SoC change × capacity, against the same integral (cells differ by ±1.5 %).
    packs.forEach((p, k) => {
      const reportedAh = ((p.soc - socBefore[k]) * p.capacityAh) / 100;
      const bled = p.balancedAh.reduce((a, b) => a + b, 0) / p.balancedAh.length;
      assert.ok(Math.abs(reportedAh + bled - inAh[k]) <= 0.01 * throughputAh, `pack ${k + 1} reported SoC`);
    });
  });

  it('splits a current between parallel packs so the parts sum to it at one bus voltage', () => {
    const rng = new Rng(17_002);
    for (let run = 0; run < 500; run++) {
      const packs = Array.from({ length: rng.int(1, 6) }, () => ({
        emf: 48 + rng.next() * 8,
        seriesResistance: 0.002 + rng.next() * 0.02,
      }));
      const current = (rng.next() - 0.5) * 1000;
      const { volts, currents } = splitCurrent(packs, current);
      const sum = currents.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - current) < 1e-6, `run ${run}: ${sum} vs ${current}`);
      packs.forEach((p, k) => assert.ok(Math.abs(p.emf + currents[k] * p.seriesResistance - volts) < 1e-9));
    }
    assert.deepEqual(splitCurrent([], 100), { volts: 0, currents: [] });
  });

  it('gives the lower-resistance, lower-voltage pack the larger share of a charge current', () => {
    const { currents } = splitCurrent(
      [
        { emf: 52, seriesResistance: 0.005 },
        { emf: 52, seriesResistance: 0.01 },
      ],
      150,
    );
    assert.ok(Math.abs(currents[0] - 100) < 1e-9 && Math.abs(currents[1] - 50) < 1e-9);
  });

  it('stays finite under random currents, including absurd and non-finite requests', () => {
    const rng = new Rng(17_003);
    const bank = new SimulatedBank({ packs: 3 });
    const requests = [NaN, Infinity, -Infinity, 1e12, -1e12, 0];
    bank.setCurrent(() => (rng.chance(0.05) ? rng.pick(requests) : (rng.next() - 0.5) * 2000));
    for (let s = 0; s < 48 * 3600; s += 10) {
      bank.clock.advance(10_000);
      assert.ok(Number.isFinite(bank.current) && Number.isFinite(bank.voltage), `bank at ${s} s`);
      for (const id of bank.packIds) assert.ok(allFinite(bank.pack(id)), `pack ${id} at ${s} s`);
    }
  });

  it('heats mildly with current, stays below the over-temperature cut and relaxes to ambient', () => {
    const rng = new Rng(17_004);
    const bank = new SimulatedBank({ packs: 2, soc: 50, ambient: 20 });
    wanderingProfile(rng, bank);
    let hottest = -Infinity;
    let coldest = Infinity;
    for (let s = 0; s < 24 * 3600; s++) {
      bank.clock.advance(1000);
      for (const id of bank.packIds) {
        hottest = Math.max(hottest, bank.pack(id).temperature);
        coldest = Math.min(coldest, bank.pack(id).temperature);
      }
    }
    assert.ok(hottest > 20.5, `current heats the cells (${hottest.toFixed(2)} °C)`);
    assert.ok(hottest < PACK_PROTECTION.overTemperatureC, `hottest ${hottest.toFixed(2)} °C`);
    assert.ok(coldest >= 20 - 1e-9, `never below ambient without cold (${coldest} °C)`);
    bank.setCurrent(0);
    bank.clock.advance(48 * HOUR);
    for (const id of bank.packIds) assert.ok(Math.abs(bank.pack(id).temperature - 20) < 0.5);
  });

  it('100 A for 2 h warms a 280 Ah pack by a few kelvin, not tens', () => {
    const pack = new PackModel({ soc: 20, ambient: 20 });
    for (let s = 0; s < 7200; s++) pack.step(100, 1000);
    assert.ok(pack.temperature > 22 && pack.temperature < 30, `${pack.temperature.toFixed(2)} °C`);
  });

  it('balances only near the top of charge', () => {
    const pack = new PackModel({ soc: 10, ambient: 20 });
    pack.shiftCellSoc(3, 2);
    let balancedLow = 0;
    let balancedTop = 0;
    for (let s = 0; s < 24 * 3600 && !pack.chargeBlocked; s++) {
      pack.step(50, 1000);
      const any = pack.balancing.some(Boolean);
      if (any && pack.cellMax < 3.4) balancedLow++;
      if (any) balancedTop++;
    }
    assert.ok(pack.chargeBlocked, 'the charge ended at the over-voltage cut');
    assert.equal(balancedLow, 0, 'no balancing below the start voltage');
    assert.ok(balancedTop > 0, 'the high cells bleed near the top');
    const atTopAh = pack.balancedAh.reduce((a, b) => a + b, 0);
    for (let s = 0; s < 6 * 3600; s++) pack.step(-100, 1000);
    const afterDischargeAh = pack.balancedAh.reduce((a, b) => a + b, 0);
    assert.ok(pack.cellMax < 3.35, 'discharged into the flat part');
    for (let s = 0; s < 3600; s++) pack.step(-100, 1000);
    assert.equal(
      pack.balancedAh.reduce((a, b) => a + b, 0),
      afterDischargeAh,
      'no bleed in the middle',
    );
    assert.ok(afterDischargeAh >= atTopAh);
  });

  it('lets the runner cell end the bulk phase early: its pack opens the charge path, the others take the current', () => {
    const bank = new SimulatedBank({ packs: 3, soc: 90, runner: { pack: 1, cell: 5, socPct: 2 } });
    bank.setCurrent(150);
    let step = 0;
    while (!bank.pack(1).chargeBlocked && step++ < 4 * 3600) bank.clock.advance(1000);
    assert.ok(bank.pack(1).chargeBlocked, 'pack 1 blocked charge');
    assert.equal(bank.pack(1).cells.indexOf(bank.pack(1).cellMax), 4, 'cell 5 is the highest');
    assert.ok(!bank.pack(2).chargeBlocked && !bank.pack(3).chargeBlocked);
    assert.ok(bank.pack(2).cellMax < 3.5, `others still in bulk (${bank.pack(2).cellMax} V)`);
    bank.clock.advance(1000);
    assert.equal(bank.pack(1).current, 0);
    assert.ok(Math.abs(bank.pack(2).current + bank.pack(3).current - 150) < 1e-6);
  });

  it('polarisation: under a steady charge the voltage keeps rising for minutes and relaxes after', () => {
    const pack = new PackModel({ soc: 50 });
    pack.step(100, 1000);
    const first = pack.voltage;
    for (let s = 0; s < 1800; s++) pack.step(100, 1000);
    const loaded = pack.voltage;
    pack.step(0, 1000);
    const justStopped = pack.voltage;
    for (let s = 0; s < 3600; s++) pack.step(0, 1000);
    assert.ok(loaded - first > 0.3, `rise under load ${(loaded - first).toFixed(3)} V`);
    assert.ok(pack.voltage < justStopped - 0.3, 'relaxes after the current stops');
  });

  it('faults: a forced cell trips the pack’s charge protection until all clear; cold stops charging', () => {
    const bank = new SimulatedBank({ packs: 2, soc: 50 });
    bank.setCurrent(100);
    bank.forceCellVoltage(1, 7, 3.65);
    bank.clock.advance(2000);
    assert.equal(bank.pack(1).cells[6], 3.65);
    assert.ok(bank.pack(1).chargeBlocked && bank.pack(1).current === 0);
    assert.ok(Math.abs(bank.pack(2).current - 100) < 1e-6);
    bank.pullCable(2);
    assert.equal(bank.cable(2).silent, true);
    bank.setAmbient(-5, { cellsToo: true });
    bank.clock.advance(2000);
    assert.ok(bank.pack(2).chargeBlocked, 'charging below 0 °C is refused');
    assert.equal(bank.current, 0, 'no pack takes charge');
    assert.ok(bank.voltage > 50, 'the bus still shows the packs’ voltage');
    bank.pack(2).cellOffsets.set(0, 0.2);
    bank.pack(2).frozen = true;
    bank.allClear();
    assert.equal(bank.cable(2).silent, false);
    assert.equal(bank.pack(2).cellOffsets.size, 0);
    assert.equal(bank.pack(2).frozen, false);
    bank.setCurrent(0);
    bank.clock.advance(HOUR);
    assert.ok(bank.pack(2).chargeBlocked, 'still below the release temperature after an hour');
    bank.clock.advance(2 * HOUR);
    assert.ok(bank.pack(2).temperature > PACK_PROTECTION.chargeMinReleaseC);
    assert.ok(!bank.pack(1).chargeBlocked && !bank.pack(2).chargeBlocked, 'released after all clear and warming');
    bank.setCurrent(100);
    bank.clock.advance(1000);
    assert.equal(bank.current, 100);
  });

  it('runs the same at any speed: a ScaledClock follows its base clock × speed, physics on 1 s steps', () => {
    const results = [1, 600].map((speed) => {
      const base = new SimClock();
      const bank = new SimulatedBank({ packs: 2, soc: 40, baseClock: base, speed });
      bank.setCurrent((t) => 80 * Math.sin(t / 1_000_000));
      bank.start();
      base.advance((2 * HOUR) / speed);
      bank.stop();
      return { time: bank.clock.now(), cells: bank.packIds.map((id) => [...bank.pack(id).cellSoc]) };
    });
    assert.equal(results[0].time - new SimClock().now(), 2 * HOUR);
    assert.equal(results[1].time, results[0].time);
    assert.deepEqual(results[1].cells, results[0].cells);
  });

  it('clamps the speed to 1…600', () => {
    const clock = new ScaledClock(new SimClock());
    clock.setSpeed(10_000);
    assert.equal(clock.speed, 600);
    clock.setSpeed(-3);
    assert.equal(clock.speed, 1);
    clock.setSpeed('abc');
    assert.equal(clock.speed, 1);
  });
});
