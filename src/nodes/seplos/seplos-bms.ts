/**
 * `seplos-bms` node: Seplos V2 (ASCII) or V3 (Modbus) packs on one `bms-serial-bus`.
 * Poll mode asks every configured address each cycle; listen mode decodes what a bank master puts
 * on the bus and never transmits. Output 1: one PackState per pack just received (`msg.topic` = pack
 * id). Output 2: communication lost/restored per pack.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { parseAddressList } from '../../core/address-list';
import { RealClock } from '../../core/clock';
import type { PackState } from '../../core/pack-state';
import { BusError } from '../../transport/bus-api';
import { PackNodeReporter, failStatus, findBus, numberSetting, packIds } from '../shared/pack-node-reporter';
import { V2BankListener, V3BankListener } from './bank-listener';
import { type Generation, RejectedFrame, identitySummary, readIdentity, readPack } from './seplos-reader';

interface SeplosConfig extends NodeDef {
  bus: string;
  generation: Generation;
  mode: 'poll' | 'listen';
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
  function SeplosBms(this: Node, config: SeplosConfig) {
    RED.nodes.createNode(this, config);
    const clock = new RealClock();
    const generation: Generation = config.generation === 'v3' ? 'v3' : 'v2';
    const listen = config.mode === 'listen';
    const bus = findBus(RED, this, config.bus, 'seplosBms');
    if (!bus) return;
    const parsed = parseAddressList(config.addresses ?? '', 0, generation === 'v2' ? 15 : 127);
    if (!parsed.ok) {
      failStatus(this, 'seplosBms.status.badAddress', `addresses: ${parsed.reason}`);
      return;
    }
    const addresses = parsed.value;
    const packId = packIds(config.idPrefix, config.name, 'seplos');
    const identity = new Map<number, Record<string, unknown>>();
    const reporter = new PackNodeReporter(this, clock, bus, {
      addresses,
      packId,
      // A getter: the reporter reads it at every status write, so the model shows once identified.
      get statusSuffix() {
        const model = identitySummary(identity.values());
        return (model ? ` · ${model}` : '') + (listen ? ' · listen' : '');
      },
    });

    const refreshIdentity = async (targets: number[]): Promise<void> => {
      for (const address of targets) {
        try {
          identity.set(address, await readIdentity(bus, generation, address));
        } catch (e) {
          if (!(e instanceof BusError)) identity.set(address, { identityError: (e as Error).message });
        }
      }
    };

    if (listen) {
      const staleMs = Math.max(1000, numberSetting(config.staleAfter, 10) * 1000);
      const cb = {
        onPack: (address: number, build: (id: string) => PackState) => {
          if (addresses.includes(address)) reporter.emit(build(packId(address)));
        },
        onReject: (reason: string) => reporter.reject(reason),
      };
      const listener = generation === 'v2' ? new V2BankListener(cb, staleMs) : new V3BankListener(cb, staleMs);
      reporter.listen(staleMs, (data) => listener.push(data, clock.now()));
    } else {
      reporter.poll(
        Math.max(500, numberSetting(config.interval, 5) * 1000),
        async (address) => {
          if (config.readInfo !== false && !identity.has(address)) await refreshIdentity([address]);
          return readPack(bus, generation, address, packId(address), () => clock.now(), identity.get(address) ?? {});
        },
        (e) => e instanceof RejectedFrame,
      );
    }
    reporter.connect();

    this.on('input', (msg, _send, done) => {
      const command = (msg as NodeMessage & { payload?: unknown }).payload;
      if (command !== 'info') {
        done(new Error('seplos-bms accepts msg.payload "info" (re-read device info) only'));
        return;
      }
      if (listen) {
        done(new Error('listen mode never transmits: device info cannot be requested'));
        return;
      }
      const target = (msg as { address?: unknown }).address;
      const targets = target === undefined ? addresses : addresses.filter((a) => a === Number(target));
      if (targets.length === 0) {
        done(new Error(`msg.address ${String(target)} is not one of this node's addresses`));
        return;
      }
      refreshIdentity(targets).then(
        () => done(),
        (e: unknown) => done(e instanceof Error ? e : new Error(String(e))),
      );
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      try {
        reporter.close();
      } finally {
        done();
      }
    });
  }
  RED.nodes.registerType('seplos-bms', SeplosBms as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
