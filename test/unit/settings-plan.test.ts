/**
 * `cellsafe settings` reads its options strictly: a misspelt option never turns a dry run into a write,
 * and an empty address is not address 0.
 */
import { strict as assert } from 'node:assert';
import { settingsPlan } from '../../src/cli/settings';

const BASE = ['--protocol', 'jk-pb', '--port', '/dev/ttyUSB0', '--address', '3', '--write', 'cellOvpV=3.6'];

describe('cellsafe settings: options', () => {
  it('--dry-run and --dry-run=true are dry runs; without it, a write', () => {
    for (const [extra, dryRun] of [
      [['--dry-run'], true],
      [['--dry-run=true'], true],
      [[], false],
    ] as Array<[string[], boolean]>) {
      const plan = settingsPlan([...BASE, ...extra]);
      assert.ok(typeof plan !== 'string', String(plan));
      assert.equal(plan.dryRun, dryRun, extra.join(' '));
      assert.deepEqual(plan.fields, { cellOvpV: 3.6 });
    }
  });

  it('refuses an unknown option (a typo of --dry-run must not write)', () => {
    assert.match(String(settingsPlan([...BASE, '--dryrun'])), /^unknown option --dryrun/);
  });

  it('refuses an empty or non-integer address', () => {
    for (const address of ['--address=', '--address=1.5', '--address=x', '--address=248']) {
      const args = ['--protocol', 'jk-pb', '--port', '/dev/ttyUSB0', address];
      assert.equal(settingsPlan(args), '--address must be an integer 0..247', address);
    }
  });
});
