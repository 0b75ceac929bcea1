/**
 * What an inverter node takes from msg.payload: a bank is judged by its own time, so one that was
 * already stale when it arrived, or whose time is ahead of this host's clock, is refused with the reason.
 */
import { strict as assert } from 'node:assert';
import { bankFromPayload } from '../../../src/nodes/inverter-can/bank-input';
import { ageProblem, measuredAt } from '../../../src/core/data-age';
import { sampleBank } from '../../helpers/bank-state';

const NOW = 1_800_000_000_000;

describe('inverter node input: the age of a bank', () => {
  it('takes a bank measured up to staleSec ago or up to 5 s ahead', () => {
    for (const offset of [0, -9_999, 4_999])
      assert.ok(bankFromPayload(sampleBank(NOW + offset), NOW, 10).ok, String(offset));
  });

  it('refuses a bank older than staleSec by its own time, with its age', () => {
    const result = bankFromPayload(sampleBank(NOW - 12_000), NOW, 10);
    assert.deepEqual(result, {
      ok: false,
      reason: 'msg.payload.time is 12 s old (stale after 10 s); not sent to the inverter',
    });
  });

  it("refuses a bank from a clock more than 5 s ahead of this host's", () => {
    const result = bankFromPayload(sampleBank(NOW + 3_600_000), NOW, 10);
    assert.equal(result.ok, false);
    assert.match(
      !result.ok ? result.reason : '',
      /^msg\.payload\.time is 3600 s ahead of this host's clock \(at most 5 s/,
    );
  });

  it('data is measured at the older of its time and its receipt', () => {
    assert.equal(measuredAt(NOW - 500, NOW), NOW - 500);
    assert.equal(measuredAt(NOW + 500, NOW), NOW);
    assert.equal(ageProblem(NOW, NOW, 10), undefined);
  });
});
