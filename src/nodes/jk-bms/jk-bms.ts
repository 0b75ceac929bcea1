/**
 * `jk-bms` node: JK-B (NW frames) or JK PB packs (Modbus, or listening to a bank master) on one
 * `bms-serial-bus`. Output 1: one fresh PackState per pack per cycle (`msg.topic` = pack id), never
 * a repeat of old values. Output 2: events — communication lost/restored per pack, write results.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from 'node-red';
import { parseAddressList } from '../../core/address-list';
import { RealClock } from '../../core/clock';
import type { AlarmLevel, PackState } from '../../core/pack-state';
import type { BusStatus, BusUser, SerialBusApi } from '../../transport/bus-api';
import { PackPoller, packSummary } from '../../transport/pack-poller';
import { busNodeStatus } from '../bus/bus-status';
import { liveToPackState } from './jk-pack-state';
import { JK_COMMANDS, RejectedFrame, readPack, writeSwitch, type JkCommand, type JkProtocol, type PbMethod } from './jk-reader';
import { PbSniffer } from './protocol-jk-pb';

interface JkConfig extends NodeDef {
  bus: string;
  protocol: JkProtocol;
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

const num = (v: unknown, fallback: number): number => {
  const n = Number(v);
  return v === '' || v === undefined || v === null || !Number.isFinite(n) ? fallback : n;
};

/** Status writes at most this often (every write goes to every open editor). */
const STATUS_MS = 1000;
/** Consecutive failed polls before a pack's communication alarm goes from warn to alarm (spec §2.10). */
const ALARM_AFTER = 3;

type CommLevel = AlarmLevel | 'ok';

export = function (RED: NodeAPI) {
  function JkBms(this: Node, config: JkConfig) {
    RED.nodes.createNode(this, config);
    const clock = new RealClock();
    const protocol: JkProtocol = config.protocol === 'pb' || config.protocol === 'pb-listen' ? config.protocol : 'nw';
    const bus = RED.nodes.getNode(config.bus) as unknown as SerialBusApi | null;
    const fail = (key: string, detail: string): void => {
      this.status({ fill: 'red', shape: 'ring', text: key });
      this.error(detail);
    };
    if (!bus) { fail('jkBms.status.noBus', RED._('jkBms.errors.noBus')); return; }
    const parsed = parseAddressList(config.addresses || (protocol === 'pb-listen' ? '0-15' : '1'), 0, protocol === 'nw' ? 255 : 247);
    if (!parsed.ok) { fail('jkBms.status.badAddress', `addresses: ${parsed.reason}`); return; }
    const addresses = parsed.value;
    if (protocol === 'nw' && addresses.length !== 1) { fail('jkBms.status.badAddress', RED._('jkBms.errors.nwOneAddress')); return; }
    if (protocol === 'pb' && addresses.includes(0)) this.warn(RED._('jkBms.errors.addressZero'));
    const prefix = (config.idPrefix || config.name || 'jk').trim();
    const packId = (address: number): string => `${prefix}-${address}`;
    const intervalMs = Math.max(500, num(config.interval, 5) * 1000);
    const staleMs = Math.max(1000, num(config.staleAfter, 15) * 1000);

    let rejected = 0;
    let last: PackState | undefined;
    let busState: BusStatus = { state: 'connecting' };
    let statusTimer: number | undefined;
    let onlineCount = (): number => 0;
    const comm = new Map<number, CommLevel>();
    const lastSeen = new Map<number, number>();

    const showStatus = (): void => {
      statusTimer = undefined;
      if (busState.state !== 'connected') { this.status(busNodeStatus(busState)); return; }
      const online = onlineCount();
      let text = packSummary(online, addresses.length, last);
      if (rejected > 0) text += ` · ${rejected} bad`;
      const fill: NodeStatus['fill'] = online === addresses.length ? 'green' : online > 0 ? 'yellow' : 'red';
      this.status({ fill, shape: 'dot', text });
    };
    const scheduleStatus = (): void => {
      if (statusTimer === undefined) statusTimer = clock.setTimeout(showStatus, STATUS_MS);
    };
    /** Output 2 on every change of a pack's communication state. */
    const setComm = (address: number, level: CommLevel, error?: string): void => {
      if ((comm.get(address) ?? 'ok') === level) return;
      comm.set(address, level);
      const seen = lastSeen.get(address);
      const payload = {
        kind: 'communication', id: packId(address), address, level,
        alarms: level === 'ok' ? {} : { communication: level },
        ...(error ? { error } : {}), ...(seen !== undefined ? { lastSeen: seen } : {}),
      };
      this.send([null, { topic: packId(address), payload } as NodeMessage]);
      if (level === 'alarm') this.warn(`pack ${address}: communication lost (${error ?? 'not heard'})`);
    };
    const emit = (pack: PackState): void => {
      last = pack;
      lastSeen.set(pack.address!, pack.time);
      setComm(pack.address!, 'ok');
      this.send([{ topic: pack.id, payload: pack } as NodeMessage, null]);
      scheduleStatus();
    };
    const reject = (reason: string, address?: number): void => {
      rejected++;
      this.debug(`rejected frame${address === undefined ? '' : ` from ${address}`}: ${reason}`);
      scheduleStatus();
    };

    let stop: () => void;
    let start = (): void => undefined;
    if (protocol === 'pb-listen') {
      // Listen only: bytes in, never a transaction (a second master on a PB bank bus collides).
      const sniffer = new PbSniffer();
      const unsubscribe = bus.onData((data) => {
        for (const ev of sniffer.push(data)) {
          if (!ev.ok) { reject(ev.reason); continue; }
          const { frame, ackAddress } = ev.value;
          if (frame.type === 'cellInfo' && addresses.includes(ackAddress)) {
            emit(liveToPackState(frame.live, { id: packId(ackAddress), address: ackAddress, time: clock.now(), protocol: 'jk-pb' }));
          }
        }
      });
      const heard = (a: number): boolean => clock.now() - (lastSeen.get(a) ?? -Infinity) <= staleMs;
      onlineCount = () => addresses.filter(heard).length;
      const tick = clock.setInterval(() => {
        // Only packs heard at least once: a listen range like 0-15 names more packs than exist.
        for (const a of lastSeen.keys()) if (!heard(a)) setComm(a, 'alarm', `not heard for ${staleMs / 1000} s`);
        scheduleStatus();
      }, Math.min(staleMs, 5000));
      stop = () => { unsubscribe(); clock.clearInterval(tick); };
    } else {
      const read = { protocol, method: config.method === 'trigger' ? 'trigger' : 'fc03', invertCurrent: config.invertCurrent === true } as const;
      const poller = new PackPoller(clock, addresses, intervalMs, {
        pollPack: (address) => readPack(bus, read, address, packId(address), () => clock.now()),
        onPack: emit,
        onFailure: (address, err) => {
          if (err instanceof RejectedFrame) reject(err.message, address);
          const failing = poller.stats.byAddress.get(address)?.failing ?? 1;
          setComm(address, failing >= ALARM_AFTER ? 'alarm' : 'warn', err.message);
        },
        onCycle: scheduleStatus,
      });
      onlineCount = () => poller.online;
      start = () => poller.start();
      stop = () => poller.stop();
    }

    // Polling starts when the port first opens, so start-up is not reported as lost packs.
    let started = false;
    const user: BusUser = {
      id: this.id,
      busStatus: (s) => {
        busState = s;
        if (s.state !== 'connected') { this.status(busNodeStatus(s)); return; }
        if (!started) { started = true; start(); }
        showStatus();
      },
    };
    bus.register(user);

    this.on('input', (msg, send, done) => {
      const p = (msg as NodeMessage & { payload?: unknown }).payload as { command?: unknown; value?: unknown; address?: unknown } | undefined;
      const refuse = (reason: string): void => done(new Error(reason));
      if (!p || typeof p !== 'object') { refuse('msg.payload must be { command, value, address }'); return; }
      if (!config.allowWrites) { refuse('writes are disabled on this node (enable "Allow writes" in its settings)'); return; }
      if (protocol === 'pb-listen') { refuse('listen-only mode never transmits: no writes'); return; }
      if (!JK_COMMANDS.includes(p.command as JkCommand)) { refuse(`msg.payload.command must be one of ${JK_COMMANDS.join(', ')}`); return; }
      if (typeof p.value !== 'boolean') { refuse('msg.payload.value must be true (on) or false (off)'); return; }
      const address = p.address === undefined && addresses.length === 1 ? addresses[0] : p.address;
      if (typeof address !== 'number' || !addresses.includes(address)) {
        refuse(`msg.payload.address must be one of this node's addresses (${addresses.join(', ')})`);
        return;
      }
      const command = p.command as JkCommand;
      const on = p.value;
      writeSwitch(bus, protocol, address, command, on, clock).then(
        () => {
          (msg as NodeMessage).topic = packId(address);
          (msg as NodeMessage).payload = { kind: 'write', id: packId(address), address, command, value: on, ok: true };
          send([null, msg as NodeMessage]);
          done();
        },
        (e: unknown) => done(new Error(`write ${command}=${String(on)} to pack ${address} failed: ${e instanceof Error ? e.message : String(e)}`)),
      );
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
  RED.nodes.registerType('jk-bms', JkBms as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
