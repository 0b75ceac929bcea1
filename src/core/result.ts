/**
 * The outcome of anything that may refuse its input (a frame decoder, a validator, a parser):
 * the value, or the reason it was refused. Refusals are values, not exceptions, so a decoder
 * never throws and every caller has to look at the reason.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(reason: string): Result<T> {
  return { ok: false, reason };
}
