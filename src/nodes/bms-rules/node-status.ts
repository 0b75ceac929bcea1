/**
 * The bms-rules node status: say what is true. FAILSAFE (INIT included) and BLIND in red with how long
 * the data has been missing; otherwise mode, packs online, CCL/DCL and CVL; packs whose data arrives old
 * by its own time, and a store that does not persist, are added at the end.
 */
import type { NodeStatus } from 'node-red';
import type { RulesConfig } from './config';
import type { RulesBankState } from './engine';
import { humanDuration } from './health';
import { noDataFor } from './events';

export type Translate = (key: string, params?: Record<string, string | number>) => string;

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

export function bankStatus(bank: RulesBankState, context: StatusContext): NodeStatus {
  const { config, translate } = context;
  // which pack's data arrives old by its own time, and by how much
  const late = Object.entries(bank.packStates)
    .filter(([, p]) => p.delaySec !== null && p.delaySec > config.staleSec)
    .map(([id, p]) => ` · ${id} data ${humanDuration(p.delaySec! * 1000)} old`)
    .join('');
  const suffix = late + (context.persisted ? '' : ` · ${translate('bmsRules.status.notPersisted')}`);
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
  }
  return { fill: FILL[bank.mode], shape: bank.mode === 'normal' ? 'dot' : 'ring', text: text + suffix };
}
