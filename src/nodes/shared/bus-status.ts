/**
 * How a node shows the status of the bus it uses (fanned out by the bus to every user).
 * Node-RED's own keys for the connection states; the reason text when there is one.
 */
import type { NodeStatus } from 'node-red';
import type { BusStatus } from '../../transport/bus-api';

export function busNodeStatus(s: BusStatus): NodeStatus {
  switch (s.state) {
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: 'node-red:common.status.connecting' };
    case 'connected':
      return { fill: 'green', shape: 'ring', text: 'node-red:common.status.connected' };
    case 'disconnected':
      return {
        fill: 'red',
        shape: 'ring',
        text: s.reason ? `disconnected: ${s.reason}` : 'node-red:common.status.disconnected',
      };
    case 'error':
      return { fill: 'red', shape: 'ring', text: s.reason };
  }
}
