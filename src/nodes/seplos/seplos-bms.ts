/**
 * `seplos-bms` node: Seplos V2 (ASCII) or V3 (Modbus) packs on one `bms-serial-bus`.
 * Poll mode asks every configured address each cycle; listen mode decodes what a bank master puts
 * on the bus and never transmits. Emits one PackState per pack (`msg.topic` = pack id).
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from 'node-red';
import { parseAddressList } from '../../core/address-list';
import { RealClock } from '../../core/clock';
import type { PackState } from '../../core/pack-state';
import { BusError, type BusStatus, type BusUser, type SerialBusApi } from '../../transport/bus-api';
import { PackPoller, packSummary } from '../../transport/pack-poller';
import { busNodeStatus } from '../bus/bus-status';
import { V2BankListener, V3BankListener } from './bank-listener';
import { type Generation, RejectedFrame, readIdentity, readPack } from './seplos-reader';

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
  /** Listen mode: a pack not heard for this many seconds counts as offline. */
  staleAfter: string | number;
}

const num = (v: unknown, fallback: number): number => {
  const n = Number(v);
  return v === '' || v === undefined || v === null || !Number.isFinite(n) ? fallback : n;
};

/** Status writes at most this often (every write goes to every open editor). */
const STATUS_MS = 1000;

export = function (RED: NodeAPI) {
  function SeplosBms(this: Node, config: SeplosConfig) {
    RED.nodes.createNode(this, config);
    const clock = new RealClock();
    const generation: Generation = config.generation === 'v3' ? 'v3' : 'v2';
    const listen = config.mode === 'listen';
    const bus = RED.nodes.getNode(config.bus) as unknown as SerialBusApi | null;
    const fail = (text: string): void => { this.status({ fill: 'red', shape: 'ring', text }); };
    if (!bus) { fail('seplosBms.status.noBus'); this.error(RED._('seplosBms.errors.noBus')); return; }
    const parsed = parseAddressList(config.addresses ?? '', 0, generation === 'v2' ? 15 : 127);
    if (!parsed.ok) { fail('seplosBms.status.badAddress'); this.error(`addresses: ${parsed.reason}`); return; }
    const addresses = parsed.value;
    const prefix = (config.idPrefix || config.name || 'seplos').trim();
    const packId = (address: number): string => `${prefix}-${address}`;
    const intervalMs = Math.max(500, num(config.interval, 5) * 1000);
    const staleMs = Math.max(1000, num(config.staleAfter, 10) * 1000);

    let rejected = 0;
    let last: PackState | undefined;
    let busState: BusStatus = { state: 'connecting' };
    let statusTimer: number | undefined;
    let onlineCount = (): number => 0;
    const lastSeen = new Map<number, number>();

    const showStatus = (): void => {
      statusTimer = undefined;
      if (busState.state !== 'connected') { this.status(busNodeStatus(busState)); return; }
      const online = onlineCount();
      let text = packSummary(online, addresses.length, last);
      if (listen) text += ' · listen';
      if (rejected > 0) text += ` · ${rejected} bad`;
      const fill: NodeStatus['fill'] = online === addresses.length ? 'green' : online > 0 ? 'yellow' : 'red';
      this.status({ fill, shape: 'dot', text });
    };
    const scheduleStatus = (): void => {
      if (statusTimer === undefined) statusTimer = clock.setTimeout(showStatus, STATUS_MS);
    };
    const emit = (pack: PackState): void => {
      last = pack;
      lastSeen.set(pack.address ?? -1, pack.time);
      this.send({ topic: pack.id, payload: pack } as NodeMessage);
      scheduleStatus();
    };
    const reject = (reason: string, address?: number): void => {
      rejected++;
      this.debug(`rejected frame${address === undefined ? '' : ` from ${address}`}: ${reason}`);
      scheduleStatus();
    };

    const user: BusUser = {
      id: this.id,
      busStatus: (s) => {
        busState = s;
        if (s.state === 'connected') showStatus();
        else this.status(busNodeStatus(s));
      },
    };
    bus.register(user);

    let stop: () => void;
    const identity = new Map<number, Record<string, unknown>>();
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
      // Listen only: bytes in, never a transaction (a second master on a bank bus collides).
      const cb = {
        onPack: (address: number, build: (id: string) => PackState) => { if (addresses.includes(address)) emit(build(packId(address))); },
        onReject: (reason: string) => reject(reason),
      };
      const listener = generation === 'v2' ? new V2BankListener(cb, staleMs) : new V3BankListener(cb, staleMs);
      onlineCount = () => addresses.filter((a) => clock.now() - (lastSeen.get(a) ?? -Infinity) <= staleMs).length;
      const unsubscribe = bus.onData((data) => {
        try { listener.push(data, clock.now()); } catch (e) { reject(`listener: ${String(e)}`); }
      });
      const tick = clock.setInterval(scheduleStatus, staleMs);
      stop = () => { unsubscribe(); clock.clearInterval(tick); };
    } else {
      const poller = new PackPoller(clock, addresses, intervalMs, {
        pollPack: async (address) => {
          if (config.readInfo !== false && !identity.has(address)) await refreshIdentity([address]);
          return readPack(bus, generation, address, packId(address), () => clock.now(), identity.get(address) ?? {});
        },
        onPack: emit,
        onFailure: (address, err) => {
          if (err instanceof RejectedFrame) reject(err.message, address);
          else if (poller.stats.byAddress.get(address)?.failing === 1) this.warn(`pack ${address}: ${err.message}`);
        },
        onCycle: scheduleStatus,
      });
      onlineCount = () => poller.online;
      poller.start();
      stop = () => poller.stop();
    }

    this.on('input', (msg, _send, done) => {
      const command = (msg as NodeMessage & { payload?: unknown }).payload;
      if (command !== 'info') { done(new Error('seplos-bms accepts msg.payload "info" (re-read device info) only')); return; }
      if (listen) { done(new Error('listen mode never transmits: device info cannot be requested')); return; }
      const target = (msg as { address?: unknown }).address;
      const targets = target === undefined ? addresses : addresses.filter((a) => a === Number(target));
      if (targets.length === 0) { done(new Error(`msg.address ${String(target)} is not one of this node's addresses`)); return; }
      refreshIdentity(targets).then(() => done(), (e: unknown) => done(e instanceof Error ? e : new Error(String(e))));
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      try {
        stop();
        clock.clearTimeout(statusTimer);
        bus.deregister(user);
      } finally {
        done();
      }
    });
  }
  RED.nodes.registerType('seplos-bms', SeplosBms as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
