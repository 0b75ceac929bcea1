/**
 * The pure core of the `smartbms` node: bytes from the wire in, PackStates out. Frames are found by
 * the stream framer, decoded, and folded into the per-cell and key/value assemblers; a PackState is
 * produced for every frame once every cell has been seen, with the frame's own lowest and highest cell laid
 * over the assembled cells (docs/protocols/smartbms.md#building-the-whole-pack).
 */
import type { PackState } from '../../core/pack-state';
import { CellAssembler, withStatedCells } from './cell-assembler';
import { KeyValueAssembler } from './key-values';
import { toPackState } from './smartbms-pack-state';
import { decodeFrame, type TemperatureFormula } from './protocol-smartbms';
import { StatusFilter } from './status-filter';
import { SmartBmsStreamFramer } from './stream-framer';

export interface ListenerOptions {
  id: string;
  formula: TemperatureFormula;
  /**
   * A cell record older than this many ms per cell of the pack is dropped (default 3000: a cycle of N frames
   * takes about N s, so a record survives two lost turns of its cell; shorter would make a noisy line leave
   * the pack incomplete). The extremes do not depend on it: they come from the newest frame.
   */
  cellMaxAgePerCellMs?: number;
}

export type ListenerEvent =
  | { kind: 'pack'; pack: PackState }
  /** A frame arrived but not every cell has been seen yet. */
  | { kind: 'progress'; soc: number; seen: number; cellCount: number }
  | { kind: 'rejected'; reason: string };

export class SmartBmsListener {
  private readonly framer = new SmartBmsStreamFramer();
  private readonly cells = new CellAssembler();
  private readonly keyValues = new KeyValueAssembler();
  private readonly status = new StatusFilter();
  private rejected = 0;

  constructor(private readonly o: ListenerOptions) {}

  /** Frames accepted, frames rejected (decoder or plausibility gate), sync losses and bytes dropped while searching. */
  get counters(): { frames: number; rejected: number; syncLosses: number; droppedBytes: number } {
    const { frames, syncLosses, droppedBytes } = this.framer.stats;
    return { frames, droppedBytes, syncLosses, rejected: this.rejected };
  }

  receive(data: Uint8Array, now: number): ListenerEvent[] {
    return this.framer.push(data, now).map((f) => this.frame(f.frame, f.time));
  }

  /** Forgets everything (data lost, port reconnected): nothing stale is carried over. */
  reset(): void {
    this.framer.reset();
    this.cells.clear();
    this.keyValues.clear();
    this.status.clear();
  }

  private frame(bytes: Buffer, now: number): ListenerEvent {
    const r = decodeFrame(bytes);
    // The framer only passes frames the decoder accepts; kept so a rule change cannot slip through.
    if (!r.ok) return this.reject(r.reason);
    const f = r.value;
    const context = { id: this.o.id, time: now, formula: this.o.formula, status1: f.status1, keyValues: {} };
    // What this frame claims is judged before any of it joins the assembly: a bad frame leaves nothing behind.
    const claims = toPackState(f, context);
    if (!claims.ok) return this.reject(claims.reason);
    this.cells.add(f.cellInfoIndex, f.cellCount, f.cellInfoVoltage, f.cellInfoTempRaw, now);
    this.cells.expire(now, f.cellCount * (this.o.cellMaxAgePerCellMs ?? 3000));
    if (f.frameKind === 'key-value') this.keyValues.add(f.kvKey!, f.kvValue!, now);
    this.status.add(f.status1);
    if (!this.cells.complete) return { kind: 'progress', soc: f.soc, seen: this.cells.seen, cellCount: f.cellCount };
    const c = this.framer.stats;
    const pack = toPackState(f, {
      ...context,
      status1: this.status.filtered,
      cells: withStatedCells(this.cells.records(), [
        { cell: f.lowestCellVoltageCell, voltage: f.lowestCellVoltage },
        { cell: f.highestCellVoltageCell, voltage: f.highestCellVoltage },
      ]),
      keyValues: this.keyValues.current(now),
      counters: { frames: c.frames, syncLosses: c.syncLosses },
    });
    return pack.ok ? { kind: 'pack', pack: pack.value } : this.reject(pack.reason);
  }

  /** A frame not to be trusted: counted, never data. */
  private reject(reason: string): ListenerEvent {
    this.rejected++;
    return { kind: 'rejected', reason };
  }
}
