import { strict as assert } from 'node:assert';
import { fullSync, nextRelays, type RelayThresholds, type RelayView } from '../../../src/core/smartbms-relay-rules';

const S: RelayThresholds = {
  vMin: 2.9,
  vMax: 3.7,
  vBalance: 3.4,
  tMin: 0,
  tMax: 50,
  chargeRestartSoc: 90,
  dischargeRestartSoc: 20,
};
const ON = { charge: true, load: true };
const OFF = { charge: false, load: false };
const x = (cells: number[], over: Partial<RelayView> = {}): RelayView => ({
  cells,
  temps: [20, 21],
  soc: 50,
  commOk: true,
  ...over,
});

describe('123\\SmartBMS relay tables (seed manuals), shared by bms-rules and the smartbms simulator', () => {
  describe('normal mode', () => {
    it('opens the charge relay when a cell reaches V-max, or when all cells reach V-balance', () => {
      assert.equal(nextRelays(ON, x([3.3, 3.7]), S, 'normal').charge, false);
      assert.equal(nextRelays(ON, x([3.4, 3.45]), S, 'normal').charge, false);
      assert.equal(nextRelays(ON, x([3.39, 3.45]), S, 'normal').charge, true);
    });
    it('closes the charge relay again only below V-balance AND below the charge-restart SoC', () => {
      assert.equal(
        nextRelays(OFF, x([3.3, 3.3], { soc: 95 }), S, 'normal').charge,
        false,
        'SoC above restart: keeps off',
      );
      assert.equal(nextRelays(OFF, x([3.3, 3.3], { soc: 89 }), S, 'normal').charge, true);
    });
    it('opens the load relay at V-min and closes it only above V-min with SoC ≥ discharge restart', () => {
      assert.equal(nextRelays(ON, x([2.9, 3.3]), S, 'normal').load, false);
      assert.equal(nextRelays(OFF, x([3.0, 3.3], { soc: 10 }), S, 'normal').load, false);
      assert.equal(nextRelays(OFF, x([3.0, 3.3], { soc: 20 }), S, 'normal').load, true);
    });
    it('keeps its state between the enable and the disable conditions (hysteresis)', () => {
      const between = x([3.3, 3.3], { soc: 95 });
      assert.equal(nextRelays(ON, between, S, 'normal').charge, true);
      assert.equal(nextRelays(OFF, between, S, 'normal').charge, false);
    });
    it('opens both relays on temperature out of range or lost cell communication', () => {
      for (const bad of [{ temps: [-1, 20] }, { temps: [20, 51] }, { commOk: false }]) {
        assert.deepEqual(nextRelays(ON, x([3.3, 3.3], bad), S, 'normal'), OFF, JSON.stringify(bad));
      }
    });
  });

  describe('critical mode', () => {
    it('ignores SoC and V-balance: only V-max / V-min / temperature / communication act', () => {
      assert.equal(
        nextRelays(ON, x([3.5, 3.5], { soc: 100 }), S, 'critical').charge,
        true,
        'full pack keeps charging allowed',
      );
      assert.equal(nextRelays(OFF, x([3.5, 3.5], { soc: 99 }), S, 'critical').charge, true, 'no charge-restart SoC');
      assert.equal(nextRelays(OFF, x([3.0, 3.3], { soc: 1 }), S, 'critical').load, true, 'no discharge-restart SoC');
      assert.equal(nextRelays(ON, x([3.3, 3.7]), S, 'critical').charge, false);
      assert.equal(nextRelays(ON, x([2.9, 3.3]), S, 'critical').load, false);
      assert.deepEqual(nextRelays(ON, x([3.3, 3.3], { commOk: false }), S, 'critical'), OFF);
    });
  });

  it('opens both relays when no cell is known, and never syncs SoC on no cells', () => {
    for (const mode of ['normal', 'critical'] as const) {
      assert.deepEqual(nextRelays(ON, x([]), S, mode), OFF, mode);
      assert.equal(fullSync([], S.vBalance, mode), false, mode);
    }
  });

  it('syncs SoC to 100 % on all cells ≥ V-balance (normal) or the average (critical)', () => {
    assert.equal(fullSync([3.35, 3.5], S.vBalance, 'normal'), false);
    assert.equal(fullSync([3.35, 3.5], S.vBalance, 'critical'), true);
    assert.equal(fullSync([3.4, 3.5], S.vBalance, 'normal'), true);
  });
});
