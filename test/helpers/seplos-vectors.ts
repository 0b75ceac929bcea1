import { loadVectors } from './fixtures';

/** One captured Seplos frame from test/fixtures/vectors/seplos.json. */
export interface SeplosVector {
  source: string;
  protocol: 'seplos-v2' | 'seplos-v3';
  command: string;
  direction: 'request' | 'response';
  raw: string;
  note: string;
  start_address?: string;
  request_raw?: string;
  expected: Record<string, unknown>;
}

export const SEPLOS_VECTORS: SeplosVector[] = loadVectors<SeplosVector>('seplos');
