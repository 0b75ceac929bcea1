/**
 * Where the tests find files, worked out once: the repository root, the captured test vectors
 * (`test/fixtures/vectors/<name>.json`, each a JSON array of entries that keep the `source` of the
 * capture they were taken from) and the example flows (`examples/<name>.json`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type VectorFile = 'jk-bms' | 'seplos' | 'smartbms' | 'inverter-can' | 'pylontech-485';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures');
export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

export function loadVectors<T>(name: VectorFile): T[] {
  const file = path.join(FIXTURES_DIR, 'vectors', `${name}.json`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T[];
}

/** An example flow by file name, with or without `.json`: the array of its nodes. */
export function loadExample<T = Record<string, unknown>>(name: string): T[] {
  const file = path.join(EXAMPLES_DIR, name.endsWith('.json') ? name : `${name}.json`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T[];
}
