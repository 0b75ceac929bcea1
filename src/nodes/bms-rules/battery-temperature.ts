/**
 * The battery temperature the bank gives the inverter (BankState `temperature.avg`, the one value a
 * Victron GX shows and the CAN protocols with a single temperature send). `temperature.min` and `.max`
 * stay the bank's coldest and warmest sensor: they drive the protection whatever is chosen here.
 * Choices: the bank's warmest sensor, the average of the packs (the default), the coldest sensor, or one
 * pack's sensor (e.g. sensor 1 of the pack at the top of the stack, where it runs warmest).
 */
/** One pack's sensor: `sensor` counts from 1 in the order of the PackState's `temperatures`. */
export interface PackSensor {
  pack: string;
  sensor: number;
}

export type BatteryTemperature = 'max' | 'average' | 'min' | PackSensor;

export const BATTERY_TEMPERATURE_WORDS = ['max', 'average', 'min'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The reason a `batteryTemperature` setting is not valid, or undefined. */
export function checkBatteryTemperature(v: unknown): string | undefined {
  if (typeof v === 'string' && (BATTERY_TEMPERATURE_WORDS as readonly string[]).includes(v)) return undefined;
  const shape = 'batteryTemperature must be "max", "average", "min" or { "pack": "<id>", "sensor": 1 }';
  if (!isObject(v)) return shape;
  if (Object.keys(v).some((k) => k !== 'pack' && k !== 'sensor')) return shape;
  if (typeof v.pack !== 'string' || v.pack.trim() === '') return 'batteryTemperature.pack must be a pack id';
  if (!Number.isInteger(v.sensor) || (v.sensor as number) < 1)
    return 'batteryTemperature.sensor must be a whole number from 1';
  return undefined;
}

/** What the choice is made from: the bank's temperatures, and the sensors of a pack that counts. */
export interface TemperatureSources {
  tMin?: number;
  tMax?: number;
  tAvg?: number;
  /** the sensors of this pack's last valid sample while it counts (OK or STALE), else undefined */
  sensorsOf(pack: string): readonly number[] | undefined;
}

/**
 * The chosen temperature. A chosen pack that does not count (offline, excluded) or lacks that sensor
 * gives the bank's warmest sensor instead: never a frozen value, and the inverter's own temperature
 * limits then act on the worst case.
 */
export function batteryTemperature(choice: BatteryTemperature, sources: TemperatureSources): number | undefined {
  if (choice === 'max') return sources.tMax;
  if (choice === 'min') return sources.tMin;
  if (choice === 'average') return sources.tAvg;
  const value = sources.sensorsOf(choice.pack)?.[choice.sensor - 1];
  return value !== undefined && Number.isFinite(value) ? value : sources.tMax;
}
