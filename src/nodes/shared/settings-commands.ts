/**
 * The two settings commands a polling BMS node takes on its input, validated:
 * `topic: "readSettings"` (payload `{address}` or none = every pack) and `topic: "writeSettings"`
 * (payload `{address, fields: {cellOvpV: 3.6}, dryRun?}`). Invalid input is refused (thrown).
 */
import type { Node, NodeMessage } from 'node-red';
import { PackSettingsService, type SettingsServiceOptions } from './pack-settings-service';
import type { Send } from './bms-node-shell';

/** The node's settings service: `settings` messages go out on output 2, failed reads to the debug log. */
export function nodeSettingsService(
  node: Node,
  options: Omit<SettingsServiceOptions, 'emit' | 'onReadError'>,
): PackSettingsService {
  return new PackSettingsService({
    ...options,
    emit: (id, payload) => node.send([null, { topic: id, payload } as NodeMessage]),
    onReadError: (address, e) => node.debug(`settings of pack ${address} not read: ${e.message}`),
  });
}

export const SETTINGS_TOPICS = ['readSettings', 'writeSettings'] as const;

export function isSettingsCommand(msg: { topic?: unknown }): boolean {
  return SETTINGS_TOPICS.includes(msg.topic as (typeof SETTINGS_TOPICS)[number]);
}

function payloadObject(topic: unknown, payload: unknown): Record<string, unknown> {
  if (payload === undefined || payload === null || payload === '') return {};
  if (typeof payload !== 'object' || Array.isArray(payload)) {
    const shape = topic === 'readSettings' ? '{ address } or nothing' : '{ address, fields, dryRun }';
    throw new Error(`msg.payload of ${String(topic)} must be ${shape}`);
  }
  return payload as Record<string, unknown>;
}

/** The payload's address, or the only address; refused unless it is one of the node's. */
function targetAddress(value: unknown, addresses: number[]): number {
  const address = value === undefined && addresses.length === 1 ? addresses[0] : value;
  if (typeof address !== 'number' || !addresses.includes(address))
    throw new Error(`msg.payload.address must be one of this node's addresses (${addresses.join(', ')})`);
  return address;
}

/**
 * Runs a settings command. readSettings queues reads (answers come on output 2 between poll
 * cycles); writeSettings resolves once written and read back, sending its result on output 2.
 */
export async function settingsCommand(
  service: PackSettingsService,
  addresses: number[],
  listen: boolean,
  msg: NodeMessage & { payload?: unknown },
  send: Send,
): Promise<void> {
  if (listen) throw new Error('listen-only mode never transmits: settings cannot be read or written');
  const p = payloadObject(msg.topic, msg.payload);
  if (msg.topic === 'readSettings') {
    service.request(p.address === undefined ? addresses : [targetAddress(p.address, addresses)]);
    return;
  }
  if (p.dryRun !== undefined && typeof p.dryRun !== 'boolean') throw new Error('msg.payload.dryRun must be a boolean');
  const address = targetAddress(p.address, addresses);
  const result = await service.write({ address, fields: p.fields, dryRun: p.dryRun === true });
  send([null, { ...msg, topic: String(result.id), payload: result }]);
}
