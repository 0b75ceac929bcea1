/**
 * The 0x47 parameters a simulated Seplos V2 pack holds, by name in engineering units (the names of
 * seplos-v2-payload.ts), and their encoding into the 169-byte answer. A 16S LFP pack of 200 Ah with
 * the vendor's example thresholds; pack voltages are the cell values × the cell count.
 */
import { U16_PARAMS, U8_PARAMS, type ParamUnit } from './seplos-v2-payload';

/** Raw word of an engineering value by its encoding (centiamperes as two's complement). */
const TO_RAW: Record<ParamUnit, (value: number) => number> = {
  mV: (v) => Math.round(v * 1000),
  '10mV': (v) => Math.round(v * 100),
  K: (c) => Math.round(c * 10) + 2731,
  cA: (v) => Math.round(v * 100) & 0xffff,
  cAh: (v) => Math.round(v * 100),
  raw: (v) => Math.round(v),
};

/** Cell thresholds (V) in 0x47 order; the pack family repeats them × cells, then the charger limits. */
const CELL_V = [3.5, 3.4, 2.9, 3.0, 3.65, 3.4, 2.7, 2.9];
const TEMPERATURES_C = [50, 47, 2, 5, 55, 50, 0, 3, 55, 50, -10, -7, 60, 55, -20, -15, 5, 10];
const AMBIENT_POWER_C = [60, 55, -10, -5, 65, 60, -20, -15, 90, 85, 100, 95];
const CURRENTS_A = [105, 100, -105, -100, 110, -110, -300];
const BYTES = [50, 30, 30, 10, 8, 16, 5, 5, 100, 60, 5, 30, 10, 24, 3, 10, 60, 24, 20, 5, 95, 80, 50, 0, 0, 0, 0];
/** Function switches: every protection on, balancing and current limiting on, no LCD (bytes 0–7). */
export const V2_SIM_SWITCH_BYTES = Buffer.from([0xff, 0xff, 0xff, 0x3f, 0xbf, 0x9f, 0xaf, 0x1e]);

/** The simulated pack's 0x47 parameters by name. */
export function v2SimParameters(cells: number): Record<string, number> {
  const pack = [...CELL_V, 3.7, 3.6].map((v) => Math.round(v * cells * 100) / 100);
  const words = [...CELL_V, 3.4, 2.0, ...pack, ...TEMPERATURES_C, ...AMBIENT_POWER_C, ...CURRENTS_A, 100, 200, 100];
  const values: Record<string, number> = {};
  U16_PARAMS.forEach(([name], i) => {
    values[name] = words[i];
  });
  U8_PARAMS.forEach((name, i) => {
    values[name] = name === 'cellsInSeries' ? cells : BYTES[i];
  });
  return values;
}

/** The 0x47 INFO: word count, words, byte count, bytes, switch count, switch bytes, device name. */
export function encodeV2Parameters(values: Record<string, number>, switches: Buffer, name: string): Buffer {
  const b = Buffer.alloc(3 + 2 * U16_PARAMS.length + U8_PARAMS.length + 1 + switches.length + 10);
  b[1] = U16_PARAMS.length;
  U16_PARAMS.forEach(([param, unit], i) => b.writeUInt16BE(TO_RAW[unit](values[param] ?? 0), 2 + i * 2));
  let at = 2 + 2 * U16_PARAMS.length;
  b[at++] = U8_PARAMS.length;
  U8_PARAMS.forEach((param) => {
    b[at++] = values[param] ?? 0;
  });
  b[at++] = switches.length;
  switches.copy(b, at);
  b.write(name.padEnd(10).slice(0, 10), at + switches.length, 'latin1');
  return b;
}
