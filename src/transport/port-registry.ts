/**
 * Process-wide ownership of serial devices. Keyed by the real device path, so
 * /dev/serial/by-id/... and /dev/ttyUSB0 are the same device: a second config node pointing at an
 * owned device gets a clear reason instead of "Cannot lock port". Opens and closes of one device
 * are serialised, so a redeploy never opens before the previous close has finished.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const owners = new Map<string, string>();
const chains = new Map<string, Promise<unknown>>();

/** The key of a device path: symlinks resolved when the device exists. */
export function deviceKey(devicePath: string): string {
  try {
    return fs.realpathSync(devicePath);
  } catch {
    return path.resolve(devicePath);
  }
}

export function claimDevice(
  devicePath: string,
  owner: string,
): { ok: true; key: string } | { ok: false; reason: string } {
  const key = deviceKey(devicePath);
  const current = owners.get(key);
  if (current !== undefined && current !== owner) {
    return {
      ok: false,
      reason: `${devicePath} is already used by another bus config node (${current}); use one bus per port`,
    };
  }
  owners.set(key, owner);
  return { ok: true, key };
}

export function releaseDevice(key: string, owner: string): void {
  if (owners.get(key) === owner) owners.delete(key);
}

/** Runs fn after every earlier open/close of the same device has finished. */
export function serialised<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = chains.get(key) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  const tail = next.catch(() => undefined);
  chains.set(key, tail);
  void tail.then(() => {
    if (chains.get(key) === tail) chains.delete(key);
  });
  return next;
}
