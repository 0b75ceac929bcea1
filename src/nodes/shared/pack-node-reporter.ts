/**
 * What every addressed-pack BMS node on a `bms-serial-bus` shares: output 1 (PackState
 * just received) and output 2 (communication lost/restored per pack), the rejected-frame count and
 * the throttled status "3/4 · 53.2V · 87% · 2 bad". Poll and listen loops are started here too, so
 * a node only supplies its protocol: how to read one pack, or what to do with bytes heard.
 */
import type { Node, NodeMessage, NodeStatus } from 'node-red';
import type { Clock, TimerId } from '../../core/clock';
import { type NearLimitSettings, nearLimit } from '../../core/near-limit';
import type { AlarmLevel, PackState } from '../../core/pack-state';
import type { BusStatus, SerialBusApi } from '../../transport/bus-api';
import { PackPoller, type PollerStats } from '../../transport/pack-poller';
import { useBus } from './bms-node-shell';
import { busNodeStatus } from './bus-status';
import { packSummary } from './pack-summary';

/** Status writes at most this often (every write goes to every open editor). */
const STATUS_MS = 1000;
/** Consecutive failed polls before a pack's communication alarm goes from warn to alarm (one lost answer is only a warning). */
const ALARM_AFTER = 3;

export type CommLevel = AlarmLevel | 'ok';

/**
 * Output 2 of a BMS node: one event per change of a pack's communication state,
 * `{kind: 'communication', id, address, level, alarms: {communication}, error, lastSeen}`.
 */
export class CommunicationEvents {
  private readonly levels = new Map<string, CommLevel>();
  private readonly seen = new Map<string, number>();

  constructor(private readonly node: Node) {}

  /** A pack was just heard: remember when, and report it back if it was lost. */
  heard(pack: PackState): void {
    this.seen.set(pack.id, pack.time);
    this.set(pack.id, pack.address, 'ok');
  }

  lastSeen(id: string): number | undefined {
    return this.seen.get(id);
  }

  /** Ids heard at least once. */
  heardIds(): IterableIterator<string> {
    return this.seen.keys();
  }

  set(id: string, address: number | undefined, level: CommLevel, error?: string): void {
    if ((this.levels.get(id) ?? 'ok') === level) return;
    this.levels.set(id, level);
    const seen = this.seen.get(id);
    const payload = {
      kind: 'communication',
      id,
      ...(address !== undefined ? { address } : {}),
      level,
      alarms: level === 'ok' ? {} : { communication: level },
      ...(error ? { error } : {}),
      ...(seen !== undefined ? { lastSeen: seen } : {}),
    };
    this.node.send([null, { topic: id, payload } as NodeMessage]);
    const who = address !== undefined ? `pack ${address}` : id;
    if (level === 'alarm') this.node.warn(`${who}: communication lost (${error ?? 'not heard'})`);
  }
}

export interface ReporterOptions {
  addresses: number[];
  packId(address: number): string;
  /** Appended to the status summary, e.g. " · listen". */
  statusSuffix?: string;
  /** After each completed poll cycle (the settings reads go here, between cycles). */
  afterCycle?(stats: PollerStats): void;
}

/** The shared shell of a BMS node with one or more addressed packs on one bus. */
export class PackNodeReporter {
  private rejected = 0;
  private last: PackState | undefined;
  private busState: BusStatus = { state: 'connecting' };
  private statusTimer: TimerId | undefined;
  private onlineCount = (): number => 0;
  private start = (): void => undefined;
  private stop = (): void => undefined;
  private readonly comm: CommunicationEvents;
  private release = (): void => undefined;

  constructor(
    private readonly node: Node,
    private readonly clock: Clock,
    private readonly bus: SerialBusApi,
    private readonly options: ReporterOptions,
  ) {
    this.comm = new CommunicationEvents(node);
  }

  /** Output 1: a PackState just received. */
  emit(pack: PackState): void {
    this.last = pack;
    this.comm.heard(pack);
    this.node.send([{ topic: pack.id, payload: pack } as NodeMessage, null]);
    this.scheduleStatus();
  }

  /** A frame that could not be trusted: counted ("n bad"), never data. */
  reject(reason: string, address?: number): void {
    this.rejected++;
    this.node.debug(`rejected frame${address === undefined ? '' : ` from ${address}`}: ${reason}`);
    this.scheduleStatus();
  }

  /**
   * Polls every address each cycle once the port first opens (start-up is not reported as lost
   * packs). A failed poll is a communication warning, ALARM_AFTER in a row an alarm. When the bus
   * allows priority polling, a pack close to a limit (`limits`) is polled every bus cycle.
   */
  poll(
    intervalMs: number,
    pollPack: (address: number) => Promise<PackState>,
    isRejected: (e: Error) => boolean,
    limits: NearLimitSettings,
  ): void {
    const priority = this.bus.priorityPolling === true;
    const poller = new PackPoller(this.clock, this.options.addresses, intervalMs, {
      pollPack,
      nearLimit: priority ? (pack) => nearLimit(pack, limits) !== undefined : undefined,
      onPack: (pack) => this.emit(pack),
      onFailure: (address, err) => {
        if (isRejected(err)) this.reject(err.message, address);
        const failing = poller.stats.byAddress.get(address)?.failing ?? 1;
        this.comm.set(this.options.packId(address), address, failing >= ALARM_AFTER ? 'alarm' : 'warn', err.message);
      },
      onCycle: (stats) => {
        this.scheduleStatus();
        this.options.afterCycle?.(stats);
      },
    });
    this.onlineCount = () => poller.online;
    this.start = () => poller.start();
    this.stop = () => poller.stop();
  }

  /**
   * Listen only: bytes in, never a transaction (a second master on a bank bus collides). A pack
   * heard once and then silent for `staleMs` raises its communication alarm.
   */
  listen(staleMs: number, onData: (data: Buffer) => void): void {
    const heardAgo = (address: number): number =>
      this.clock.now() - (this.comm.lastSeen(this.options.packId(address)) ?? -Infinity);
    this.onlineCount = () => this.options.addresses.filter((a) => heardAgo(a) <= staleMs).length;
    const unsubscribe = this.bus.onData((data) => {
      try {
        onData(data);
      } catch (e) {
        this.reject(`listener: ${String(e)}`);
      }
    });
    const tick = this.clock.setInterval(
      () => {
        // Only packs heard at least once: a listen range like 0-15 names more packs than exist.
        for (const a of this.options.addresses) {
          if (this.comm.lastSeen(this.options.packId(a)) !== undefined && heardAgo(a) > staleMs) {
            this.comm.set(this.options.packId(a), a, 'alarm', `not heard for ${staleMs / 1000} s`);
          }
        }
        this.scheduleStatus();
      },
      Math.min(staleMs, 5000),
    );
    this.stop = () => {
      unsubscribe();
      this.clock.clearInterval(tick);
    };
  }

  /** Registers with the bus: its status shows until it is connected; the first connect starts the loop. */
  connect(): void {
    let started = false;
    this.release = useBus(this.bus, this.node.id, (busState) => {
      this.busState = busState;
      if (busState.state !== 'connected') {
        this.node.status(busNodeStatus(busState));
        return;
      }
      if (!started) {
        started = true;
        this.start();
      }
      this.showStatus();
    });
  }

  close(): void {
    this.stop();
    this.clock.clearTimeout(this.statusTimer);
    this.release();
  }

  private scheduleStatus(): void {
    if (this.statusTimer === undefined) this.statusTimer = this.clock.setTimeout(() => this.showStatus(), STATUS_MS);
  }

  private showStatus(): void {
    this.statusTimer = undefined;
    if (this.busState.state !== 'connected') {
      this.node.status(busNodeStatus(this.busState));
      return;
    }
    const online = this.onlineCount();
    const total = this.options.addresses.length;
    let text = packSummary(online, total, this.last) + (this.options.statusSuffix ?? '');
    if (this.rejected > 0) text += ` · ${this.rejected} bad`;
    const fill: NodeStatus['fill'] = online === total ? 'green' : online > 0 ? 'yellow' : 'red';
    this.node.status({ fill, shape: 'dot', text });
  }
}
