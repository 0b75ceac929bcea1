/**
 * The protection settings a BMS holds for its pack, in engineering units and with the same names for
 * every protocol: what a BMS node emits as a `settings` message and keeps in `extra.settings`, and
 * what bms-rules reads (capacity, current ratings, cell OVP). A field the protocol does not carry is
 * absent. Pure types and helpers.
 */
import type { PackProtocol } from './pack-state';

/** Named numeric settings; voltages in V, currents in A (both positive), delays in s, temperatures in °C. */
export interface PackSettingValues {
  cellCount?: number;
  capacityAh?: number;
  cellOvpV?: number;
  cellOvprV?: number;
  cellUvpV?: number;
  cellUvprV?: number;
  /** Cell spread above which the balancer starts (V). */
  balanceTriggerV?: number;
  /** Cell voltage above which the balancer may run (V). */
  balanceStartV?: number;
  maxBalanceA?: number;
  maxChargeA?: number;
  chargeDelayS?: number;
  maxDischargeA?: number;
  dischargeDelayS?: number;
  chargeOtpC?: number;
  chargeOtprC?: number;
  chargeUtpC?: number;
  chargeUtprC?: number;
  dischargeOtpC?: number;
  dischargeOtprC?: number;
  dischargeUtpC?: number;
  dischargeUtprC?: number;
  mosOtpC?: number;
  mosOtprC?: number;
}

export type PackSettingName = keyof PackSettingValues;

export interface PackSettings extends PackSettingValues {
  protocol: PackProtocol;
  /** On/off functions by name (e.g. chargeEnabled, balancerEnabled). */
  switches: Record<string, boolean>;
}

/**
 * Copies the finite numbers of `source` named in `names` (setting name → source key) into settings;
 * keys the source lacks stay absent.
 */
export function pickSettings(
  source: Record<string, unknown>,
  names: Partial<Record<PackSettingName, string>>,
  transform: Partial<Record<PackSettingName, (v: number) => number>> = {},
): PackSettingValues {
  const out: PackSettingValues = {};
  for (const [name, key] of Object.entries(names) as Array<[PackSettingName, string]>) {
    const value = source[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const convert = transform[name];
    out[name] = convert ? convert(value) : value;
  }
  return out;
}

/** The settings a pack carries in `extra.settings`, if they look like PackSettings. */
export function settingsOf(extra: Record<string, unknown> | undefined): PackSettings | undefined {
  const s = extra?.settings;
  if (!s || typeof s !== 'object' || Array.isArray(s)) return undefined;
  const candidate = s as Partial<PackSettings>;
  return typeof candidate.protocol === 'string' && typeof candidate.switches === 'object'
    ? (candidate as PackSettings)
    : undefined;
}

/** A positive finite setting, else undefined (0 means "not set" on most BMSs). */
export function positiveSetting(settings: PackSettings | undefined, name: PackSettingName): number | undefined {
  const v = settings?.[name];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}
