/**
 * `can-bus` config node: one CAN interface shared by the inverter nodes that name it. SocketCAN
 * (optional native package, loaded lazily; when it is absent or not compiled the inverter nodes say so
 * with the command that fixes it), an slcan adapter on a serial port, or a simulated inverter.
 * This shell maps the configuration to an interface opener; sharing, status fan-out and the bounded
 * close are transport/can-bus.ts.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { RealClock, type Clock } from '../../core/clock';
import { CanBus, type CanOpener } from '../../transport/can-bus';
import type { CanBusApi } from '../../transport/can-bus-api';
import { registeredInverterProtocol } from '../../transport/can-inverter-api';
import { SimulatedInverterChannel } from '../../transport/can-simulated-inverter';
import { SLCAN_BITRATES, SlcanChannel } from '../../transport/can-slcan';
import { SocketCanChannel } from '../../transport/can-socketcan';
import { deviceKey } from '../../transport/port-registry';
import type { InverterDrive } from '../../transport/simulated-inverter-drive';
import { driveSimulatedBank, simulatedBankSettings, type SimulatedBankConfig } from './simulated-bank-link';

interface CanBusConfig extends NodeDef, SimulatedBankConfig {
  iface: 'socketcan' | 'slcan' | 'simulated';
  device: string;
  port: string;
  bitrate: string | number;
  baudRate: string | number;
  simProtocol: string;
  simProfile: string;
}

/** Bounded close: a hung adapter must not hold a redeploy for Node-RED's 15 s close timeout. */
const CLOSE_TIMEOUT_MS = 3000;

interface CanBusNode extends Node, CanBusApi {
  /** The simulated inverter when iface is "simulated" (tests and demos read what it shows). */
  readonly inverter: SimulatedInverterChannel | undefined;
  /** The simulated inverter's drive of a simulated bank, when one is named (tests and demos). */
  readonly drive: InverterDrive | undefined;
}

/** How to open the configured interface, or why it cannot be used. */
function openerFor(config: CanBusConfig, nodeId: string, bitrate: number, clock: Clock): CanOpener | string {
  switch (config.iface) {
    case 'socketcan': {
      const iface = (config.device || '').trim();
      if (!iface) return 'no SocketCAN interface configured (e.g. can0)';
      return { key: `socketcan:${iface}`, settings: 'socketcan', open: () => new SocketCanChannel({ iface, clock }) };
    }
    case 'slcan': {
      const path = (config.port || '').trim();
      if (!path) return 'no serial port configured for the slcan adapter';
      if (!SLCAN_BITRATES[bitrate]) return `unsupported slcan bitrate ${bitrate}`;
      const baudRate = Number(config.baudRate) || 115200;
      return {
        key: `slcan:${deviceKey(path)}`,
        settings: `${bitrate} bit/s`,
        open: () => new SlcanChannel({ path, bitrate, baudRate, clock }),
      };
    }
    case 'simulated': {
      const protocol = registeredInverterProtocol(config.simProtocol);
      if (!protocol) return `unknown simulated inverter protocol "${config.simProtocol}"`;
      const encodeOptions = config.simProfile ? { profile: config.simProfile } : undefined;
      return {
        key: `simulated:${nodeId}`,
        settings: 'simulated',
        open: () => new SimulatedInverterChannel({ protocol, encodeOptions, clock }),
      };
    }
    default:
      return `unknown interface type "${String(config.iface)}"`;
  }
}

/** The simulated inverter moves the named simulated bank; returns how to stop it. */
function startDrive(node: CanBusNode, config: CanBusConfig, bus: CanBus, clock: Clock): (() => void) | undefined {
  const settings = simulatedBankSettings(config);
  const protocol = registeredInverterProtocol(config.simProtocol);
  if (typeof settings === 'string') node.error(settings);
  if (typeof settings !== 'object' || !protocol) return undefined;
  const channel = () => (bus.channel instanceof SimulatedInverterChannel ? bus.channel : undefined);
  const link = {
    get view() {
      return channel()?.view;
    },
    get lastReceivedAt() {
      return channel()?.lastReceivedAt;
    },
  };
  const { drive, stop } = driveSimulatedBank(settings, protocol.name, link, clock);
  Object.defineProperty(node, 'drive', { value: drive });
  return stop;
}

export = function (RED: NodeAPI) {
  function CanBusNode(this: CanBusNode, config: CanBusConfig) {
    RED.nodes.createNode(this, config);
    const clock = new RealClock();
    const bitrate = Number(config.bitrate) || 500000;
    const bus = new CanBus({
      opener: openerFor(config, this.id, bitrate, clock),
      clock,
      log: { error: (message) => this.error(message), warn: (message) => this.warn(message) },
      bitrate: config.iface === 'slcan' ? bitrate : undefined,
    });
    Object.defineProperty(this, 'interfaceStatus', { get: () => bus.interfaceStatus });
    Object.defineProperty(this, 'inverter', {
      get: () => (bus.channel instanceof SimulatedInverterChannel ? bus.channel : undefined),
    });
    Object.defineProperty(this, 'bitrate', { value: bus.bitrate });
    this.register = (user) => bus.register(user);
    this.deregister = (user) => bus.deregister(user);
    this.transmit = (frame) => bus.transmit(frame);
    this.onFrame = (listener) => bus.onFrame(listener);
    const stopDrive = config.iface === 'simulated' ? startDrive(this, config, bus, clock) : undefined;
    this.on('close', (_removed: boolean, done: () => void) => {
      stopDrive?.();
      void bus.close(CLOSE_TIMEOUT_MS).finally(done);
    });
  }

  RED.nodes.registerType('can-bus', CanBusNode as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
