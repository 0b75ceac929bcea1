/**
 * Every 123\SmartBMS frame states the pack's current highest and lowest cell with its number, while the
 * per-cell values arrive one cell per frame and lag by up to a whole cycle. A cell that runs away must show
 * in `cells` with the frame that reports it, even when the frames carrying its own rotating record are lost.
 */
import { strict as assert } from 'node:assert';
import type { PackState } from '../../../src/core/pack-state';
import { SmartBmsListener } from '../../../src/nodes/smartbms/listener';
import { decodeFrame, encodeFrame } from '../../../src/nodes/smartbms/protocol-smartbms';
import { vectorFrame } from './vectors';

const CELLS = 16;

/** The frame a 16-cell pack with these cell voltages sends when its rotating record is at cell `index` (1-based). */
function frame(cells: number[], index: number): Buffer {
  const r = decodeFrame(vectorFrame('smartbms-S3'));
  if (!r.ok) throw new Error(r.reason);
  const low = cells.indexOf(Math.min(...cells));
  const high = cells.indexOf(Math.max(...cells));
  return encodeFrame({
    ...r.value,
    packVoltage: Number(cells.reduce((sum, v) => sum + v, 0).toFixed(2)),
    cellCount: CELLS,
    lowestCellVoltage: cells[low],
    lowestCellVoltageCell: low + 1,
    highestCellVoltage: cells[high],
    highestCellVoltageCell: high + 1,
    cellInfoIndex: index,
    cellInfoVoltage: cells[index - 1],
  });
}

/** A listener that has seen two full cycles of a balanced pack at 3.30 V; time advances 1 s per frame. */
function warmRig() {
  const listener = new SmartBmsListener({ id: 'p1', formula: 'venus' });
  const cells = Array.from({ length: CELLS }, () => 3.3);
  let now = 1_000_000;
  let sent = 0;
  /** Sends the next frame of the rotation unless its record is for a cell in `lost`; returns the PackState, if any. */
  const next = (lost: number[] = []): PackState | undefined => {
    const index = (sent++ % CELLS) + 1;
    now += 1000;
    if (lost.includes(index)) return undefined;
    const packs = listener.receive(frame(cells, index), now).filter((e) => e.kind === 'pack');
    return packs.length === 1 && packs[0].kind === 'pack' ? packs[0].pack : undefined;
  };
  for (let i = 0; i < 2 * CELLS; i++) next();
  return { cells, next, now: () => now };
}

describe('smartbms fresh extremes', () => {
  it('a cell rising while its own records are lost is in `cells` from the next frame on', () => {
    const rig = warmRig();
    rig.cells[6] = 3.62;
    // Every frame of the next full cycle but the one carrying cell 7's record arrives.
    let checked = 0;
    for (let i = 0; i < CELLS; i++) {
      const pack = rig.next([7]);
      if (!pack) continue;
      checked++;
      assert.equal(pack.time, rig.now());
      assert.equal(pack.cells[6], 3.62, `cell 7 at ${pack.cells[6]} V in the frame that states 3.62 V`);
      assert.equal(Math.max(...pack.cells), 3.62);
      assert.equal(pack.balancing, true, 'cell 7 is above V-balance (3.45 V)');
    }
    assert.equal(checked, CELLS - 1, 'every frame that arrived yielded a PackState');
  });

  it('a cell falling while its own records are lost is in `cells` from the next frame on', () => {
    const rig = warmRig();
    rig.cells[11] = 2.95;
    const pack = rig.next([12]);
    assert.ok(pack, 'the first frame after the drop yields a PackState');
    assert.equal(pack.time, rig.now());
    assert.equal(pack.cells[11], 2.95);
    assert.equal(Math.min(...pack.cells), 2.95);
    assert.equal(pack.cells[6], 3.3, 'the other cells keep their assembled values');
  });
});
