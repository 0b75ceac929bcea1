/**
 * A number setting as the editor saves it (a string, maybe empty) or as a hand-written flow has it:
 * empty, missing or not a number → `fallback`.
 */
export function numberSetting(value: unknown, fallback: number): number {
  const n = Number(value);
  return value === '' || value === undefined || value === null || !Number.isFinite(n) ? fallback : n;
}
