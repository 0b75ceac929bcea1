/**
 * Golden frames written out field by field: each row is the field's bytes (hex, spaces allowed) and
 * what they mean, so a test reads like the protocol document. The rows joined give the whole frame,
 * which the tests compare with the captured vector it came from.
 */
export type AnnotatedFrame = ReadonlyArray<readonly [hex: string, meaning: string]>;

export function frameHex(rows: AnnotatedFrame): string {
  return rows
    .map(([hex]) => hex.replace(/\s+/g, ''))
    .join('')
    .toUpperCase();
}

export function frameBytes(rows: AnnotatedFrame): Buffer {
  return Buffer.from(frameHex(rows), 'hex');
}
