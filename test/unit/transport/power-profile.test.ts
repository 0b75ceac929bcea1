/** The simulated inverter's PV and load: the built-in day and constant values. */
import { strict as assert } from 'node:assert';
import { hourOfDay, loadFactor, powerAt, pvFactor } from '../../../src/transport/power-profile';

const HOUR = 3_600_000;
const day = { kind: 'day', pvPeakW: 8000, loadMeanW: 600 } as const;

describe('power profile', () => {
  it('PV: nothing before 06:00 or after 20:00, the peak at 13:00, Ppeak × 8.9 h a day', () => {
    assert.equal(powerAt(day, 5 * HOUR).pvW, 0);
    assert.equal(powerAt(day, 21 * HOUR).pvW, 0);
    assert.ok(Math.abs(powerAt(day, 13 * HOUR).pvW - 8000) < 1e-9);
    assert.ok(powerAt(day, 9 * HOUR).pvW < powerAt(day, 12 * HOUR).pvW);
    let energyWh = 0;
    for (let minute = 0; minute < 24 * 60; minute++) energyWh += powerAt(day, minute * 60_000).pvW / 60;
    assert.ok(Math.abs(energyWh / 8000 - (14 * 2) / Math.PI) < 0.01, `${(energyWh / 8000).toFixed(3)} h`);
  });

  it('load: the H0 factors at the even hours, continuous across midnight, mean close to the configured mean', () => {
    assert.equal(loadFactor(0), 0.63);
    assert.equal(loadFactor(20), 1.42);
    assert.ok(Math.abs(loadFactor(19) - (1.21 + 1.42) / 2) < 1e-12);
    assert.ok(Math.abs(loadFactor(23.999) - 0.63) < 0.001);
    let sum = 0;
    for (let minute = 0; minute < 24 * 60; minute++) sum += powerAt(day, minute * 60_000).loadW;
    const mean = sum / (24 * 60);
    assert.ok(mean > 0.9 * 600 && mean < 1.05 * 600, `mean load ${mean.toFixed(0)} W`);
  });

  it('time of day wraps for any time, including before midnight of day 0 and non-numbers', () => {
    assert.equal(hourOfDay(25 * HOUR), 1);
    assert.equal(hourOfDay(-HOUR), 23);
    assert.equal(hourOfDay(NaN), 0);
    assert.equal(pvFactor(NaN), 0);
  });

  it('constant profile: the configured values, negative or missing values as 0', () => {
    assert.deepEqual(powerAt({ kind: 'constant', pvW: 3000, loadW: 500 }, 3 * HOUR), { pvW: 3000, loadW: 500 });
    assert.deepEqual(powerAt({ kind: 'constant', pvW: -1, loadW: NaN }, 0), { pvW: 0, loadW: 0 });
  });
});
