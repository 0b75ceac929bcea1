/**
 * Per-cell data arrives one cell per frame (bytes 24–29, docs/protocols/smartbms.md#building-the-whole-pack): this map collects it until every
 * cell 1..N has been seen recently enough to be trusted together.
 */
export interface CellRecord {
  voltage: number;
  tempRaw: number;
  /** When the record arrived (ms). */
  time: number;
}

/** A cell voltage a frame states outside its rotating record (its lowest or highest cell), 1-based. */
export interface StatedCell {
  cell: number;
  voltage: number;
}

/**
 * The records with the frame's stated lowest and highest cell voltages laid over them at their cell
 * numbers: a rotating record can be a whole cycle old (or lost), the extremes are current in every frame,
 * so the cell that runs away shows in `cells` with the first frame that reports it. A number outside
 * 1..N names no cell and changes nothing. The record's time and temperature stay those of the record.
 */
export function withStatedCells(records: CellRecord[], stated: StatedCell[]): CellRecord[] {
  const out = [...records];
  for (const { cell, voltage } of stated) {
    if (cell >= 1 && cell <= out.length) out[cell - 1] = { ...out[cell - 1], voltage };
  }
  return out;
}

export class CellAssembler {
  private readonly cells = new Map<number, CellRecord>();
  private count = 0;

  /** Adds the rotating record of one frame. Index 0 or above the cell count is ignored. */
  add(index: number, count: number, voltage: number, tempRaw: number, time: number): void {
    // A changed cell count means a different pack layout: nothing collected so far belongs to it.
    if (count !== this.count) {
      this.cells.clear();
      this.count = count;
    }
    if (index < 1 || index > count) return;
    this.cells.set(index, { voltage, tempRaw, time });
  }

  /** Drops records older than maxAgeMs so stale cells never count as seen. */
  expire(now: number, maxAgeMs: number): void {
    for (const [i, c] of this.cells) if (now - c.time > maxAgeMs) this.cells.delete(i);
  }

  get cellCount(): number {
    return this.count;
  }
  /** Cells with a current record. */
  get seen(): number {
    return this.cells.size;
  }
  get complete(): boolean {
    return this.count > 0 && this.cells.size === this.count;
  }

  /** The records of cells 1..N in order; only meaningful when `complete`. */
  records(): CellRecord[] {
    const out: CellRecord[] = [];
    for (let i = 1; i <= this.count; i++) {
      const c = this.cells.get(i);
      if (c) out.push(c);
    }
    return out;
  }

  clear(): void {
    this.cells.clear();
    this.count = 0;
  }
}
