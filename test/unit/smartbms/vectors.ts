/** Loads shared/vectors/smartbms.json from the repo's sibling `shared/` folder (never copied). */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SmartBmsVector {
  id: string;
  hex: string;
  expected: Record<string, unknown>;
}

export function loadVectors(): SmartBmsVector[] {
  const file = path.resolve(__dirname, '../../..', '..', 'shared/vectors/smartbms.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as SmartBmsVector[];
}

export function vectorFrame(id: string): Buffer {
  const v = loadVectors().find((x) => x.id === id);
  if (!v) throw new Error(`no vector ${id}`);
  return Buffer.from(v.hex, 'hex');
}
