/**
 * Bank aggregation over the packs that count (O = packs with status OK or STALE; docs/rules.md#aggregation).
 */
import type { PackCounts } from '../../core/pack-state';
import type { PackSample, PackTrack } from './health';
import { median } from './health';

export interface CellRef {
  v: number;
  pack: string;
  cell: number;
}

export interface Aggregate {
  voltage: number;
  current: number;
  currentFromPacks: number;
  soc: number;
  socMin: number;
  socMax: number;
  socDischargeable: number;
  socDegraded: boolean;
  soh: number;
  remainingAh: number;
  installedAh: number;
  onlineAh: number;
  maxCell: CellRef;
  minCell: CellRef;
  spreadPackMax: number;
  spreadBank: number;
  /** cells of the pack that holds the highest cell (CVL fast path) */
  maxPackCells: number[];
  tMin?: number;
  tMax?: number;
  tAvg?: number;
  tMinPack?: string;
  tMaxPack?: string;
  tMosMax?: number;
  tMosPack?: string;
  balancing: boolean;
}

export type Counts = PackCounts;

export const canCharge = (t: PackTrack): boolean => (t.status === 'ok' || t.status === 'stale') && !!t.last?.chargeFet;
export const canDischarge = (t: PackTrack): boolean =>
  (t.status === 'ok' || t.status === 'stale') && !!t.last?.dischargeFet;
export const counts = (t: PackTrack): boolean => t.status === 'ok' || t.status === 'stale';

export function countPacks(tracks: PackTrack[]): Counts {
  const active = tracks.filter((t) => t.status !== 'excluded');
  const o = active.filter(counts);
  return {
    total: active.length,
    online: active.filter((t) => t.status === 'ok').length,
    stale: active.filter((t) => t.status === 'stale').length,
    offline: active.filter((t) => t.status === 'offline').length,
    blockingCharge: o.filter((t) => !t.last!.chargeFet).length,
    blockingDischarge: o.filter((t) => !t.last!.dischargeFet).length,
  };
}

/**
 * Aggregates the packs in O. Returns undefined when no pack counts (the caller keeps the last values:
 * outputs are always numbers). `extCurrent` (inverter/shunt) replaces ΣI when a pack is blind, because
 * a blind pack on the bus still carries current.
 */
export function aggregate(tracks: PackTrack[], extCurrent: number | undefined): Aggregate | undefined {
  const o = tracks.filter(counts);
  if (o.length === 0) return undefined;
  const s = (t: PackTrack): PackSample => t.last!;
  const cap = (t: PackTrack): number => t.config.capacityAh;
  const sumCap = o.reduce((a, t) => a + cap(t), 0);
  const weighted = (ts: PackTrack[]): number => {
    const c = ts.reduce((a, t) => a + cap(t), 0);
    return c > 0 ? ts.reduce((a, t) => a + s(t).soc * cap(t), 0) / c : 0;
  };
  const dis = o.filter(canDischarge);
  const anyBlind = tracks.some((t) => t.status === 'offline' || t.status === 'stale');
  const currentFromPacks = o.reduce((a, t) => a + s(t).current, 0);
  let maxCell: CellRef = { v: -Infinity, pack: '', cell: 0 };
  let minCell: CellRef = { v: Infinity, pack: '', cell: 0 };
  let spreadPackMax = 0,
    maxPackCells: number[] = [];
  let tMin: number | undefined, tMax: number | undefined, tMinPack: string | undefined, tMaxPack: string | undefined;
  let tMos: number | undefined, tMosPack: string | undefined;
  let tSum = 0,
    tN = 0;
  for (const t of o) {
    const p = s(t);
    if (p.maxCell > maxCell.v) {
      maxCell = { v: p.maxCell, pack: t.id, cell: p.maxIdx + 1 };
      maxPackCells = p.cells;
    }
    if (p.minCell < minCell.v) minCell = { v: p.minCell, pack: t.id, cell: p.minIdx + 1 };
    if (p.spread > spreadPackMax) spreadPackMax = p.spread;
    if (p.tMin !== undefined && (tMin === undefined || p.tMin < tMin)) {
      tMin = p.tMin;
      tMinPack = t.id;
    }
    if (p.tMax !== undefined && (tMax === undefined || p.tMax > tMax)) {
      tMax = p.tMax;
      tMaxPack = t.id;
    }
    if (p.tMin !== undefined && p.tMax !== undefined) {
      tSum += (p.tMin + p.tMax) / 2;
      tN++;
    }
    if (p.tMos !== undefined && (tMos === undefined || p.tMos > tMos)) {
      tMos = p.tMos;
      tMosPack = t.id;
    }
  }
  const active = tracks.filter((t) => t.status !== 'excluded');
  const socs = o.map((t) => s(t).soc);
  return {
    voltage: median(o.map((t) => s(t).voltage)),
    current: anyBlind && extCurrent !== undefined ? extCurrent : currentFromPacks,
    currentFromPacks,
    soc: weighted(o),
    socMin: Math.min(...socs),
    socMax: Math.max(...socs),
    socDischargeable: weighted(dis),
    socDegraded: anyBlind,
    soh: sumCap > 0 ? o.reduce((a, t) => a + s(t).soh * cap(t), 0) / sumCap : 100,
    remainingAh: o.reduce((a, t) => a + (s(t).soc / 100) * cap(t), 0),
    installedAh: active.reduce((a, t) => a + cap(t), 0),
    onlineAh: sumCap,
    maxCell,
    minCell,
    spreadPackMax,
    spreadBank: maxCell.v - minCell.v,
    maxPackCells,
    tMin,
    tMax,
    tAvg: tN ? tSum / tN : undefined,
    tMinPack,
    tMaxPack,
    tMosMax: tMos,
    tMosPack,
    balancing: o.some((t) => s(t).balancing),
  };
}
