/**
 * Serial ports for the editor's picker. SerialPort.list() needs udev, which containers often
 * lack, so fall back to scanning /dev. Stable /dev/serial/by-id names come first: ttyUSB numbers
 * change across reboots.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const DEV_PATTERNS = [/^ttyUSB\d+$/, /^ttyACM\d+$/, /^ttyAMA\d+$/, /^ttyS\d+$/];

function scanDev(): string[] {
  const found: string[] = [];
  const byId = '/dev/serial/by-id';
  try {
    for (const f of fs.readdirSync(byId)) found.push(path.join(byId, f));
  } catch {
    /* no udev links */
  }
  try {
    for (const f of fs.readdirSync('/dev')) if (DEV_PATTERNS.some((p) => p.test(f))) found.push(path.join('/dev', f));
  } catch {
    /* not Linux */
  }
  return found;
}

export async function listSerialPorts(): Promise<string[]> {
  let listed: string[] = [];
  try {
    // Loaded here, not with the node file (see serial-port.ts).
    const { SerialPort } = await import('serialport');
    listed = (await SerialPort.list()).map((p) => p.path);
  } catch {
    /* udevadm missing: the scan below still finds devices */
  }
  const all = [...scanDev(), ...listed];
  return [...new Set(all)];
}
