/** Every inverter protocol by name (node shells, can-bus simulated inverter, `cellsafe encode`). */
import type { InverterProtocol, InverterProtocolName } from '../../transport/can-inverter-api';
import { bydProtocol } from './protocol-byd';
import { growattProtocol } from './protocol-growatt';
import { pylontechProtocol } from './protocol-pylontech';
import { smaProtocol } from './protocol-sma';
import { victronProtocol } from './protocol-victron';

export const PROTOCOLS: Record<InverterProtocolName, InverterProtocol> = {
  victron: victronProtocol,
  pylontech: pylontechProtocol,
  sma: smaProtocol,
  growatt: growattProtocol,
  byd: bydProtocol,
};

export function protocolByName(name: string): InverterProtocol | undefined {
  return Object.prototype.hasOwnProperty.call(PROTOCOLS, name) ? PROTOCOLS[name as InverterProtocolName] : undefined;
}
