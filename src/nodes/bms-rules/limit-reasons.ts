/**
 * Why the charge or discharge limit is below what the configuration allows, in words for the node status:
 * "CCL 12 A: cell jk-2 #7 at 3.520 V". A limit set by the configuration itself (a pack's maximum, its
 * share of the bank, the packs added up, the system maximum) needs no explanation; every other
 * `limitedBy` reason (docs/rules.md#current-limits) is said with the values behind it. The help lists them.
 */
import type { RulesBankState } from './engine-state';

export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** A `limitedBy` value taken apart: the reason and what it names. */
export interface LimitReason {
  reason: string;
  pack?: string;
  cell?: number;
  alarm?: string;
}

const CONFIGURED = new Set(['config', 'share', 'sum', 'system']);

/** `cell:jk-2C7`, `bmsAlarm:jk-2:cellOverVoltage`, `temp:jk-2`, `latch:cellHigh`, `ramp`, … (pack ids may hold ':' or 'C'). */
export function parseLimitedBy(by: string): LimitReason {
  const cell = /^cell:(.+)C(\d+)$/.exec(by);
  if (cell) return { reason: 'cell', pack: cell[1], cell: Number(cell[2]) };
  const alarm = /^bmsAlarm:(.+):(\w+)$/.exec(by);
  if (alarm) return { reason: 'bmsAlarm', pack: alarm[1], alarm: alarm[2] };
  if (by === 'bms:noChargePack' || by === 'bms:noDischargePack') return { reason: by.slice(4) };
  const latch = /^latch:(\w+)$/.exec(by);
  if (latch) return { reason: `latch.${latch[1]}` };
  const perPack = /^(config|bms|share|temp|mos|soc):(.+)$/.exec(by);
  if (perPack) return { reason: perPack[1], pack: perPack[2] };
  return { reason: by };
}

/** An alarm name as words: "cellOverVoltage" → "cell over voltage". */
const alarmWords = (name: string): string => name.replace(/([A-Z])/g, ' $1').toLowerCase();

function reasonWords(
  parsed: LimitReason,
  direction: 'ccl' | 'dcl',
  bank: RulesBankState,
  translate: Translate,
): string {
  const pack = parsed.pack === undefined ? undefined : bank.packStates[parsed.pack];
  const params: Record<string, string | number> = { pack: parsed.pack ?? '' };
  if (parsed.reason === 'cell') {
    params.cell = parsed.cell!;
    params.v = pack ? (direction === 'ccl' ? pack.cellMax : pack.cellMin).toFixed(3) : '?';
  }
  if (parsed.reason === 'soc') params.soc = pack ? pack.soc.toFixed(0) : '?';
  if (parsed.alarm !== undefined) params.alarm = alarmWords(parsed.alarm);
  const key = `bmsRules.limitedBy.${parsed.reason}`;
  const text = translate(key, params);
  // a reason this version has no words for is shown as it is, never as a bare i18n key
  return text === key ? parsed.reason : text;
}

/**
 * "CCL 12 A: …" for each direction held below its configured maximum; undefined when neither is, and in
 * BLIND and FAILSAFE, whose status says why itself.
 */
export function limitReasons(bank: RulesBankState, translate: Translate): string | undefined {
  if (bank.mode === 'blind' || bank.mode === 'failsafe') return undefined;
  const parts: string[] = [];
  for (const direction of ['ccl', 'dcl'] as const) {
    const parsed = parseLimitedBy(bank.limitedBy[direction]);
    if (CONFIGURED.has(parsed.reason)) continue;
    const words = reasonWords(parsed, direction, bank, translate);
    parts.push(`${direction.toUpperCase()} ${bank[direction].toFixed(0)} A: ${words}`);
  }
  return parts.length > 0 ? parts.join(' · ') : undefined;
}
