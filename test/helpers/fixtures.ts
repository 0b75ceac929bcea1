/**
 * The one loader for captured test vectors: `test/fixtures/vectors/<name>.json`, each a JSON array of
 * entries that keep the `source` of the capture they were taken from.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type VectorFile = 'jk-bms' | 'seplos' | 'smartbms' | 'inverter-can' | 'pylontech-485';

export const FIXTURES_DIR = path.resolve(__dirname, '..', 'fixtures');

export function loadVectors<T>(name: VectorFile): T[] {
  const file = path.join(FIXTURES_DIR, 'vectors', `${name}.json`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T[];
}
