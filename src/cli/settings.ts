/**
 * `cellsafe settings --protocol <p> --port <path> [--address N] [--baud B] [--method fc03|trigger]
 * [--write field=value …] [--dry-run]`: reads one pack's BMS settings and prints them as JSON; with
 * --write, writes the named fields the same safe way the BMS nodes do (range and ordering checks,
 * read-back that must match); --dry-run prints the diff only. Without Node-RED.
 */
import { RealClock, type Clock } from '../core/clock';
import { claimDevice, releaseDevice } from '../transport/port-registry';
import { SerialBus } from '../transport/serial-bus';
import { SerialDevicePort } from '../transport/serial-port';
import { jkSettingsProtocol } from '../nodes/jk-bms/settings-io';
import { seplosSettingsProtocol } from '../nodes/seplos/settings-io';
import { PackSettingsService, type SettingsProtocol } from '../nodes/shared/pack-settings-service';
import type { CliCommand, CliIo } from './command';
import { parseArgs } from './command';

/** Protocol → its settings access and default baud rate. */
const PROTOCOLS: Record<
  string,
  { baud: number; make(bus: SerialBus, method: string, clock: Clock): SettingsProtocol }
> = {
  'jk-nw': { baud: 115200, make: (bus, _method, clock) => jkSettingsProtocol(bus, 'nw', 'fc03', clock) },
  'jk-pb': {
    baud: 115200,
    make: (bus, method, clock) => jkSettingsProtocol(bus, 'pb', method === 'trigger' ? 'trigger' : 'fc03', clock),
  },
  'seplos-v2': { baud: 19200, make: (bus) => seplosSettingsProtocol(bus, 'v2') },
  'seplos-v3': { baud: 19200, make: (bus) => seplosSettingsProtocol(bus, 'v3') },
};

/** Connection wait before giving up, ms. */
const CONNECT_MS = 5000;

export interface SettingsPlan {
  protocol: string;
  port: string;
  baudRate: number;
  address: number;
  method: string;
  /** Fields to write (empty: read only). */
  fields: Record<string, number>;
  dryRun: boolean;
}

/** Every `field=value` after a --write (until the next option), as numbers; the reason when one is not. */
function writeFields(args: string[]): Record<string, number> | string {
  const fields: Record<string, number> = {};
  let writing = false;
  for (const arg of args) {
    if (arg.startsWith('--')) {
      writing = arg === '--write';
      continue;
    }
    if (!writing) continue;
    const m = /^(\w+)=(.+)$/.exec(arg);
    if (!m || !Number.isFinite(Number(m[2]))) return `--write takes field=number pairs, not "${arg}"`;
    fields[m[1]] = Number(m[2]);
  }
  return fields;
}

/** A misspelt option must not pass unnoticed: `--dryrun` would otherwise write for real. */
const OPTIONS = ['protocol', 'port', 'address', 'baud', 'method', 'write', 'dry-run'];

export function settingsPlan(args: string[]): SettingsPlan | string {
  const { options } = parseArgs(args);
  const unknown = Object.keys(options).find((name) => !OPTIONS.includes(name));
  if (unknown) return `unknown option --${unknown} (options: ${OPTIONS.map((name) => `--${name}`).join(', ')})`;
  const protocol = PROTOCOLS[options.protocol ?? ''];
  if (!protocol) return `--protocol must be one of: ${Object.keys(PROTOCOLS).join(', ')}`;
  if (!options.port) return '--port <path> is required';
  const addressText = options.address ?? '1';
  const address = Number(addressText);
  if (!/^\d+$/.test(addressText) || address > 247) return '--address must be an integer 0..247';
  const fields = writeFields(args);
  if (typeof fields === 'string') return fields;
  return {
    protocol: options.protocol!,
    port: options.port,
    baudRate: Number(options.baud ?? protocol.baud),
    address,
    method: options.method ?? 'fc03',
    fields,
    dryRun: options['dry-run'] !== undefined && options['dry-run'] !== 'false',
  };
}

/** Resolves once the bus reports connected, rejects with the port's reason after CONNECT_MS. */
function connected(bus: SerialBus, clock: RealClock): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(new Error('the port did not open')), CONNECT_MS);
    const user = {
      id: 'cellsafe-settings',
      busStatus: (status: { state: string; reason?: string }) => {
        if (status.state !== 'connected') return;
        clock.clearTimeout(timer);
        resolve(() => bus.deregister(user));
      },
    };
    bus.register(user);
  });
}

/** Reads (and writes) on the port; prints JSON on stdout, reasons on stderr. */
export async function runSettings(plan: SettingsPlan, io: CliIo): Promise<number> {
  const owner = `cellsafe settings ${process.pid}`;
  const claim = claimDevice(plan.port, owner);
  if (!claim.ok) {
    io.stderr(`${claim.reason}\n`);
    return 1;
  }
  const clock = new RealClock();
  const bus = new SerialBus({
    createPort: () => new SerialDevicePort({ path: plan.port, baudRate: plan.baudRate }),
    clock,
    timeoutMs: 1000,
  });
  const service = new PackSettingsService({
    clock,
    addresses: [plan.address],
    packId: (a) => `${plan.protocol}-${a}`,
    protocol: PROTOCOLS[plan.protocol].make(bus, plan.method, clock),
    // the command line names the fields itself: that is the permission
    allowWrites: true,
    emit: () => undefined,
  });
  try {
    const release = await connected(bus, clock);
    const writing = Object.keys(plan.fields).length > 0;
    const result = writing
      ? await service.write({ address: plan.address, fields: plan.fields, dryRun: plan.dryRun })
      : { kind: 'settings', address: plan.address, settings: await service.readNow(plan.address) };
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    release();
    return 0;
  } catch (e) {
    io.stderr(`${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    service.close();
    await bus.close();
    releaseDevice(claim.key, owner);
  }
}

export const settingsCommand: CliCommand = {
  name: 'settings',
  summary: "read (and safely write) one pack's BMS settings on a serial port",
  usage:
    'cellsafe settings --protocol jk-nw|jk-pb|seplos-v2|seplos-v3 --port <path> [--address 1] [--baud B] [--method fc03|trigger] [--write field=value …] [--dry-run]',
  async run(args, io) {
    const plan = settingsPlan(args);
    if (typeof plan === 'string') {
      io.stderr(`${plan}\n`);
      return 2;
    }
    return runSettings(plan, io);
  },
};
