/**
 * The bms-rules node's editor settings, turned into the engine's RulesConfig: the JSON fields are parsed
 * and every value goes through resolveConfig (docs/rules.md#parameters). `packs` and `rules` are accepted
 * as JSON text (flows saved by earlier versions) or as the array and object themselves.
 */
import type { NodeDef } from 'node-red';
import type { PackConfig, RulesConfig } from './config';
import { mergeConfig, resolveConfig } from './config';
import type { Label } from './config-checks';
import { checkConfig } from './config-checks';

export interface RulesNodeDef extends NodeDef {
  bankName?: string;
  /** JSON object of parameter overrides (names in docs/rules.md#parameters) */
  rules?: string | Record<string, unknown>;
  /** JSON array of { id, capacityAh, maxChargeA, maxDischargeA } */
  packs?: string | PackConfig[];
  telemetry?: boolean;
  topicPrefix?: string;
  discoveryPrefix?: string;
}

/** The settings that make the engine's configuration (what the dialog sends to bms-rules/check-config). */
export type RulesSettings = Pick<RulesNodeDef, 'rules' | 'packs' | 'bankName'>;

const parseJson = (v: unknown, what: string): unknown => {
  if (typeof v !== 'string') return v;
  if (v.trim() === '') return undefined;
  try {
    return JSON.parse(v);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
};

/** The parameters the settings hold (rules overrides, packs, bank name); throws when a JSON field is not JSON. */
function userConfigOf(def: RulesSettings): Record<string, unknown> {
  const rules = parseJson(def.rules, 'rules') ?? {};
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) throw new Error('rules must be an object');
  const packs = parseJson(def.packs, 'packs');
  return {
    ...rules,
    ...(packs !== undefined ? { packs } : {}),
    ...(def.bankName ? { bankName: def.bankName } : {}),
  };
}

/** The resolved configuration; throws with the reasons (joined by "; ") when it is not valid. */
export function rulesConfigOf(def: RulesSettings, label?: Label): RulesConfig {
  const resolved = resolveConfig(userConfigOf(def), label);
  if (!resolved.ok) throw new Error(resolved.reason);
  return resolved.value;
}

/** Every reason the node would refuse these settings for, in the words it uses; empty when it accepts them. */
export function configReasons(def: RulesSettings, label?: Label): string[] {
  let merged;
  try {
    merged = mergeConfig(userConfigOf(def));
  } catch (err) {
    return [(err as Error).message];
  }
  return merged.ok ? checkConfig(merged.value, label) : [merged.reason];
}

/** The telemetry settings: topic prefix without a trailing slash, Home Assistant discovery prefix, on/off. */
export const telemetrySettingsOf = (
  def: RulesNodeDef,
): { prefix: string; discoveryPrefix: string; telemetry: boolean } => ({
  prefix: (def.topicPrefix || 'cellsafe').replace(/\/+$/, ''),
  discoveryPrefix: def.discoveryPrefix || 'homeassistant',
  telemetry: def.telemetry !== false,
});
