/**
 * The BMS node's near-limit settings as the editor saves them (strings, maybe empty) or as a hand-written
 * flow has them (numbers, or missing): missing and empty take the defaults, the cell margin is given in mV.
 */
import { strict as assert } from 'node:assert';
import { NEAR_LIMIT_DEFAULTS } from '../../../src/core/near-limit';
import { nearLimitSettings } from '../../../src/nodes/shared/bms-settings';

describe('nearLimitSettings', () => {
  it('a node saved before the settings existed gets the defaults', () => {
    assert.deepEqual(nearLimitSettings({ interval: 5 }), NEAR_LIMIT_DEFAULTS);
  });

  it('empty fields from the editor take the defaults too', () => {
    const empty = {
      limitCellHigh: '',
      limitCellLow: '',
      nearCellMv: '',
      limitTempLow: '',
      limitTempHigh: '',
      nearTempC: '',
    };
    assert.deepEqual(nearLimitSettings(empty), NEAR_LIMIT_DEFAULTS);
  });

  it('reads every setting; the cell margin in mV becomes volts', () => {
    const saved = {
      limitCellHigh: '4.08',
      limitCellLow: 3.43,
      nearCellMv: '50',
      limitTempLow: '-5',
      limitTempHigh: 45,
      nearTempC: '2',
    };
    assert.deepEqual(nearLimitSettings(saved), {
      cellHigh: 4.08,
      cellLow: 3.43,
      cellMarginV: 0.05,
      tempLow: -5,
      tempHigh: 45,
      tempMarginC: 2,
    });
  });

  it('a negative margin counts as 0 (only at or past the limit)', () => {
    const settings = nearLimitSettings({ nearCellMv: -20, nearTempC: '-1' });
    assert.equal(settings.cellMarginV, 0);
    assert.equal(settings.tempMarginC, 0);
  });
});
