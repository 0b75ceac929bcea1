/**
 * What bms-rules takes from the settings a BMS reports with each PackState (`extra.settings`, see
 * core/pack-settings.ts): a pack's capacity and charge/discharge current ratings where the user left
 * them unset (a pack missing from the packs table, or a rating left out of its entry), and warnings
 * where the bank's own cuts sit outside the BMS's protections in the unsafe direction — the BMS
 * would then open its FETs before the inverter has been told to stop.
 */
import type { PackState } from '../../core/pack-state';
import { positiveSetting, settingsOf, type PackSettingName } from '../../core/pack-settings';
import type { PackRating, RulesConfig } from './config';
import type { PackTrack } from './health';

/** Pack rating → the BMS setting it is taken from. */
const FROM_SETTING: Record<PackRating, PackSettingName> = {
  capacityAh: 'capacityAh',
  maxChargeA: 'maxChargeA',
  maxDischargeA: 'maxDischargeA',
};

/** The ratings of a track the user did not set: all of them for a pack outside the packs table. */
function unsetRatings(track: PackTrack): PackRating[] {
  return track.configured ? (track.config.unset ?? []) : (Object.keys(FROM_SETTING) as PackRating[]);
}

/**
 * Keeps the pack's BMS settings on its track and, for every unset rating the BMS reports, uses the
 * BMS's value (the track gets its own config object: the shared one of the packs table is not touched).
 */
export function adoptBmsSettings(track: PackTrack, pack: PackState): void {
  const settings = settingsOf(pack.extra);
  if (!settings) return;
  track.bmsSettings = settings;
  const fromBms: PackRating[] = [];
  const config = { ...track.config };
  for (const rating of unsetRatings(track)) {
    const value = positiveSetting(settings, FROM_SETTING[rating]);
    if (value === undefined) continue;
    config[rating] = value;
    fromBms.push(rating);
  }
  if (fromBms.length === 0) return;
  track.config = config;
  track.fromBms = fromBms;
}

/**
 * One warning per pack whose BMS protects inside the bank's cuts, e.g. "bmsOvpBelowHighCut:P1:3.5V"
 * (the bank's cell high cut is above the BMS's cell OVP) or "bmsUvpAboveLowCut:P1:2.9V".
 */
export function bmsSettingsWarnings(tracks: PackTrack[], config: RulesConfig): string[] {
  const warnings: string[] = [];
  for (const track of tracks) {
    const ovp = positiveSetting(track.bmsSettings, 'cellOvpV');
    const uvp = positiveSetting(track.bmsSettings, 'cellUvpV');
    if (ovp !== undefined && config.cellHighCut >= ovp) warnings.push(`bmsOvpBelowHighCut:${track.id}:${ovp}V`);
    if (uvp !== undefined && config.cellLowCut <= uvp) warnings.push(`bmsUvpAboveLowCut:${track.id}:${uvp}V`);
  }
  return warnings;
}
