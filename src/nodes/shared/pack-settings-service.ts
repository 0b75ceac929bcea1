/**
 * BMS settings per pack, shared by the polling BMS nodes: read each pack's settings at start and on
 * request, one read after a poll cycle (settings rarely change, the measurements must keep their
 * cadence), keep the latest for `extra.settings`, and write settings safely: writes allowed, values
 * in range, at most one write per pack per WRITE_SPACING_MS, read-back must match. Pure of Node-RED:
 * results go out through `emit`.
 */
import type { Clock, TimerId } from '../../core/clock';
import type { PackState } from '../../core/pack-state';
import type { PackSettingName, PackSettings } from '../../core/pack-settings';
import {
  checkRequestedFields,
  orderingProblem,
  readBackMismatch,
  safeWriteOrder,
  settingsDiff,
  type FieldLimits,
  type SettingChange,
} from '../../core/settings-limits';
import type { PollerStats } from '../../transport/pack-poller';

/** Pause between the end of a poll cycle and the settings read that follows it. */
const AFTER_CYCLE_MS = 100;
/** At most one write per pack this often. */
export const WRITE_SPACING_MS = 5000;
/** Modbus address 0 is a broadcast: every pack on the bus acts on it and none answers. */
export const BROADCAST_REFUSED =
  'refused: address 0 is the Modbus broadcast address: every pack on the bus would take the write';

export interface SettingsProtocol {
  read(address: number): Promise<PackSettings>;
  /** Absent when the protocol documents no settings write. */
  write?(address: number, name: PackSettingName, value: number): Promise<void>;
  limits: FieldLimits;
  /** An address every pack on the bus acts on (Modbus: 0): never written. */
  broadcastAddress?: number;
}

export interface SettingsServiceOptions {
  clock: Clock;
  addresses: number[];
  packId(address: number): string;
  protocol: SettingsProtocol;
  allowWrites: boolean;
  /** Output 2 payloads: `settings` and `settingsWrite`. */
  emit(id: string, payload: Record<string, unknown>): void;
  /** A read that failed (logged, retried after a later cycle). */
  onReadError?(address: number, error: Error): void;
}

export interface WriteRequest {
  address: number;
  fields: unknown;
  dryRun: boolean;
}

export class PackSettingsService {
  private readonly latestByAddress = new Map<number, PackSettings>();
  private readonly pending = new Set<number>();
  private readonly lastWrite = new Map<number, number>();
  /** Packs with a write (read, write, read-back) under way. */
  private readonly writing = new Set<number>();
  private reading = false;
  private timer: TimerId | undefined;
  private closed = false;

  constructor(private readonly o: SettingsServiceOptions) {}

  latest(address: number): PackSettings | undefined {
    return this.latestByAddress.get(address);
  }

  /** Queues settings reads; they run one per poll cycle. */
  request(addresses: number[] = this.o.addresses): void {
    for (const a of addresses) this.pending.add(a);
  }

  /** Puts the latest settings of the pack's address into `extra.settings`. */
  attach(pack: PackState): PackState {
    const settings = pack.address === undefined ? undefined : this.latestByAddress.get(pack.address);
    if (settings) pack.extra = { ...pack.extra, settings };
    return pack;
  }

  /**
   * After a poll cycle: read one queued pack that answered its last poll (a silent one waits), a
   * moment later so the cycle's PackStates are out before the next request goes on the bus.
   */
  afterCycle(stats: PollerStats): void {
    if (this.reading || this.closed || this.timer !== undefined || this.pending.size === 0) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      this.readNext(stats);
    }, AFTER_CYCLE_MS);
  }

  private readNext(stats: PollerStats): void {
    if (this.reading || this.closed) return;
    const online = (a: number): boolean => {
      const s = stats.byAddress.get(a);
      return s !== undefined && s.ok > 0 && s.failing === 0;
    };
    const next = [...this.pending].find(online);
    if (next === undefined) return;
    this.pending.delete(next);
    this.reading = true;
    this.readNow(next)
      .catch((e: unknown) => {
        if (this.closed) return;
        this.pending.add(next);
        this.o.onReadError?.(next, e instanceof Error ? e : new Error(String(e)));
      })
      .finally(() => {
        this.reading = false;
      });
  }

  close(): void {
    this.closed = true;
    this.o.clock.clearTimeout(this.timer);
    this.pending.clear();
  }

  /** Reads one pack's settings now, keeps and emits them. */
  async readNow(address: number): Promise<PackSettings> {
    const settings = await this.o.protocol.read(address);
    if (this.closed) return settings;
    this.latestByAddress.set(address, settings);
    const id = this.o.packId(address);
    this.o.emit(id, { kind: 'settings', id, address, time: this.o.clock.now(), settings });
    return settings;
  }

  /**
   * A settings write (or its dry run): refused with the reason (thrown) unless writes are allowed,
   * every field is writable and in range, the result keeps its orderings and the pack was not
   * written in the last WRITE_SPACING_MS; otherwise written field by field and read back.
   */
  async write(request: WriteRequest): Promise<Record<string, unknown>> {
    const { protocol, clock } = this.o;
    const { address, dryRun } = request;
    if (!protocol.write) throw new Error('this protocol has no documented settings write');
    if (!this.o.allowWrites && !dryRun)
      throw new Error('writes are disabled on this node (enable "Allow writes" in its settings)');
    if (address === protocol.broadcastAddress) throw new Error(BROADCAST_REFUSED);
    const fields = checkRequestedFields(request.fields, protocol.limits);
    if (!fields.ok) throw new Error(`refused: ${fields.reason}`);
    const since = clock.now() - (this.lastWrite.get(address) ?? -Infinity);
    if (!dryRun && since < WRITE_SPACING_MS)
      throw new Error(
        `refused: pack ${address} was written ${Math.round(since)} ms ago (at most one write per ${WRITE_SPACING_MS / 1000} s)`,
      );
    if (this.writing.has(address)) throw new Error(`refused: a write to pack ${address} is under way`);
    this.writing.add(address);
    try {
      return await this.writeChecked(address, fields.value, dryRun);
    } finally {
      this.writing.delete(address);
    }
  }

  /** Reads the pack, checks the orderings, then (not a dry run) writes the diff and reads it back. */
  private async writeChecked(
    address: number,
    requested: Partial<Record<PackSettingName, number>>,
    dryRun: boolean,
  ): Promise<Record<string, unknown>> {
    const { protocol, clock } = this.o;
    const current = await protocol.read(address);
    const problem = orderingProblem({ ...current, ...requested });
    if (problem) throw new Error(`refused: ${problem}`);
    const diff = settingsDiff(current, requested, protocol.limits);
    const id = this.o.packId(address);
    const result = { kind: 'settingsWrite', id, address, dryRun, diff };
    if (dryRun || diff.length === 0) return { ...result, ok: true, settings: current };
    this.lastWrite.set(address, clock.now());
    try {
      await this.writeChanges(address, safeWriteOrder(current, diff));
    } catch (e) {
      // some fields may have been written before the failure: read the pack again after the next cycle
      this.request([address]);
      throw e;
    }
    const readBack = await this.readNow(address);
    const mismatch = readBackMismatch(readBack, diff, protocol.limits);
    if (mismatch) throw new Error(`write to pack ${address} not confirmed: ${mismatch}`);
    return { ...result, ok: true, settings: readBack };
  }

  private async writeChanges(address: number, diff: SettingChange[]): Promise<void> {
    for (const change of diff) {
      try {
        await this.o.protocol.write!(address, change.field, change.to);
      } catch (e) {
        throw new Error(`write ${change.field}=${change.to} to pack ${address} failed: ${(e as Error).message}`);
      }
    }
  }
}
