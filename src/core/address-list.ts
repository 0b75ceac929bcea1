/**
 * Parses the address field of a BMS node: "1", "1,3,5", "1-5", "0-3, 8". Returns the sorted
 * unique list or a reason.
 */
import { type Result, fail, ok } from './result';

export function parseAddressList(text: string, min = 0, max = 255): Result<number[]> {
  const out = new Set<number>();
  const parts = String(text)
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return fail('no address given');
  for (const part of parts) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) return fail(`"${part}" is not an address or range`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from > to) return fail(`range "${part}" runs backwards`);
    if (from < min || to > max) return fail(`address ${from < min ? from : to} is outside ${min}..${max}`);
    for (let a = from; a <= to; a++) out.add(a);
  }
  return ok([...out].sort((a, b) => a - b));
}
