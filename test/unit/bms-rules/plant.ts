/**
 * A small battery + charger plant for closed-loop scenarios: the charger regulates the bank voltage to
 * the sent CVL within the sent CCL; cell voltages are OCV + R·I; OCV rises with charge, a runner cell faster.
 */
import type { PackState } from '../../../src/core/pack-state';
import { pack } from './fixtures';

export interface PlantOpts {
  cells: number; // series cells
  packs: string[];
  ocv: number; // start OCV of normal cells
  runner?: { pack: number; cell: number; ocv: number; voltsPerAs: number; restOffset: number; tauS: number };
  voltsPerAs: number; // OCV rise of a normal cell per A·s of pack current
  rCell: number; // ohm per cell
}

export class Plant {
  ocv: number[][];
  current = 0; // bank current
  constructor(public o: PlantOpts) {
    this.ocv = o.packs.map(() => Array.from({ length: o.cells }, () => o.ocv));
    if (o.runner) this.ocv[o.runner.pack][o.runner.cell] = o.runner.ocv;
  }

  /** One second of charging at the inverter's CVL/CCL. */
  advance(cvl: number, ccl: number, dtS = 1): void {
    const n = this.o.packs.length;
    const ocvSum = Math.max(...this.ocv.map((c) => c.reduce((a, b) => a + b, 0)));
    const rPack = this.o.cells * this.o.rCell;
    const iPack = Math.max(0, Math.min(ccl / n, (cvl - ocvSum) / rPack));
    this.current = iPack * n;
    for (let p = 0; p < n; p++) {
      for (let c = 0; c < this.o.cells; c++) {
        const runner = this.o.runner && this.o.runner.pack === p && this.o.runner.cell === c;
        this.ocv[p][c] += iPack * dtS * (runner ? this.o.runner!.voltsPerAs : this.o.voltsPerAs);
        if (runner) {
          // surface charge relaxes towards the pack's plateau plus the cell's own offset
          const rest = this.ocv[p][(c + 1) % this.o.cells] + this.o.runner!.restOffset;
          this.ocv[p][c] -= ((this.ocv[p][c] - rest) * dtS) / this.o.runner!.tauS;
        }
      }
    }
  }

  cellsOf(p: number): number[] {
    const iPack = this.current / this.o.packs.length;
    return this.ocv[p].map((v) => Number((v + iPack * this.o.rCell).toFixed(4)));
  }

  packs(now: number, i: number): PackState[] {
    return this.o.packs.map((id, p) =>
      pack(id, now, { cells: this.cellsOf(p), current: this.current / this.o.packs.length, jitter: i }),
    );
  }
}
