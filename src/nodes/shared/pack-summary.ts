/** Node status text for a multi-pack node, e.g. "5/5 · 53.2V · 87%". */
import type { PackState } from '../../core/pack-state';

export function packSummary(online: number, total: number, last?: PackState): string {
  const parts = [`${online}/${total}`];
  if (last) parts.push(`${last.voltage.toFixed(1)}V`, `${Math.round(last.soc)}%`);
  return parts.join(' · ');
}
