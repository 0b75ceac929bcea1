/**
 * Hex text → bytes, for frames typed on a command line or passed as text to the library: pairs of
 * hex digits, whitespace between them ignored. Anything else is no frame at all (undefined), never
 * a partial buffer as `Buffer.from(text, 'hex')` would give.
 */
export function parseHex(text: string): Buffer | undefined {
  const digits = text.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})+$/.test(digits)) return undefined;
  return Buffer.from(digits, 'hex');
}
