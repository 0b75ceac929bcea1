/**
 * One settings vocabulary for the BMS nodes (jk-bms, seplos-bms, smartbms), and the migrations that
 * let a flow saved with earlier names load unchanged. Same names, same meaning, same defaults:
 *
 * - `idPrefix`: pack ids are "<prefix>-<address>" (smartbms has no address: the id is the prefix);
 *   empty means the node name, else the node's own fallback.
 * - `mode`: `poll` (this node is the bus master) or `listen` (never transmits).
 * - `interval`: poll interval, s. `staleAfter`: a pack not heard for this long has lost communication, s.
 * - priority polling (polling nodes): `limitCellHigh`, `limitCellLow` (V), `nearCellMv` (mV),
 *   `limitTempLow`, `limitTempHigh`, `nearTempC` (°C) say when a pack is close to a limit (src/core/near-limit.ts).
 *
 * A migration maps an old name or value to the new one, and only when the new one is absent: a node
 * saved by today's editor is never rewritten. The editor forms apply the same mapping in oneditprepare.
 */
import { NEAR_LIMIT_DEFAULTS, type NearLimitSettings } from '../../core/near-limit';
import { numberSetting } from './number-setting';

export type BmsMode = 'poll' | 'listen';

/** Defaults shared by all three nodes (the editor forms use the same values). */
export const BMS_DEFAULTS = { interval: 5, staleAfter: 10 } as const;

/** A node's config object as saved in a flow. */
export type SavedConfig = Record<string, unknown>;
export type Migration = (config: SavedConfig) => SavedConfig;

/** Reads `oldName` as `newName` when the node has no `newName` yet. */
export function renamed(oldName: string, newName: string): Migration {
  return (config) =>
    config[newName] === undefined && config[oldName] !== undefined ? { ...config, [newName]: config[oldName] } : config;
}

const blank = (value: unknown): boolean => value === undefined || value === '';

/**
 * Per node type, applied in order. jk-bms: the listen mode was a protocol value `pb-listen`, and its
 * lost-after default was 15 s; a node saved without `mode` was saved by that editor. smartbms: `packId`
 * and `dataTimeout` were its names for the id and the lost-after time.
 */
export const BMS_MIGRATIONS: Readonly<Record<'jk-bms' | 'seplos-bms' | 'smartbms', readonly Migration[]>> = {
  'jk-bms': [
    (config) => (config.mode === undefined && blank(config.staleAfter) ? { ...config, staleAfter: 15 } : config),
    // `pb-listen` only ever meant listening; listening never transmits, so it wins over a saved mode.
    (config) => (config.protocol === 'pb-listen' ? { ...config, protocol: 'pb', mode: 'listen' } : config),
  ],
  'seplos-bms': [],
  smartbms: [
    renamed('packId', 'idPrefix'),
    // dataTimeout: anything but a positive number meant the 10 s default.
    (config) =>
      config.staleAfter === undefined && config.dataTimeout !== undefined
        ? { ...config, staleAfter: Number(config.dataTimeout) > 0 ? config.dataTimeout : BMS_DEFAULTS.staleAfter }
        : config,
  ],
};

export function migrate<T extends object>(config: T, migrations: readonly Migration[]): T {
  return migrations.reduce<SavedConfig>((current, step) => step(current), config as SavedConfig) as T;
}

/** A time setting in seconds, as ms: empty or not a number → `fallbackS`; never below `minS`. */
export function secondsSetting(value: unknown, fallbackS: number, minS: number): number {
  return Math.max(minS, numberSetting(value, fallbackS)) * 1000;
}

export const modeSetting = (value: unknown): BmsMode => (value === 'listen' ? 'listen' : 'poll');

/** When a pack counts as close to a limit; empty or missing settings take the LiFePO4 defaults. */
export function nearLimitSettings(saved: object): NearLimitSettings {
  const config = saved as SavedConfig;
  const d = NEAR_LIMIT_DEFAULTS;
  return {
    cellHigh: numberSetting(config.limitCellHigh, d.cellHigh),
    cellLow: numberSetting(config.limitCellLow, d.cellLow),
    cellMarginV: Math.max(0, numberSetting(config.nearCellMv, d.cellMarginV * 1000)) / 1000,
    tempLow: numberSetting(config.limitTempLow, d.tempLow),
    tempHigh: numberSetting(config.limitTempHigh, d.tempHigh),
    tempMarginC: Math.max(0, numberSetting(config.nearTempC, d.tempMarginC)),
  };
}
