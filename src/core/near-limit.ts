/**
 * "Close to a limit": the question a polling BMS node asks of every PackState it decodes, so the bus
 * can poll that pack every cycle instead of once per poll interval (priority polling, see
 * docs/architecture.md). Pure: no clock, no Node-RED.
 *
 * A pack is close to a limit when its highest cell is within `cellMarginV` of the voltage where the bank
 * stops charging, its lowest within `cellMarginV` of the voltage where it stops discharging, a
 * temperature is within `tempMarginC` of the charge temperature window, or the pack itself reports an
 * alarm (any alarm, or a warning about voltage or temperature).
 */
import type { AlarmName, PackState } from './pack-state';

export interface NearLimitSettings {
  /** The cell voltage at which the bank stops charging (charge current 0), V. */
  cellHigh: number;
  /** The cell voltage at which the bank stops discharging (discharge current 0), V. */
  cellLow: number;
  /** How far below `cellHigh` (above `cellLow`) a cell counts as close, V. */
  cellMarginV: number;
  /** The charge temperature window, °C (the discharge window lies outside it). */
  tempLow: number;
  tempHigh: number;
  /** How far inside the window a temperature counts as close, °C. */
  tempMarginC: number;
}

/**
 * LiFePO4, where the bms-rules defaults bring the current to 0: charge at 3.55 V (the cell charge
 * table reaches 0 there, before the 3.58 V cut latch), discharge at 2.9 V (table and cut agree),
 * charge temperature 0–55 °C. The cell margin: a runaway cell at the end of charge rises up to about
 * 20 mV/s, so at the 5 s default poll interval it moves up to 100 mV between two regular polls; a pack
 * must count as close at the last regular poll before the limit, not after it. The temperature
 * margin: pack temperatures move well under 1 °C per minute, so 3 °C gives minutes of warning.
 */
export const NEAR_LIMIT_DEFAULTS: NearLimitSettings = {
  cellHigh: 3.55,
  cellLow: 2.9,
  cellMarginV: 0.1,
  tempLow: 0,
  tempHigh: 55,
  tempMarginC: 3,
};

/** A warning (not only an alarm) about these means the pack is at a limit of its own. */
const LIMIT_WARNINGS: ReadonlySet<AlarmName> = new Set<AlarmName>([
  'cellOverVoltage',
  'cellUnderVoltage',
  'packOverVoltage',
  'packUnderVoltage',
  'chargeOverTemperature',
  'chargeUnderTemperature',
  'dischargeOverTemperature',
  'dischargeUnderTemperature',
  'mosOverTemperature',
]);

export type NearLimitReason = 'cellHigh' | 'cellLow' | 'temperature' | 'alarm';

/** Why the pack is close to a limit, or undefined when it is not. */
export function nearLimit(pack: PackState, settings: NearLimitSettings): NearLimitReason | undefined {
  if (pack.cells.length > 0) {
    if (Math.max(...pack.cells) >= settings.cellHigh - settings.cellMarginV) return 'cellHigh';
    if (Math.min(...pack.cells) <= settings.cellLow + settings.cellMarginV) return 'cellLow';
  }
  const temperatures = [...pack.temperatures, ...(pack.cellTemperatures ?? [])];
  if (temperatures.length > 0) {
    if (Math.max(...temperatures) >= settings.tempHigh - settings.tempMarginC) return 'temperature';
    if (Math.min(...temperatures) <= settings.tempLow + settings.tempMarginC) return 'temperature';
  }
  for (const [name, level] of Object.entries(pack.alarms) as Array<[AlarmName, string | undefined]>) {
    if (name === 'communication') continue;
    if (level === 'alarm' || (level === 'warn' && LIMIT_WARNINGS.has(name))) return 'alarm';
  }
  return undefined;
}
