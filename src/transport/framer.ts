/**
 * A protocol framer tells the serial bus whether the bytes received so far hold a whole answer.
 * Completion is decided by the protocol (length field, terminator), never by a timer.
 */
export type FrameCheck =
  /** Not enough bytes yet; `need` is how many more are expected at least, when known. */
  | { kind: 'incomplete'; need?: number }
  /** The first `length` bytes are one frame (checksum is the decoder's business). */
  | { kind: 'complete'; length: number }
  /** The first `skip` bytes cannot start a frame: drop them and look again. */
  | { kind: 'garbage'; skip: number };

export type Framer = (buf: Buffer) => FrameCheck;

/**
 * Applies a framer to a buffer: drops leading garbage, returns the first complete frame and the
 * rest. Shared by the bus (answers) and listen-only decoders (continuous streams).
 */
export function takeFrame(buf: Buffer, framer: Framer): { frame?: Buffer; rest: Buffer; dropped: number } {
  let dropped = 0;
  let rest = buf;
  while (rest.length > 0) {
    const r = framer(rest);
    if (r.kind === 'garbage') {
      const skip = Math.max(1, Math.min(r.skip, rest.length));
      dropped += skip;
      rest = rest.subarray(skip);
      continue;
    }
    if (r.kind === 'complete' && r.length > 0 && r.length <= rest.length) {
      return { frame: rest.subarray(0, r.length), rest: rest.subarray(r.length), dropped };
    }
    break;
  }
  return { rest, dropped };
}
