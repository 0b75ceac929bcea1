/**
 * The packs a bms-rules node has received data from, for the editor's "Add packs seen" (admin endpoint
 * bms-rules/<id>/packs-seen) and for the status line that names packs sending data without being
 * configured. Pure: the node records each PackState with the time it arrived.
 */
import { positiveSetting, settingsOf } from '../../core/pack-settings';
import type { PackProtocol, PackState } from '../../core/pack-state';

export interface SeenPack {
  id: string;
  protocol: PackProtocol;
  address?: number;
  /** the full-charge capacity the BMS reports (PackState fullAh) */
  capacityAh?: number;
  /** the design (nominal) capacity the BMS reports (PackState designAh, else its settings) */
  designCapacityAh?: number;
  /** the capacity of the BMS's settings: what bms-rules takes for a capacity the packs table leaves empty */
  settingsCapacityAh?: number;
  /** the charge / discharge over-current protections of the BMS's settings (extra.settings) */
  maxChargeA?: number;
  maxDischargeA?: number;
  temperatureSensors: number;
  /** when its last PackState arrived (ms since the epoch) */
  lastSeen: number;
  configured: boolean;
}

const positive = (v: number | undefined): number | undefined =>
  v !== undefined && Number.isFinite(v) && v > 0 ? v : undefined;

export class PacksSeen {
  private readonly packs = new Map<string, SeenPack>();

  constructor(private readonly configured: ReadonlySet<string>) {}

  record(pack: PackState, now: number): void {
    const capacityAh = positive(pack.fullAh);
    const settings = settingsOf(pack.extra);
    const settingsCapacityAh = positiveSetting(settings, 'capacityAh');
    const designCapacityAh = positive(pack.designAh) ?? settingsCapacityAh;
    const maxChargeA = positiveSetting(settings, 'maxChargeA');
    const maxDischargeA = positiveSetting(settings, 'maxDischargeA');
    this.packs.set(pack.id, {
      id: pack.id,
      protocol: pack.protocol,
      ...(pack.address !== undefined ? { address: pack.address } : {}),
      ...(capacityAh !== undefined ? { capacityAh } : {}),
      ...(designCapacityAh !== undefined ? { designCapacityAh } : {}),
      ...(settingsCapacityAh !== undefined ? { settingsCapacityAh } : {}),
      ...(maxChargeA !== undefined ? { maxChargeA } : {}),
      ...(maxDischargeA !== undefined ? { maxDischargeA } : {}),
      temperatureSensors: pack.temperatures.length,
      lastSeen: now,
      configured: this.configured.has(pack.id),
    });
  }

  /** Every pack seen, by id. */
  list(): SeenPack[] {
    return [...this.packs.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Ids of the packs not configured that sent data within `withinMs` before `now`. */
  unconfigured(now: number, withinMs: number): string[] {
    return this.list()
      .filter((pack) => !pack.configured && now - pack.lastSeen <= withinMs)
      .map((pack) => pack.id);
  }
}
