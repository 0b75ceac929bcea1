/**
 * The repository stands alone: no tracked file outside docs/ and test/fixtures/ may point at a folder
 * beside the checkout (a clone has nothing there).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
// built from parts so this file does not match itself
const FORBIDDEN = ['..' + '/shared', 'shared' + '/vectors'];

function trackedFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' });
  return out.split('\0').filter((f) => f && !f.startsWith('docs/') && !f.startsWith('test/fixtures/'));
}

describe('stand-alone repository', () => {
  it('no tracked file outside docs/ and test/fixtures/ cites the sibling folder', function () {
    if (!fs.existsSync(path.join(ROOT, '.git'))) this.skip();
    const offenders: string[] = [];
    for (const file of trackedFiles()) {
      const full = path.join(ROOT, file);
      if (!fs.existsSync(full) || fs.statSync(full).size > 5_000_000) continue;
      const text = fs.readFileSync(full, 'utf8');
      for (const needle of FORBIDDEN) if (text.includes(needle)) offenders.push(`${file}: ${needle}`);
    }
    assert.deepEqual(offenders, []);
  });

  it('every captured vector file is in test/fixtures and keeps its sources', () => {
    for (const name of ['jk-bms', 'seplos', 'smartbms', 'inverter-can', 'pylontech-485']) {
      const file = path.join(ROOT, 'test', 'fixtures', 'vectors', `${name}.json`);
      const entries = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<{ source?: string }>;
      assert.ok(entries.length > 0, name);
      for (const entry of entries) assert.ok(entry.source && entry.source.length > 3, `${name}: entry without source`);
    }
  });
});
