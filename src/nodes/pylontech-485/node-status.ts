/**
 * What the pylontech-485 node shows: port problems first (no answer reaches the inverter), then the
 * bank (none yet, stale), then what it answers with and how many polls and error answers it counted.
 */
import type { NodeStatus } from 'node-red';
import type { SlavePortState } from '../../transport/slave-port';
import type { PylonAnswerer } from './protocol-pylontech-485-answerer';
import { managementValues, socPercent } from './protocol-pylontech-485-bank';

const S = 'pylontech485.status.';

export interface PortView {
  state: SlavePortState;
  reason?: string;
}

export function pylonNodeStatus(port: PortView, answerer: PylonAnswerer): NodeStatus {
  const bank = answerer.view();
  // the reason (device in use, no such port, unplugged) says what to fix
  if (port.state === 'error') return { fill: 'red', shape: 'ring', text: port.reason ?? `${S}port-error` };
  if (port.state === 'closed') return { fill: 'grey', shape: 'ring', text: `${S}closed` };
  if (port.state === 'opening') return { fill: 'yellow', shape: 'ring', text: 'node-red:common.status.connecting' };
  if (!bank) return { fill: 'yellow', shape: 'ring', text: `${S}waiting` };
  const { polls, errors, badFrames } = answerer.counters;
  const counts = `${polls} polls` + (errors + badFrames > 0 ? `, ${errors} err, ${badFrames} bad` : '');
  if (bank.fault) return { fill: 'red', shape: 'dot', text: `${S}stale` };
  const limits = managementValues(bank);
  const summary = `${limits.cvl.toFixed(1)}V ${Math.round(limits.ccl)}/${Math.round(limits.dcl)}A ${socPercent(bank.bank)}%`;
  return { fill: polls > 0 ? 'green' : 'yellow', shape: polls > 0 ? 'dot' : 'ring', text: `${summary} · ${counts}` };
}
