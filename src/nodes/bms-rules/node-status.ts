/**
 * The bms-rules node status: say what is true. FAILSAFE (INIT included) and BLIND in red with how long
 * the data has been missing; otherwise mode, packs online, CCL/DCL and CVL, and why a limit is below its
 * configured maximum; packs sending data without being configured, packs whose data arrives old by its
 * own time, and a store that does not persist, are added at the end.
 */
import type { NodeStatus } from 'node-red';
import type { RulesConfig } from './config';
import type { RulesBankState } from './engine';
import { humanDuration } from './health';
import { noDataFor } from './events';
import type { Translate } from './limit-reasons';

export type { Translate } from './limit-reasons';

/** How long a reason for a limit stays in the status before another may replace it. */
export const REASON_HOLD_MS = 5000;
/** Unconfigured pack ids named in the status; more are counted only. */
const UNCONFIGURED_NAMED = 3;

const FILL: Record<RulesBankState['mode'], NodeStatus['fill']> = {
  normal: 'green',
  degraded: 'yellow',
  blind: 'red',
  failsafe: 'red',
};

export interface StatusContext {
  config: RulesConfig;
  persisted: boolean;
  startedAt: number;
  translate: Translate;
}

/** What the node knows beyond the bank state: packs not configured, and why the limits are held down. */
export interface StatusNotes {
  unconfigured: string[];
  /** from limitReasons(), held by HeldText */
  limits?: string;
}

/**
 * A text that may change at most once per `holdMs` (so the status does not flicker between two reasons
 * every second); it appears and disappears at once.
 */
export class HeldText {
  private text?: string;
  private since = -Infinity;

  constructor(private readonly holdMs: number) {}

  next(text: string | undefined, now: number): string | undefined {
    if (text === undefined || this.text === undefined || now - this.since >= this.holdMs) {
      this.text = text;
      this.since = now;
    }
    return this.text;
  }
}

function unconfiguredText(ids: string[], translate: Translate): string {
  if (ids.length === 0) return '';
  const named = ids.slice(0, UNCONFIGURED_NAMED).join(', ') + (ids.length > UNCONFIGURED_NAMED ? ', …' : '');
  const key = ids.length === 1 ? 'unconfiguredOne' : 'unconfiguredMany';
  return ` · ${translate(`bmsRules.status.${key}`, { count: ids.length, ids: named })}`;
}

export function bankStatus(
  bank: RulesBankState,
  context: StatusContext,
  notes: StatusNotes = { unconfigured: [] },
): NodeStatus {
  const { config, translate } = context;
  // which pack's data arrives old by its own time, and by how much
  const late = Object.entries(bank.packStates)
    .filter(([, p]) => p.delaySec !== null && p.delaySec > config.staleSec)
    .map(([id, p]) => ` · ${id} data ${humanDuration(p.delaySec! * 1000)} old`)
    .join('');
  const suffix =
    unconfiguredText(notes.unconfigured, translate) +
    late +
    (context.persisted ? '' : ` · ${translate('bmsRules.status.notPersisted')}`);
  const limits = `${bank.ccl.toFixed(0)}/${bank.dcl.toFixed(0)} A`;
  const noData = { duration: humanDuration(noDataFor(bank, context.startedAt)) };
  let text: string;
  if (bank.mode === 'failsafe') {
    const counts = { online: bank.packs.online, total: bank.packs.total, needed: config.minPacksOnline };
    const waiting = bank.chargeState === 'init' ? 'failsafeWaiting' : 'failsafeTooFew';
    const why =
      bank.packs.online === 0
        ? translate('bmsRules.status.failsafe', noData)
        : translate(`bmsRules.status.${waiting}`, counts);
    text = bank.stopCan ? `${why} · ${translate('bmsRules.status.stopCan')}` : why;
  } else if (bank.mode === 'blind') {
    text = `${translate('bmsRules.status.blind', noData)} · ${limits}`;
  } else {
    text = `${bank.mode} · ${bank.packs.online}/${bank.packs.total} · ${limits} · ${bank.cvl.toFixed(1)} V`;
    if (notes.limits) text += ` · ${notes.limits}`;
  }
  return { fill: FILL[bank.mode], shape: bank.mode === 'normal' ? 'dot' : 'ring', text: text + suffix };
}
