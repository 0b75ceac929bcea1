/**
 * `jk-bms` node: JK-B (NW frames) or JK PB packs (Modbus, or listening to a bank master) on one
 * `bms-serial-bus`. Output 1: one fresh PackState per pack per cycle (`msg.topic` = pack id), never
 * a repeat of old values. Output 2: events — communication lost/restored per pack, write results,
 * one `settings` message per pack (at start and on `readSettings`) and `settingsWrite` results.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { parseAddressList } from '../../core/address-list';
import { RealClock, type Clock } from '../../core/clock';
import { RejectedFrame } from '../../core/rejected-frame';
import type { SerialBusApi } from '../../transport/bus-api';
import { registerSimulators } from '../../transport/simulators';
import { type BmsNodeParts, type Send, failStatus, findBus, packIds, registerBmsNode } from '../shared/bms-node-shell';
import { BMS_DEFAULTS, BMS_MIGRATIONS, modeSetting, nearLimitSettings, secondsSetting } from '../shared/bms-settings';
import { PackNodeReporter } from '../shared/pack-node-reporter';
import { BROADCAST_REFUSED, WRITE_SPACING_MS } from '../shared/pack-settings-service';
import { isSettingsCommand, nodeSettingsService, settingsCommand } from '../shared/settings-commands';
import type { PollerStats } from '../../transport/pack-poller';
import { jkSettingsProtocol } from './settings-io';
import { liveToPackState } from './jk-pack-state';
import { JK_COMMANDS, readPack, writeSwitch, type JkCommand, type PbMethod } from './reader';
import { PbSniffer } from './protocol-jk-pb';
import { JK_SIMULATORS } from './simulator';

interface JkConfig extends NodeDef {
  bus: string;
  protocol: 'nw' | 'pb';
  /** `listen` (PB only): decode what a bank master puts on the bus, never transmit. */
  mode: string;
  method: PbMethod;
  addresses: string;
  /** Poll interval, s. */
  interval: string | number;
  idPrefix: string;
  allowWrites: boolean;
  invertCurrent: boolean;
  /** Listen mode: a pack not heard for this many seconds has lost communication. */
  staleAfter: string | number;
}

export = function (RED: NodeAPI) {
  // the bus's simulator option finds this protocol's simulators once Node-RED has loaded this module
  registerSimulators(JK_SIMULATORS);
  registerBmsNode<JkConfig>(RED, 'jk-bms', BMS_MIGRATIONS['jk-bms'], (node, config) => setupJkBms(RED, node, config));
};

function setupJkBms(RED: NodeAPI, node: Node, config: JkConfig): BmsNodeParts | undefined {
  const clock = new RealClock();
  const protocol: 'nw' | 'pb' = config.protocol === 'pb' ? 'pb' : 'nw';
  const listen = modeSetting(config.mode) === 'listen';
  const bus = findBus(RED, node, config.bus, 'jkBms');
  if (!bus) return undefined;
  if (listen && protocol === 'nw') {
    failStatus(node, 'jkBms.status.badMode', RED._('jkBms.errors.nwListen'));
    return undefined;
  }
  const addresses = jkAddresses(RED, node, config.addresses, protocol, listen);
  if (!addresses) return undefined;
  const packId = packIds(config.idPrefix, config.name, 'jk');
  const method: PbMethod = config.method === 'trigger' ? 'trigger' : 'fc03';
  const settings = nodeSettingsService(node, {
    clock,
    addresses,
    packId,
    protocol: jkSettingsProtocol(bus, protocol, method, clock),
    allowWrites: Boolean(config.allowWrites),
  });
  const afterCycle = (stats: PollerStats): void => settings.afterCycle(stats);
  const reporter = new PackNodeReporter(node, clock, bus, { addresses, packId, afterCycle });
  if (listen) {
    const staleMs = secondsSetting(config.staleAfter, BMS_DEFAULTS.staleAfter, 1);
    reporter.listen(staleMs, bankListener(reporter, clock, addresses, packId));
  } else {
    const read = { protocol, method, invertCurrent: config.invertCurrent === true } as const;
    reporter.poll(
      secondsSetting(config.interval, BMS_DEFAULTS.interval, 0.5),
      (address) => readPack(bus, read, address, packId(address), () => clock.now()).then((p) => settings.attach(p)),
      (e) => e instanceof RejectedFrame,
      nearLimitSettings(config),
    );
    settings.request();
  }
  reporter.connect();
  const allowed = Boolean(config.allowWrites);
  const writes = { bus, protocol, clock, addresses, packId, allowed, listen, lastWrite: new Map<number, number>() };
  return {
    input: (msg, send) =>
      isSettingsCommand(msg)
        ? settingsCommand(settings, addresses, listen, msg, send)
        : writeCommand(writes, msg, send),
    close: () => {
      settings.close();
      reporter.close();
    },
  };
}

/** The configured addresses, or undefined after a red status saying why they are not usable. */
function jkAddresses(
  RED: NodeAPI,
  node: Node,
  text: string,
  protocol: 'nw' | 'pb',
  listen: boolean,
): number[] | undefined {
  const parsed = parseAddressList(text || (listen ? '0-15' : '1'), 0, protocol === 'nw' ? 255 : 247);
  if (!parsed.ok) {
    failStatus(node, 'jkBms.status.badAddress', `addresses: ${parsed.reason}`);
    return undefined;
  }
  if (protocol === 'nw' && parsed.value.length !== 1) {
    failStatus(node, 'jkBms.status.badAddress', RED._('jkBms.errors.nwOneAddress'));
    return undefined;
  }
  if (protocol === 'pb' && !listen && parsed.value.includes(0)) node.warn(RED._('jkBms.errors.addressZero'));
  return parsed.value;
}

/** Listen mode: every JK02 cell-info frame of a selected pack, named by its acknowledgement, is a PackState. */
function bankListener(
  reporter: PackNodeReporter,
  clock: Clock,
  addresses: number[],
  packId: (address: number) => string,
): (data: Buffer) => void {
  const sniffer = new PbSniffer();
  return (data) => {
    for (const heard of sniffer.push(data)) {
      if (!heard.ok) {
        reporter.reject(heard.reason);
        continue;
      }
      const { frame, ackAddress } = heard.value;
      if (frame.type !== 'cellInfo' || !addresses.includes(ackAddress)) continue;
      const meta = { id: packId(ackAddress), address: ackAddress, time: clock.now(), protocol: 'jk-pb' } as const;
      const pack = liveToPackState(frame.live, meta);
      if (pack.ok) reporter.emit(pack.value);
      else reporter.reject(pack.reason, ackAddress);
    }
  };
}

interface WriteTarget {
  bus: SerialBusApi;
  protocol: 'nw' | 'pb';
  clock: Clock;
  addresses: number[];
  packId(address: number): string;
  allowed: boolean;
  listen: boolean;
  /** when each pack's switches were last written: one switch write per pack per WRITE_SPACING_MS */
  lastWrite: Map<number, number>;
}

/** msg.payload `{command, value, address}` switches one pack; anything not allowed is refused (thrown). */
async function writeCommand(target: WriteTarget, msg: NodeMessage & { payload?: unknown }, send: Send): Promise<void> {
  const p = msg.payload as { command?: unknown; value?: unknown; address?: unknown } | undefined;
  const { addresses } = target;
  if (!p || typeof p !== 'object') throw new Error('msg.payload must be { command, value, address }');
  if (!target.allowed) throw new Error('writes are disabled on this node (enable "Allow writes" in its settings)');
  if (target.listen) throw new Error('listen-only mode never transmits: no writes');
  if (!JK_COMMANDS.includes(p.command as JkCommand)) {
    throw new Error(`msg.payload.command must be one of ${JK_COMMANDS.join(', ')}`);
  }
  if (typeof p.value !== 'boolean') throw new Error('msg.payload.value must be true (on) or false (off)');
  const address = p.address === undefined && addresses.length === 1 ? addresses[0] : p.address;
  if (typeof address !== 'number' || !addresses.includes(address)) {
    throw new Error(`msg.payload.address must be one of this node's addresses (${addresses.join(', ')})`);
  }
  if (target.protocol === 'pb' && address === 0) throw new Error(BROADCAST_REFUSED);
  const since = target.clock.now() - (target.lastWrite.get(address) ?? -Infinity);
  if (since < WRITE_SPACING_MS) {
    throw new Error(
      `refused: pack ${address} was switched ${Math.round(since)} ms ago (at most one write per ${WRITE_SPACING_MS / 1000} s)`,
    );
  }
  target.lastWrite.set(address, target.clock.now());
  const command = p.command as JkCommand;
  const on = p.value;
  try {
    await writeSwitch(target.bus, target.protocol, address, command, on, target.clock);
  } catch (e) {
    throw new Error(
      `write ${command}=${String(on)} to pack ${address} failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const id = target.packId(address);
  msg.topic = id;
  msg.payload = { kind: 'write', id, address, command, value: on, ok: true };
  send([null, msg]);
}
