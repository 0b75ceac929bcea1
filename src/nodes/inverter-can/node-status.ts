/**
 * What an inverter node shows and logs: its status (interface problems first, then the transmitter),
 * set only when it changes, and one log line per transition worth knowing (shutdown request, silence,
 * resume, CAN interface reason).
 */
import type { NodeStatus } from 'node-red';
import type { CanStatus } from '../../transport/can-channel';
import type { TransmitterStatus } from './transmitter';

const S = 'inverterCan.status.';

/** What the node shows: interface problems first (frames do not reach the inverter), then the transmitter. */
export function inverterNodeStatus(tx: TransmitterStatus, bus: CanStatus | undefined): NodeStatus {
  if (bus) {
    switch (bus.state) {
      case 'unavailable':
        return { fill: 'red', shape: 'ring', text: `${S}${bus.problem}` };
      case 'disconnected':
        return { fill: 'red', shape: 'ring', text: `${S}bus-disconnected` };
      case 'error':
        return { fill: 'red', shape: 'ring', text: `${S}bus-error` };
      case 'closed':
        return { fill: 'grey', shape: 'ring', text: `${S}bus-closed` };
      case 'connecting':
        return { fill: 'yellow', shape: 'ring', text: 'node-red:common.status.connecting' };
      case 'connected':
        break;
    }
  }
  if (tx.command === 'shutdown') return { fill: 'red', shape: 'dot', text: `${S}shutdown-request` };
  switch (tx.state) {
    case 'waiting':
      return { fill: 'yellow', shape: 'ring', text: `${S}waiting` };
    case 'stopped':
      // Not idle: bms-rules holds the inverter without data on purpose (its fail-safe).
      return { fill: 'red', shape: 'ring', text: `${S}silenced` };
    case 'silent':
      return { fill: 'red', shape: 'ring', text: `${S}silent` };
    case 'closed':
      return { fill: 'grey', shape: 'ring', text: `${S}closed` };
    case 'stale':
      return { fill: 'red', shape: 'dot', text: `${S}stale` };
    case 'transmitting':
      break;
  }
  if (tx.link === 'waiting') return { fill: 'yellow', shape: 'ring', text: `${S}link-waiting` };
  if (tx.link === 'lost') return { fill: 'yellow', shape: 'dot', text: `${S}link-lost` };
  const sent = tx.sent;
  const summary = sent
    ? `${sent.cvl.toFixed(1)}V ${Math.round(sent.ccl)}/${Math.round(sent.dcl)}A ${Math.round(sent.soc)}%`
    : '';
  return { fill: 'green', shape: 'dot', text: summary };
}

/** The part of a Node-RED node the reporter uses. */
export interface StatusTarget {
  warn(message: string): void;
  status(status: NodeStatus): void;
}

export class InverterStatusReporter {
  private busStatus: CanStatus | undefined;
  private shown = '';
  private warnedBusReason = '';
  private warnedCommand = false;
  private silenced = false;

  constructor(private readonly node: StatusTarget) {}

  busChanged(status: CanStatus, tx: TransmitterStatus): void {
    this.busStatus = status;
    // The reason (missing package, unplugged adapter…) goes to the log once per change.
    const reason = 'reason' in status ? status.reason : '';
    if (reason && reason !== this.warnedBusReason) this.node.warn(`CAN interface: ${reason}`);
    this.warnedBusReason = reason;
    this.render(tx);
  }

  render(tx: TransmitterStatus): void {
    if (tx.command === 'shutdown' && !this.warnedCommand) {
      this.warnedCommand = true;
      this.node.warn('the inverter requested a battery shutdown');
    }
    this.logSilence(tx.state);
    const status = inverterNodeStatus(tx, this.busStatus);
    const key = JSON.stringify(status);
    if (key !== this.shown) {
      this.shown = key;
      this.node.status(status);
    }
  }

  private logSilence(state: TransmitterStatus['state']): void {
    if (state === 'stopped' && !this.silenced) {
      this.silenced = true;
      this.node.warn('silenced: the bank is in fail-safe (stopCan); nothing goes to the inverter');
    } else if (this.silenced && (state === 'transmitting' || state === 'stale')) {
      this.silenced = false;
      this.node.warn('resumed: a valid bank without stopCan came; sending to the inverter again');
    }
  }
}
