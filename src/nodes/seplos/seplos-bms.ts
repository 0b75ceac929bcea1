/**
 * `seplos-bms` node: Seplos V2 (ASCII) or V3 (Modbus) packs on one `bms-serial-bus`.
 * Poll mode asks every configured address each cycle; listen mode decodes what a bank master puts
 * on the bus and never transmits. Output 1: one PackState per pack just received (`msg.topic` = pack
 * id). Output 2: communication lost/restored per pack, and one `settings` message per pack (read
 * at start and on `topic: "readSettings"`, between poll cycles).
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { parseAddressList } from '../../core/address-list';
import { RealClock } from '../../core/clock';
import type { PackState } from '../../core/pack-state';
import { RejectedFrame } from '../../core/rejected-frame';
import { BusError, type SerialBusApi } from '../../transport/bus-api';
import { registerSimulators } from '../../transport/simulators';
import { type BmsNodeParts, failStatus, findBus, packIds, registerBmsNode } from '../shared/bms-node-shell';
import { BMS_DEFAULTS, BMS_MIGRATIONS, modeSetting, nearLimitSettings, secondsSetting } from '../shared/bms-settings';
import { PackNodeReporter } from '../shared/pack-node-reporter';
import { isSettingsCommand, nodeSettingsService, settingsCommand } from '../shared/settings-commands';
import { V2BankListener, V3BankListener } from './listener';
import { type Generation, identitySummary, readIdentity, readPack } from './reader';
import { seplosSettingsProtocol } from './settings-io';
import { SEPLOS_SIMULATORS } from './simulator';

interface SeplosConfig extends NodeDef {
  bus: string;
  generation: Generation;
  mode: string;
  addresses: string;
  /** Poll interval in seconds. */
  interval: string | number;
  /** Read device info (and V2 parameters) once per pack. */
  readInfo: boolean;
  /** Pack id prefix; default the node name, else "seplos". */
  idPrefix: string;
  /** Listen mode: a pack not heard for this many seconds has lost communication. */
  staleAfter: string | number;
}

export = function (RED: NodeAPI) {
  // the bus's simulator option finds this protocol's simulators once Node-RED has loaded this module
  registerSimulators(SEPLOS_SIMULATORS);
  registerBmsNode<SeplosConfig>(RED, 'seplos-bms', BMS_MIGRATIONS['seplos-bms'], (node, config) =>
    setupSeplosBms(RED, node, config),
  );
};

function setupSeplosBms(RED: NodeAPI, node: Node, config: SeplosConfig): BmsNodeParts | undefined {
  const clock = new RealClock();
  const generation: Generation = config.generation === 'v3' ? 'v3' : 'v2';
  const listen = modeSetting(config.mode) === 'listen';
  const bus = findBus(RED, node, config.bus, 'seplosBms');
  if (!bus) return undefined;
  const parsed = parseAddressList(config.addresses ?? '', 0, generation === 'v2' ? 15 : 127);
  if (!parsed.ok) {
    failStatus(node, 'seplosBms.status.badAddress', `addresses: ${parsed.reason}`);
    return undefined;
  }
  const addresses = parsed.value;
  const packId = packIds(config.idPrefix, config.name, 'seplos');
  const identity = new IdentityCache(bus, generation);
  const protocol = seplosSettingsProtocol(bus, generation);
  const settings = nodeSettingsService(node, { clock, addresses, packId, protocol, allowWrites: false });
  const reporter = new PackNodeReporter(node, clock, bus, {
    addresses,
    packId,
    afterCycle: (stats) => settings.afterCycle(stats),
    // A getter: the reporter reads it at every status write, so the model shows once identified.
    get statusSuffix() {
      const model = identitySummary(identity.all());
      return (model ? ` · ${model}` : '') + (listen ? ' · listen' : '');
    },
  });

  if (listen) {
    const staleMs = secondsSetting(config.staleAfter, BMS_DEFAULTS.staleAfter, 1);
    const heard = {
      onPack: (address: number, build: (id: string) => PackState) => {
        if (addresses.includes(address)) reporter.emit(build(packId(address)));
      },
      onReject: (reason: string) => reporter.reject(reason),
    };
    const listener = generation === 'v2' ? new V2BankListener(heard, staleMs) : new V3BankListener(heard, staleMs);
    reporter.listen(staleMs, (data) => listener.push(data, clock.now()));
  } else {
    reporter.poll(
      secondsSetting(config.interval, BMS_DEFAULTS.interval, 0.5),
      async (address) => {
        if (config.readInfo !== false && !identity.has(address)) await identity.refresh([address]);
        const pack = await readPack(
          bus,
          generation,
          address,
          packId(address),
          () => clock.now(),
          identity.get(address),
        );
        return settings.attach(pack);
      },
      (e) => e instanceof RejectedFrame,
      nearLimitSettings(config),
    );
    settings.request();
  }
  reporter.connect();
  return {
    input: (msg, send) =>
      isSettingsCommand(msg)
        ? settingsCommand(settings, addresses, listen, msg, send)
        : infoRequest(identity, addresses, listen, msg),
    close: () => {
      settings.close();
      reporter.close();
    },
  };
}

/** Device info (and V2 parameters) per pack address, read once and on an "info" request. */
class IdentityCache {
  private readonly byAddress = new Map<number, Record<string, unknown>>();

  constructor(
    private readonly bus: SerialBusApi,
    private readonly generation: Generation,
  ) {}

  has(address: number): boolean {
    return this.byAddress.has(address);
  }

  get(address: number): Record<string, unknown> {
    return this.byAddress.get(address) ?? {};
  }

  all(): IterableIterator<Record<string, unknown>> {
    return this.byAddress.values();
  }

  /** A pack that does not answer keeps what it had; an answer that cannot be read is noted. */
  async refresh(targets: number[]): Promise<void> {
    for (const address of targets) {
      try {
        this.byAddress.set(address, await readIdentity(this.bus, this.generation, address));
      } catch (e) {
        if (!(e instanceof BusError)) this.byAddress.set(address, { identityError: (e as Error).message });
      }
    }
  }
}

/** msg.payload "info" re-reads device info, of msg.address or of every pack. */
function infoRequest(
  identity: IdentityCache,
  addresses: number[],
  listen: boolean,
  msg: { payload?: unknown; address?: unknown },
): Promise<void> {
  if (msg.payload !== 'info')
    throw new Error('seplos-bms accepts msg.payload "info" (re-read device info) or msg.topic "readSettings"');
  if (listen) throw new Error('listen mode never transmits: device info cannot be requested');
  const target = msg.address;
  const targets = target === undefined ? addresses : addresses.filter((a) => a === Number(target));
  if (targets.length === 0) throw new Error(`msg.address ${String(target)} is not one of this node's addresses`);
  return identity.refresh(targets);
}
