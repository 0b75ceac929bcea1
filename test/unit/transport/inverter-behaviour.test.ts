/**
 * The simulated inverter's behaviour, step by step: what it obeys (limits, flags, frame age), how much
 * it charges or discharges from PV and load, the constant-voltage taper at CVL on a resistive battery,
 * force charge from the grid, and the power balance (PV used + grid = load + battery) for any input.
 */
import { strict as assert } from 'node:assert';
import type { InverterView } from '../../../src/transport/can-inverter-api';
import {
  appliedLimits,
  inverterStep,
  type AppliedLimits,
  type InverterStepInput,
} from '../../../src/transport/inverter-behaviour';
import { Rng } from '../../helpers/rng';

const view = (fields: Partial<InverterView>): InverterView => ({ alarms: [], warnings: [], fields: {}, ...fields });
const open: AppliedLimits = {
  cvl: 55.2,
  ccl: 100,
  dcl: 120,
  chargeAllowed: true,
  dischargeAllowed: true,
  forceCharge: false,
};
const step = (input: Partial<InverterStepInput>) =>
  inverterStep({
    limits: open,
    pvW: 0,
    loadW: 0,
    bankVoltage: 52,
    previousCurrent: 0,
    resistanceOhm: 0.0016,
    gridChargeA: 50,
    ...input,
  });

describe('inverter behaviour: what it obeys', () => {
  it('obeys nothing before it has received limits', () => {
    for (const seen of [undefined, view({ cvl: 55.2, ccl: 100 })]) {
      const limits = appliedLimits(seen, 'victron', 0);
      assert.equal(limits.chargeAllowed, false);
      assert.equal(limits.dischargeAllowed, false);
    }
  });

  it('Victron uses CVL/CCL/DCL only; the Pylon family also needs the enable flags', () => {
    const limits = view({ cvl: 55.2, ccl: 80, dcl: 90, chargeEnabled: false, dischargeEnabled: false });
    const victron = appliedLimits(limits, 'victron', 0);
    assert.deepEqual(victron, { ...open, ccl: 80, dcl: 90 });
    const pylon = appliedLimits(limits, 'pylontech', 0);
    assert.equal(pylon.chargeAllowed, false);
    assert.equal(pylon.dischargeAllowed, false);
    const flagged = appliedLimits({ ...limits, chargeEnabled: true, dischargeEnabled: true }, 'pylontech', 0);
    assert.equal(flagged.chargeAllowed, true);
    assert.equal(flagged.dischargeAllowed, true);
  });

  it('a limit of 0 forbids that direction; force charge only while charging is allowed', () => {
    const zero = appliedLimits(view({ cvl: 55.2, ccl: 0, dcl: 50, forceCharge: true }), 'victron', 0);
    assert.equal(zero.chargeAllowed, false);
    assert.equal(zero.forceCharge, false);
    assert.equal(zero.dischargeAllowed, true);
  });

  it('stops after its family keeps running on old frames: Victron charging at 10 s, discharging at 5 min', () => {
    const limits = view({ cvl: 55.2, ccl: 80, dcl: 90 });
    assert.equal(appliedLimits(limits, 'victron', 10_000).chargeAllowed, true);
    const late = appliedLimits(limits, 'victron', 10_001);
    assert.equal(late.chargeAllowed, false);
    assert.equal(late.dischargeAllowed, true);
    assert.equal(appliedLimits(limits, 'victron', 300_001).dischargeAllowed, false);
    const sma = appliedLimits(limits, 'sma', 30_000);
    assert.ok(sma.chargeAllowed && sma.dischargeAllowed, 'SMA runs on for 60 s');
    assert.equal(appliedLimits(limits, 'sma', 60_001).chargeAllowed, false);
    assert.equal(appliedLimits(limits, 'byd', 10_001).dischargeAllowed, false);
  });
});

describe('inverter behaviour: one step', () => {
  it('charges with the PV surplus, capped by CCL; the rest of the PV is curtailed', () => {
    const small = step({ pvW: 2600, loadW: 520 });
    assert.ok(Math.abs(small.current - 2080 / 52) < 1e-9);
    assert.equal(small.gridW, 0);
    const big = step({ pvW: 9000, loadW: 500 });
    assert.equal(big.current, 100);
    assert.ok(Math.abs(big.curtailedW - (9000 - 500 - 100 * 52)) < 1e-6);
  });

  it('discharges the load deficit up to DCL; the grid covers the rest', () => {
    const r = step({ pvW: 1000, loadW: 8280 });
    assert.equal(r.current, -120);
    assert.ok(Math.abs(r.gridW - (8280 - 1000 - 120 * 52)) < 1e-6);
    const small = step({ pvW: 0, loadW: 520 });
    assert.ok(Math.abs(small.current + 10) < 1e-9);
    assert.equal(small.gridW, 0);
  });

  it('does nothing in a forbidden direction: the grid takes the load, the PV is curtailed', () => {
    const stopped: AppliedLimits = { ...open, chargeAllowed: false, dischargeAllowed: false };
    const night = step({ limits: stopped, loadW: 700 });
    assert.deepEqual([night.current, night.gridW], [0, 700]);
    const noon = step({ limits: stopped, pvW: 5000, loadW: 700 });
    assert.deepEqual([noon.current, noon.curtailedW], [0, 4300]);
  });

  it('force charge: charges from the grid at the charger current (≤ CCL) until 50 mV below CVL', () => {
    const forced: AppliedLimits = { ...open, forceCharge: true, ccl: 30 };
    const r = step({ limits: forced, loadW: 400 });
    assert.equal(r.current, 30);
    assert.ok(Math.abs(r.gridW - (400 + 30 * 52)) < 1e-6);
    assert.equal(step({ limits: forced, loadW: 400, bankVoltage: 55.16 }).current, -400 / 55.16);
  });

  it('never produces NaN and keeps PV used + grid = load + battery, for any input', () => {
    const rng = new Rng(17);
    const odd = [NaN, Infinity, -Infinity, -5, 0];
    const value = (scale: number) => (rng.chance(0.1) ? rng.pick(odd) : rng.next() * scale);
    for (let k = 0; k < 5000; k++) {
      const limits: AppliedLimits = {
        cvl: value(60),
        ccl: value(300),
        dcl: value(300),
        chargeAllowed: rng.chance(0.8),
        dischargeAllowed: rng.chance(0.8),
        forceCharge: rng.chance(0.2),
      };
      const input = {
        limits,
        pvW: value(10000),
        loadW: value(5000),
        bankVoltage: value(58),
        previousCurrent: value(400) - 200,
        resistanceOhm: value(0.01),
        gridChargeA: value(100),
      };
      const r = inverterStep(input);
      for (const x of Object.values(r)) assert.ok(Number.isFinite(x), JSON.stringify({ input, r }));
      if (r.current > 0) assert.ok(r.current <= limits.ccl && limits.chargeAllowed);
      if (r.current < 0) assert.ok(-r.current <= limits.dcl && limits.dischargeAllowed);
      if (Number.isFinite(input.bankVoltage) && input.bankVoltage > 0) {
        const loadW = Number.isFinite(input.loadW) ? Math.max(0, input.loadW) : 0;
        const balance = r.pvUsedW + r.gridW - (loadW + r.current * input.bankVoltage);
        assert.ok(Math.abs(balance) < 1e-6, `power balance off by ${balance} W`);
      }
      assert.ok(r.curtailedW >= -1e-9 && r.pvUsedW >= 0);
    }
  });
});

describe('inverter behaviour: constant-voltage phase on a resistive battery', () => {
  /** A 16S bank of 3 packs, 840 Ah, whose EMF climbs the LiFePO4 top knee as it fills. */
  function charge(resistanceEstimate: number) {
    const trueResistance = 0.0016;
    let soc = 95;
    let current = 0;
    const trace: Array<{ volts: number; current: number }> = [];
    const emf = () => 16 * (3.314 + Math.max(0, soc - 95) * 0.055);
    for (let second = 0; second < 4 * 3600; second++) {
      const volts = emf() + current * trueResistance;
      trace.push({ volts, current });
      current = step({
        pvW: 9000,
        loadW: 300,
        bankVoltage: volts,
        previousCurrent: current,
        resistanceOhm: resistanceEstimate,
      }).current;
      soc += (100 * current) / 3600 / 840;
    }
    return trace;
  }

  for (const estimate of [0.0016, 0.0008, 0.004]) {
    it(`holds the bank at CVL while the current tapers (resistance estimate ${estimate * 1000} mΩ)`, () => {
      const trace = charge(estimate);
      const peak = Math.max(...trace.map((t) => t.volts));
      assert.ok(peak <= 55.2 + 0.03, `peak ${peak.toFixed(3)} V`);
      assert.equal(trace[1].current, 100, 'bulk at CCL first');
      const atCv = trace.findIndex((t) => t.volts > 55.15);
      assert.ok(atCv > 0, 'reaches CVL');
      const later = trace.slice(atCv + 60);
      for (let k = 600; k < later.length; k += 600) assert.ok(later[k].current <= later[k - 600].current + 1e-6);
      assert.ok(trace[trace.length - 1].current < 0.02 * 840, `tail ${trace[trace.length - 1].current.toFixed(1)} A`);
    });
  }
});
