/** Process resources for leak checks: heap after a forced GC, RSS, open file descriptors. */
import { readdirSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

export interface Resources {
  heapMB: number;
  rssMB: number;
  fds: number;
}

export function openFds(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return NaN;
  } // not Linux
}

export function resources(): Resources {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heapMB: m.heapUsed / 2 ** 20, rssMB: m.rss / 2 ** 20, fds: openFds() };
}
