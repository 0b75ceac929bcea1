/**
 * Finds 58-byte 123\SmartBMS frames in a continuous byte stream. The frame has no start marker,
 * so boundaries come from the checksum plus plausibility (docs/protocols/smartbms.md#finding-frames): an 8-bit sum alone matches a
 * random window 1 time in 256.
 *
 * - Unlocked: slide one byte at a time until a plausible frame is followed, exactly 58 bytes
 *   later, by a second plausible frame with the same cell count and settings; emit both, lock.
 * - Locked: take the next 58 bytes; emit them when plausible and consistent with the previous
 *   frame (cell count and the settings bytes do not change from frame to frame). Anything else
 *   drops the lock and the search starts again at that byte.
 *
 * A cut frame or inserted garbage therefore costs the damaged frame only; the next frame is
 * emitted as soon as the one after it confirms it (sync regained within two frames).
 */
import { FRAME_LENGTH, decodeFrame } from './protocol-smartbms';

/** Cell count (25) and settings (49..56: capacity, V-min, V-max, V-balance) stay put between frames. */
const STABLE_BYTES = [25, 49, 50, 51, 52, 53, 54, 55, 56];

export interface FramerStats {
  frames: number;
  /** Bytes thrown away while searching for a frame boundary. */
  droppedBytes: number;
  /** Times a locked stream lost its frame boundary (garbage, cut or corrupted frame). */
  syncLosses: number;
}

/** A frame and when its last byte arrived (a frame held for confirmation keeps its own time). */
export interface TimedFrame {
  frame: Buffer;
  time: number;
}

export class SmartBmsStreamFramer {
  private buf: Buffer = Buffer.alloc(0);
  /** Stream position of buf[0], and the stream position each received chunk ended at, with its time. */
  private base = 0;
  private arrivals: Array<{ end: number; time: number }> = [];
  private locked = false;
  private last?: Buffer;
  readonly stats: FramerStats = { frames: 0, droppedBytes: 0, syncLosses: 0 };

  get isLocked(): boolean {
    return this.locked;
  }

  /** Adds bytes received at `time`; returns the frames they completed, in stream order. */
  push(data: Uint8Array, time = 0): TimedFrame[] {
    this.buf = this.buf.length === 0 ? Buffer.from(data) : Buffer.concat([this.buf, data]);
    this.arrivals.push({ end: this.base + this.buf.length, time });
    const out: TimedFrame[] = [];
    let p = 0;
    for (;;) {
      if (this.locked) {
        if (this.buf.length - p < FRAME_LENGTH) break;
        const frame = this.buf.subarray(p, p + FRAME_LENGTH);
        if (plausible(frame) && this.last && sameStable(frame, this.last)) {
          out.push(this.accept(frame, p));
          p += FRAME_LENGTH;
          continue;
        }
        this.locked = false;
        this.stats.syncLosses++;
        continue; // the search below looks at the same position first
      }
      if (this.buf.length - p < FRAME_LENGTH) break;
      const first = this.buf.subarray(p, p + FRAME_LENGTH);
      if (!plausible(first)) {
        p++;
        this.stats.droppedBytes++;
        continue;
      }
      if (this.buf.length - p < 2 * FRAME_LENGTH) break; // wait for the confirming frame
      const second = this.buf.subarray(p + FRAME_LENGTH, p + 2 * FRAME_LENGTH);
      if (!plausible(second) || !sameStable(first, second)) {
        p++;
        this.stats.droppedBytes++;
        continue;
      }
      out.push(this.accept(first, p), this.accept(second, p + FRAME_LENGTH));
      p += 2 * FRAME_LENGTH;
      this.locked = true;
    }
    // Bytes before p are consumed or ruled out for good; keep only the undecided tail.
    this.buf = Buffer.from(this.buf.subarray(p));
    this.base += p;
    while (this.arrivals.length > 1 && this.arrivals[0].end <= this.base) this.arrivals.shift();
    return out;
  }

  /** Forgets the stream (e.g. after the port reconnects): the next frame must be found anew. */
  reset(): void {
    this.buf = Buffer.alloc(0);
    this.arrivals = [];
    this.locked = false;
    this.last = undefined;
  }

  private accept(frame: Buffer, at: number): TimedFrame {
    const copy = Buffer.from(frame);
    this.last = copy;
    this.stats.frames++;
    const lastByte = this.base + at + FRAME_LENGTH - 1;
    const arrival = this.arrivals.find((a) => a.end > lastByte)!;
    return { frame: copy, time: arrival.time };
  }
}

/**
 * The decoder's checks, plus one only for finding boundaries: the pack voltage must be near the
 * cell count times the min/max cell voltage (±20 %, so a pack voltage measured apart from the cells
 * still passes). That catches a window whose high voltage bytes are garbage with a matching sum.
 */
function plausible(frame: Buffer): boolean {
  const r = decodeFrame(frame);
  if (!r.ok) return false;
  const f = r.value;
  return (
    f.packVoltage >= 0.8 * f.cellCount * f.lowestCellVoltage &&
    f.packVoltage <= 1.2 * f.cellCount * f.highestCellVoltage
  );
}

function sameStable(a: Buffer, b: Buffer): boolean {
  return STABLE_BYTES.every((i) => a[i] === b[i]);
}
