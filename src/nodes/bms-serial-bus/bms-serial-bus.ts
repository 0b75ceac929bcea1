/**
 * `bms-serial-bus` config node: owns one RS485/UART port (or the built-in simulator) and serves
 * every BMS node that uses it (see src/transport/serial-bus.ts for the bus rules).
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { parseAddressList } from '../../core/address-list';
import { RealClock, type Clock } from '../../core/clock';
import type { BusPort } from '../../transport/bus-port';
import { claimDevice, releaseDevice, serialised } from '../../transport/port-registry';
import { listSerialPorts } from '../../transport/port-list';
import { SerialBus } from '../../transport/serial-bus';
import { SerialDevicePort } from '../../transport/serial-port';
import type { DeviceSimulator } from '../../transport/simulator-api';
import { SimulatorPort } from '../../transport/simulator-port';
import { simulatorFactory, simulatorProtocols } from '../../transport/simulators';
import { numberSetting } from '../shared/number-setting';

interface BusConfig extends NodeDef {
  portType: 'serial' | 'simulator';
  path: string;
  baudRate: string | number;
  dataBits: string | number;
  parity: 'none' | 'even' | 'odd';
  stopBits: string | number;
  timeoutMs: string | number;
  gapMs: string | number;
  /** Poll a pack close to a limit every bus cycle (missing in flows saved before it existed: on). */
  priorityPolling?: boolean;
  simProtocol: string;
  simAddresses: string;
  simCells: string | number;
  simProfile: string;
  /** Name of a simulated bank the packs answer from (empty: each simulator has its own packs). */
  simBank?: string;
  simWireTime: boolean;
}

interface BmsSerialBusNode extends Node {
  bus: SerialBus;
  /** Read by the BMS nodes on this bus (SerialBusApi.priorityPolling). */
  priorityPolling: boolean;
  /** The in-process simulator when portType is "simulator" (tests and the demo reach it here). */
  readonly simulator: DeviceSimulator | undefined;
  /** Why this bus cannot run, if it cannot (shown on every user node). */
  configError?: string;
}

/** How the bus gets its port, and what stands in the way. */
interface PortPlan {
  createPort: () => BusPort;
  /** The serial device this node claimed (released on close). */
  deviceKey?: string;
  configError?: string;
}

function simulatorPlan(
  config: BusConfig,
  clock: Clock,
  baudRate: number,
  onPort: (port: SimulatorPort) => void,
): PortPlan {
  const factory = simulatorFactory(config.simProtocol);
  const addresses = parseAddressList(config.simAddresses || '1');
  let configError: string | undefined;
  if (!factory) configError = `unknown simulator protocol "${config.simProtocol}"`;
  else if (!addresses.ok) configError = `simulator addresses: ${addresses.reason}`;
  const createPort = (): BusPort => {
    const port = new SimulatorPort(
      factory!, // a bus without a factory has a configuration error: it fails and never opens a port
      {
        addresses: addresses.ok ? addresses.value : [1],
        cells: numberSetting(config.simCells, 16),
        profile: config.simProfile || undefined,
        bank: (config.simBank ?? '').trim() || undefined,
      },
      clock,
      config.simWireTime ? baudRate : undefined,
    );
    onPort(port);
    return port;
  };
  return { createPort, configError };
}

function serialPlan(config: BusConfig, nodeId: string, baudRate: number): PortPlan {
  const path = (config.path || '').trim();
  let configError: string | undefined;
  let deviceKey: string | undefined;
  if (!path) configError = 'no serial port path configured';
  else {
    const claim = claimDevice(path, nodeId);
    if (claim.ok) deviceKey = claim.key;
    else configError = claim.reason;
  }
  const createPort = (): BusPort =>
    new SerialDevicePort({
      path,
      baudRate,
      dataBits: numberSetting(config.dataBits, 8) as 8,
      parity: config.parity || 'none',
      stopBits: numberSetting(config.stopBits, 1) as 1,
    });
  return { createPort, deviceKey, configError };
}

export = function (RED: NodeAPI) {
  function BmsSerialBus(this: BmsSerialBusNode, config: BusConfig) {
    RED.nodes.createNode(this, config);
    const clock = new RealClock();
    const baudRate = numberSetting(config.baudRate, 115200);
    let simPort: SimulatorPort | undefined;
    const plan =
      config.portType === 'simulator'
        ? simulatorPlan(config, clock, baudRate, (port) => (simPort = port))
        : serialPlan(config, this.id, baudRate);
    if (plan.configError) this.configError = plan.configError;
    this.priorityPolling = config.priorityPolling !== false;

    const key = plan.deviceKey;
    this.bus = new SerialBus({
      createPort: plan.createPort,
      clock,
      timeoutMs: numberSetting(config.timeoutMs, 500),
      gapMs: numberSetting(config.gapMs, 0),
      serialise: key ? (fn) => serialised(key, fn) : undefined,
    });
    Object.defineProperty(this, 'simulator', { get: () => simPort?.simulator });
    if (this.configError) {
      this.error(this.configError);
      this.bus.fail(this.configError);
    }

    this.on('close', (_removed: boolean, done: () => void) => {
      this.bus
        .close()
        .catch((e: unknown) => this.warn(`closing bus: ${String(e)}`))
        .finally(() => {
          if (key) releaseDevice(key, this.id);
          done();
        });
    });
  }

  // BMS nodes call these through RED.nodes.getNode(config.bus).
  BmsSerialBus.prototype.register = function (this: BmsSerialBusNode, user: Parameters<SerialBus['register']>[0]) {
    this.bus.register(user);
  };
  BmsSerialBus.prototype.deregister = function (this: BmsSerialBusNode, user: Parameters<SerialBus['deregister']>[0]) {
    this.bus.deregister(user);
  };
  BmsSerialBus.prototype.transact = function (this: BmsSerialBusNode, t: Parameters<SerialBus['transact']>[0]) {
    return this.bus.transact(t);
  };
  BmsSerialBus.prototype.onData = function (this: BmsSerialBusNode, l: Parameters<SerialBus['onData']>[0]) {
    return this.bus.onData(l);
  };

  RED.nodes.registerType('bms-serial-bus', BmsSerialBus as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);

  // Registered once at module load; relative URL "bms-serial-bus/ports" from the editor.
  RED.httpAdmin.get('/bms-serial-bus/ports', RED.auth.needsPermission('bms-serial-bus.read'), (_req, res) => {
    listSerialPorts().then(
      (ports) => res.json(ports),
      (e: unknown) => res.status(500).json({ error: String(e) }),
    );
  });
  RED.httpAdmin.get('/bms-serial-bus/simulators', RED.auth.needsPermission('bms-serial-bus.read'), (_req, res) => {
    res.json(simulatorProtocols());
  });
};
