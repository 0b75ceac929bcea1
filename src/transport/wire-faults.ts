import type { WireFaults } from './simulator-api';

/**
 * Applies a simulated device's wire faults to an answer it is about to send. Returns undefined
 * when the device stays silent. `corruptChecksum` is protocol-specific (where the checksum sits);
 * the default flips the last byte.
 */
export function applyWireFaults(
  answer: Buffer,
  faults: WireFaults,
  corruptChecksum: (frame: Buffer) => Buffer = flipLastByte,
): Buffer | undefined {
  if (faults.silent) return undefined;
  let out = answer;
  if (faults.badChecksum) out = corruptChecksum(Buffer.from(out));
  if (faults.truncated) out = out.subarray(0, Math.max(1, Math.floor(out.length / 2)));
  if (faults.garbage) out = Buffer.concat([Buffer.from([0x00, 0xff, 0x13, 0x37, 0xa5]), out]);
  return out;
}

function flipLastByte(frame: Buffer): Buffer {
  frame[frame.length - 1] ^= 0xff;
  return frame;
}
