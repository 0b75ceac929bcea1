/**
 * The bms-rules node's editor settings, turned into the engine's RulesConfig: the JSON fields are parsed
 * and every value goes through resolveConfig (docs/rules.md#parameters).
 */
import type { NodeDef } from 'node-red';
import type { PackConfig, RulesConfig } from './config';
import { resolveConfig } from './config';

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

const parseJson = (v: unknown, what: string): unknown => {
  if (typeof v !== 'string') return v;
  if (v.trim() === '') return undefined;
  try {
    return JSON.parse(v);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
};

/** The resolved configuration; throws with the reason when a setting is not valid. */
export function rulesConfigOf(def: RulesNodeDef): RulesConfig {
  const rules = (parseJson(def.rules, 'rules') ?? {}) as Record<string, unknown>;
  const packs = parseJson(def.packs, 'packs');
  const resolved = resolveConfig({
    ...rules,
    ...(packs !== undefined ? { packs } : {}),
    ...(def.bankName ? { bankName: def.bankName } : {}),
  });
  if (!resolved.ok) throw new Error(resolved.reason);
  return resolved.value;
}

/** The telemetry settings: topic prefix without a trailing slash, Home Assistant discovery prefix, on/off. */
export const telemetrySettingsOf = (
  def: RulesNodeDef,
): { prefix: string; discoveryPrefix: string; telemetry: boolean } => ({
  prefix: (def.topicPrefix || 'cellsafe').replace(/\/+$/, ''),
  discoveryPrefix: def.discoveryPrefix || 'homeassistant',
  telemetry: def.telemetry !== false,
});
