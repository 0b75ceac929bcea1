/**
 * "Close to a limit" (priority polling): each condition alone makes a pack close, a pack in the
 * middle of its window is not, the margins are inclusive, and the LiFePO4 defaults are the bms-rules
 * defaults the bank itself cuts at.
 */
import { strict as assert } from 'node:assert';
import { NEAR_LIMIT_DEFAULTS, type NearLimitSettings, nearLimit } from '../../../src/core/near-limit';
import type { PackState } from '../../../src/core/pack-state';
import { DEFAULTS, type Table, interp } from '../../../src/nodes/bms-rules/config';

const SETTINGS: NearLimitSettings = {
  cellHigh: 3.58,
  cellLow: 2.9,
  cellMarginV: 0.1,
  tempLow: 0,
  tempHigh: 55,
  tempMarginC: 3,
};

/** A 16-cell LiFePO4 pack in the middle of everything. */
function pack(over: Partial<PackState> = {}): PackState {
  const cells = Array.from({ length: 16 }, () => 3.3);
  return {
    kind: 'pack',
    id: 'p-1',
    protocol: 'jk-pb',
    address: 1,
    time: 0,
    voltage: 52.8,
    current: 10,
    soc: 60,
    cells,
    temperatures: [25, 26],
    chargeAllowed: true,
    dischargeAllowed: true,
    alarms: {},
    ...over,
  };
}

const withCell = (v: number): PackState => {
  const p = pack();
  p.cells[7] = v;
  return p;
};

describe('nearLimit', () => {
  it('a pack in the middle of its window is not close to a limit', () => {
    assert.equal(nearLimit(pack(), SETTINGS), undefined);
  });

  it('the highest cell within the margin of the high cut (inclusive) is close; just outside is not', () => {
    assert.equal(nearLimit(withCell(3.48), SETTINGS), 'cellHigh');
    assert.equal(nearLimit(withCell(3.6), SETTINGS), 'cellHigh');
    assert.equal(nearLimit(withCell(3.47), SETTINGS), undefined);
  });

  it('the lowest cell within the margin of the low cut (inclusive) is close; just outside is not', () => {
    assert.equal(nearLimit(withCell(3.0), SETTINGS), 'cellLow');
    assert.equal(nearLimit(withCell(2.7), SETTINGS), 'cellLow');
    assert.equal(nearLimit(withCell(3.01), SETTINGS), undefined);
  });

  it('a margin of 0 means only at or past the cut', () => {
    const none = { ...SETTINGS, cellMarginV: 0 };
    assert.equal(nearLimit(withCell(3.57), none), undefined);
    assert.equal(nearLimit(withCell(3.58), none), 'cellHigh');
  });

  it('a temperature (pack or cell sensor) near either end of the charge window is close', () => {
    assert.equal(nearLimit(pack({ temperatures: [25, 52] }), SETTINGS), 'temperature');
    assert.equal(nearLimit(pack({ temperatures: [3, 20] }), SETTINGS), 'temperature');
    assert.equal(nearLimit(pack({ temperatures: [20], cellTemperatures: [51.9, 53] }), SETTINGS), 'temperature');
    assert.equal(nearLimit(pack({ temperatures: [3.1, 51.9] }), SETTINGS), undefined);
  });

  it("the pack's own alarm is close; a warning only when it is about voltage or temperature", () => {
    assert.equal(nearLimit(pack({ alarms: { internal: 'alarm' } }), SETTINGS), 'alarm');
    assert.equal(nearLimit(pack({ alarms: { cellOverVoltage: 'warn' } }), SETTINGS), 'alarm');
    assert.equal(nearLimit(pack({ alarms: { chargeUnderTemperature: 'warn' } }), SETTINGS), 'alarm');
    assert.equal(nearLimit(pack({ alarms: { cellImbalance: 'warn' } }), SETTINGS), undefined);
    // communication is the node's own verdict about the link, not a limit of the pack
    assert.equal(nearLimit(pack({ alarms: { communication: 'alarm' } }), SETTINGS), undefined);
  });

  it('a pack without cells or temperatures is judged on what it has', () => {
    assert.equal(nearLimit(pack({ cells: [], temperatures: [] }), SETTINGS), undefined);
    assert.equal(nearLimit(pack({ cells: [], temperatures: [54] }), SETTINGS), 'temperature');
  });

  it('the defaults are where the bms-rules defaults bring the current to 0 (LiFePO4)', () => {
    const zero = (table: Table): number => table.x[table.y.indexOf(0)];
    const d = NEAR_LIMIT_DEFAULTS;
    assert.equal(d.cellHigh, Math.min(DEFAULTS.cellHighCut, zero(DEFAULTS.cellChargeTable)));
    assert.equal(d.cellLow, Math.max(DEFAULTS.cellLowCut, zero(DEFAULTS.cellDischargeTable)));
    assert.equal(d.tempLow, DEFAULTS.tChargeMin);
    assert.equal(d.tempHigh, DEFAULTS.tChargeMax);
    // and the tables are 0 exactly from there on: no charge current at cellHigh, none for discharge at cellLow
    assert.equal(interp(DEFAULTS.cellChargeTable, d.cellHigh), 0);
    assert.equal(interp(DEFAULTS.cellDischargeTable, d.cellLow), 0);
    assert.ok(interp(DEFAULTS.cellChargeTable, d.cellHigh - 0.001) > 0);
  });
});
