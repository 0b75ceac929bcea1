/**
 * The repository stands alone: no tracked file outside docs/ and test/fixtures/ may point at a folder
 * beside the checkout (a clone has nothing there).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES_DIR, REPO_ROOT } from '../helpers/fixtures';

// built from parts so this file does not match itself
const FORBIDDEN = ['..' + '/shared', 'shared' + '/vectors'];

/** Drops quoted relative paths that stay inside the checkout (src/nodes/x importing '../shared/…'). */
function withoutInRepoImports(text: string, dir: string): string {
  return text.replace(/(['"])(\.\.\/[^'"\n]*)\1/g, (quoted, _quote: string, relative: string) =>
    path.resolve(dir, relative).startsWith(REPO_ROOT + path.sep) ? '' : quoted,
  );
}

function trackedFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return out.split('\0').filter((f) => f && !f.startsWith('docs/') && !f.startsWith('test/fixtures/'));
}

describe('stand-alone repository', () => {
  it('no tracked file outside docs/ and test/fixtures/ cites the sibling folder', function () {
    if (!fs.existsSync(path.join(REPO_ROOT, '.git'))) this.skip();
    const offenders: string[] = [];
    for (const file of trackedFiles()) {
      const full = path.join(REPO_ROOT, file);
      if (!fs.existsSync(full) || fs.statSync(full).size > 5_000_000) continue;
      const text = withoutInRepoImports(fs.readFileSync(full, 'utf8'), path.dirname(full));
      for (const needle of FORBIDDEN) if (text.includes(needle)) offenders.push(`${file}: ${needle}`);
    }
    assert.deepEqual(offenders, []);
  });

  it('every captured vector file is in test/fixtures and keeps its sources', () => {
    for (const name of ['jk-bms', 'seplos', 'smartbms', 'inverter-can', 'pylontech-485']) {
      const file = path.join(FIXTURES_DIR, 'vectors', `${name}.json`);
      const entries = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<{ source?: string }>;
      assert.ok(entries.length > 0, name);
      for (const entry of entries) assert.ok(entry.source && entry.source.length > 3, `${name}: entry without source`);
    }
  });
});
