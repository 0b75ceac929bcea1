/** The 123\SmartBMS vectors from test/fixtures/vectors/smartbms.json. */
import { loadVectors } from '../../helpers/fixtures';

export interface SmartBmsVector {
  id: string;
  hex: string;
  expected: Record<string, unknown>;
}

export function loadSmartBmsVectors(): SmartBmsVector[] {
  return loadVectors<SmartBmsVector>('smartbms');
}

export function vectorFrame(id: string): Buffer {
  const v = loadSmartBmsVectors().find((x) => x.id === id);
  if (!v) throw new Error(`no vector ${id}`);
  return Buffer.from(v.hex, 'hex');
}
