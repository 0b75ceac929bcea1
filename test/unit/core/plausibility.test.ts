/**
 * The plausibility gate, rule by rule: a plausible 16S pack passes; each rule, broken on its own,
 * rejects with a reason that names it; values just inside each window pass.
 */
import { strict as assert } from 'node:assert';
import type { PackState } from '../../../src/core/pack-state';
import { checkPlausible, currentBound, plausiblePack } from '../../../src/core/plausibility';

function pack16(changes: Partial<PackState> = {}): PackState {
  return {
    kind: 'pack',
    id: 'p1',
    protocol: 'jk-pb',
    time: 0,
    voltage: 52.8,
    current: -12.5,
    soc: 60,
    soh: 98,
    cells: Array.from({ length: 16 }, () => 3.3),
    temperatures: [21, 22],
    mosTemperature: 30,
    fullAh: 280,
    chargeAllowed: true,
    dischargeAllowed: true,
    alarms: {},
    ...changes,
  };
}
const cells = (n: number, v = 3.3): number[] => Array.from({ length: n }, () => v);

describe('plausibility gate', () => {
  it('passes a plausible 16S pack, also in the decoder result form', () => {
    assert.equal(checkPlausible(pack16()), null);
    assert.deepEqual(plausiblePack(pack16()), { ok: true, value: pack16() });
  });

  it('prefixes the reason with "implausible:" in the decoder result form', () => {
    const r = plausiblePack(pack16({ soc: 101 }));
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, /^implausible: SOC 101 % is outside 0–100 %$/);
  });

  describe('cell count: 1–32 and the frame’s own count', () => {
    it('rejects no cells, and more than 32', () => {
      assert.match(String(checkPlausible(pack16({ cells: [], voltage: 3.3 }))), /0 cell voltages \(1–32 possible\)/);
      assert.match(String(checkPlausible(pack16({ cells: cells(33), voltage: 108.9 }))), /33 cell voltages/);
      assert.equal(checkPlausible(pack16({ cells: cells(32), voltage: 105.6 })), null);
      assert.equal(checkPlausible(pack16({ cells: cells(1), voltage: 3.3 })), null);
    });

    it('rejects a cell list that differs from the count the frame states, and a stated count outside 1–32', () => {
      assert.match(
        String(checkPlausible(pack16(), { frameCellCount: 15 })),
        /16 cell voltages but the frame states 15/,
      );
      assert.equal(checkPlausible(pack16(), { frameCellCount: 16 }), null);
      const none = { cells: [], voltage: 50 };
      assert.match(String(checkPlausible(pack16(none), { frameCellCount: 40, noCells: true })), /states 40 cells/);
      assert.match(String(checkPlausible(pack16(none), { frameCellCount: 0, noCells: true })), /states 0 cells/);
    });

    it('a message that carries no cells by design passes empty, and may not carry any', () => {
      assert.equal(checkPlausible(pack16({ cells: [] }), { noCells: true }), null);
      assert.match(
        String(checkPlausible(pack16(), { noCells: true })),
        /16 cell voltages in a message that carries none/,
      );
    });
  });

  describe('cell voltage window 0.5–5.0 V', () => {
    it('rejects a cell outside the window and names it', () => {
      const high = cells(16);
      high[4] = 5.01;
      assert.match(
        String(checkPlausible(pack16({ cells: high, voltage: 54.51 }))),
        /cell 5 at 5\.01 V is outside 0\.5–5 V/,
      );
      const low = cells(16);
      low[0] = 0.49;
      assert.match(String(checkPlausible(pack16({ cells: low, voltage: 49.99 }))), /cell 1 at 0\.49 V/);
    });

    it('passes the window edges (LTO, sodium-ion and high-voltage Li-ion alike)', () => {
      assert.equal(checkPlausible(pack16({ cells: cells(16, 0.5), voltage: 8 })), null);
      assert.equal(checkPlausible(pack16({ cells: cells(16, 5), voltage: 80 })), null);
      assert.equal(checkPlausible(pack16({ cells: cells(16, 1.5), voltage: 24 })), null);
    });

    it('judges the cell voltages a frame states outside `cells` too', () => {
      assert.match(
        String(checkPlausible(pack16(), { statedCellVoltages: [3.2, 6.5] })),
        /stated cell voltage 2 at 6\.5 V/,
      );
      assert.equal(checkPlausible(pack16(), { statedCellVoltages: [3.2, 3.4] }), null);
    });
  });

  describe('pack voltage against the cell sum: ±(1 V + 5 %)', () => {
    it('accepts a difference inside the tolerance and rejects one beyond it', () => {
      // 16 × 3.3 = 52.8 V, tolerance 1 + 2.64 = 3.64 V
      assert.equal(checkPlausible(pack16({ voltage: 52.8 + 3.63 })), null);
      assert.equal(checkPlausible(pack16({ voltage: 52.8 - 3.63 })), null);
      assert.match(
        String(checkPlausible(pack16({ voltage: 52.8 + 3.65 }))),
        /pack voltage 56\.45 V does not match the cell sum 52\.8 V \(±3\.64 V\)/,
      );
      assert.match(String(checkPlausible(pack16({ voltage: 0.056 }))), /pack voltage 0\.056 V/);
    });

    it('without cells: the window of the stated cell count, else of 1–32 cells', () => {
      const none = { cells: [] as number[] };
      assert.equal(checkPlausible(pack16({ ...none, voltage: 52.8 }), { noCells: true, frameCellCount: 16 }), null);
      assert.match(
        String(checkPlausible(pack16({ ...none, voltage: 335 }), { noCells: true, frameCellCount: 16 })),
        /pack voltage 335 V is impossible for 16 cells/,
      );
      assert.match(
        String(checkPlausible(pack16({ ...none, voltage: 0 }), { noCells: true })),
        /impossible for 1–32 cells/,
      );
      assert.match(String(checkPlausible(pack16({ ...none, voltage: 170 }), { noCells: true })), /impossible/);
      assert.equal(checkPlausible(pack16({ ...none, voltage: 160 }), { noCells: true }), null);
    });
  });

  describe('|current| within 20 C of the capacity (at least 200 A), at most 2000 A', () => {
    it('derives the bound from the larger of full and design capacity', () => {
      assert.equal(currentBound(pack16({ fullAh: 50 })), 1000);
      assert.equal(currentBound(pack16({ fullAh: 50, designAh: 60 })), 1200);
      assert.equal(currentBound(pack16({ fullAh: 5 })), 200);
      assert.equal(currentBound(pack16({ fullAh: 280 })), 2000);
      assert.equal(currentBound(pack16({ fullAh: undefined })), 2000);
      assert.equal(currentBound(pack16({ fullAh: 0 })), 2000);
    });

    it('rejects a current beyond the bound in either direction', () => {
      assert.equal(checkPlausible(pack16({ fullAh: 50, current: -1000 })), null);
      assert.match(
        String(checkPlausible(pack16({ fullAh: 50, current: 1000.5 }))),
        /current 1000\.5 A is beyond ±1000 A/,
      );
      assert.match(String(checkPlausible(pack16({ fullAh: undefined, current: 142934 }))), /beyond ±2000 A/);
      assert.match(String(checkPlausible(pack16({ current: NaN }))), /current NaN A/);
    });
  });

  describe('temperatures −40…125 °C', () => {
    it('checks every temperature field by name', () => {
      assert.match(
        String(checkPlausible(pack16({ temperatures: [21, 719.6] }))),
        /temperature 2 719\.6 °C is outside -40…125 °C/,
      );
      assert.match(String(checkPlausible(pack16({ mosTemperature: -40.1 }))), /MOS temperature -40\.1 °C/);
      assert.match(String(checkPlausible(pack16({ ambientTemperature: 126 }))), /ambient temperature 126 °C/);
      assert.match(String(checkPlausible(pack16({ cellTemperatures: [20, -273.1] }))), /cell temperature 2 -273\.1 °C/);
      assert.match(String(checkPlausible(pack16(), { statedTemperatures: [300] })), /stated temperature 1 300 °C/);
    });

    it('passes the window edges', () => {
      assert.equal(checkPlausible(pack16({ temperatures: [-40, 125], mosTemperature: 125 })), null);
    });
  });

  describe('SOC and SOH 0–100 %', () => {
    it('rejects either outside 0–100 and passes the edges', () => {
      assert.match(String(checkPlausible(pack16({ soc: -1 }))), /SOC -1 %/);
      assert.match(String(checkPlausible(pack16({ soh: 100.5 }))), /SOH 100\.5 %/);
      assert.equal(checkPlausible(pack16({ soc: 0, soh: 100 })), null);
      assert.equal(checkPlausible(pack16({ soc: 100, soh: undefined })), null);
    });
  });
});
