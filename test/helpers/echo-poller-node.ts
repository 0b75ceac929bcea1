/**
 * A minimal BMS-like node for testing the bus in the real runtime: polls echo-device addresses
 * through a bms-serial-bus with the shared PackPoller and reports answers, failures and bus status.
 * (Real BMS nodes follow the same shape.)
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { parseAddressList } from '../../src/core/address-list';
import { RealClock } from '../../src/core/clock';
import type { PackState } from '../../src/core/pack-state';
import { busNodeStatus } from '../../src/nodes/shared/bus-status';
import type { BusUser, SerialBusApi } from '../../src/transport/bus-api';
import { echoFrame, echoFramer } from '../../src/transport/echo-simulator';
import { PackPoller } from '../../src/transport/pack-poller';

interface EchoPollerConfig extends NodeDef {
  bus: string;
  addresses: string;
  interval: number;
}

export = function (RED: NodeAPI) {
  function EchoPoller(this: Node, config: EchoPollerConfig) {
    RED.nodes.createNode(this, config);
    const bus = RED.nodes.getNode(config.bus) as unknown as SerialBusApi | null;
    if (!bus) {
      this.status({ fill: 'red', shape: 'ring', text: 'no bus' });
      return;
    }
    const addresses = parseAddressList(config.addresses);
    if (!addresses.ok) {
      this.status({ fill: 'red', shape: 'ring', text: addresses.reason });
      return;
    }
    const user: BusUser = { id: this.id, busStatus: (s) => this.status(busNodeStatus(s)) };
    bus.register(user);
    const poller = new PackPoller(new RealClock(), addresses.value, Number(config.interval) || 200, {
      pollPack: async (address) => {
        const answer = await bus.transact({
          address,
          request: echoFrame(address, Buffer.from('ping')),
          framer: echoFramer,
        });
        const pack: PackState = {
          kind: 'pack',
          id: `echo-${answer[1]}`,
          protocol: 'jk-pb',
          address: answer[1],
          time: Date.now(),
          voltage: 0,
          current: 0,
          soc: 0,
          cells: [],
          temperatures: [],
          chargeAllowed: false,
          dischargeAllowed: false,
          alarms: {},
        };
        return pack;
      },
      onPack: (pack) => this.send({ topic: pack.id, payload: pack }),
      onFailure: (address, err) => this.send({ topic: `echo-${address}`, error: err.message }),
    });
    poller.start();
    this.on('close', (_removed: boolean, done: () => void) => {
      poller.stop();
      bus.deregister(user);
      done();
    });
  }
  RED.nodes.registerType('test-echo-poller', EchoPoller as never);
};
