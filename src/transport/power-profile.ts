/**
 * PV and household load for the simulated inverter: a built-in day (PV a half sine from 06:00 to
 * 20:00, load the German standard household profile H0 for a summer workday) or constant values.
 * Pure; time comes in as milliseconds since midnight.
 */

export type PowerProfile =
  { kind: 'day'; pvPeakW: number; loadMeanW: number } | { kind: 'constant'; pvW: number; loadW: number };

export interface PowerNow {
  pvW: number;
  loadW: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const SUNRISE_H = 6;
const SUNSET_H = 20;

/** H0 summer workday load as a factor of the mean, every 2 h from 00:00 (linear in between, wrapping at midnight). */
const H0_FACTORS = [0.63, 0.42, 0.42, 0.83, 1.21, 1.19, 1.35, 1.12, 0.98, 1.21, 1.42, 1.23];

const nonNegative = (value: number): number => (Number.isFinite(value) ? Math.max(0, value) : 0);

/** Hours since midnight (0 ≤ h < 24) of a time in ms, any sign. */
export function hourOfDay(timeMs: number): number {
  if (!Number.isFinite(timeMs)) return 0;
  return (((timeMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
}

export function pvFactor(hour: number): number {
  if (!(hour > SUNRISE_H && hour < SUNSET_H)) return 0;
  return Math.sin((Math.PI * (hour - SUNRISE_H)) / (SUNSET_H - SUNRISE_H));
}

export function loadFactor(hour: number): number {
  const position = hour / 2;
  const index = Math.floor(position) % H0_FACTORS.length;
  const next = H0_FACTORS[(index + 1) % H0_FACTORS.length];
  return H0_FACTORS[index] + (next - H0_FACTORS[index]) * (position - Math.floor(position));
}

export function powerAt(profile: PowerProfile, timeOfDayMs: number): PowerNow {
  if (profile.kind === 'constant') return { pvW: nonNegative(profile.pvW), loadW: nonNegative(profile.loadW) };
  const hour = hourOfDay(timeOfDayMs);
  return {
    pvW: nonNegative(profile.pvPeakW) * pvFactor(hour),
    loadW: nonNegative(profile.loadMeanW) * loadFactor(hour),
  };
}
