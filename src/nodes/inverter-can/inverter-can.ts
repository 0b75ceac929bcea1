/**
 * The five inverter nodes (victron-can, pylontech-can, sma-can, growatt-can, byd-can): one shell,
 * parameterised by protocol. It maps config and messages to the protocol encoder and the cyclic
 * transmitter, outputs every frame as a message ({id, ext, rtr, data} like existing Node-RED CAN
 * nodes), optionally sends them through a can-bus config node, and shows state in the status.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { RealClock, type Clock } from '../../core/clock';
import type { CanBusApi, CanBusUser } from '../../transport/can-bus-api';
import type { CanFrame } from '../../transport/can-frame';
import { numberSetting } from '../shared/number-setting';
import { bankFromPayload } from './bank-input';
import {
  registerInverterProtocols,
  type EncodeOptions,
  type InverterProtocolName,
} from '../../transport/can-inverter-api';
import { InverterStatusReporter } from './node-status';
import { PROTOCOLS } from './protocols';
import { CyclicTransmitter, transmitterOptionsProblem } from './transmitter';

interface InverterConfig extends NodeDef {
  bus: string;
  profile: string;
  manufacturer: string;
  staleSec: string | number;
  silenceSec: string | number;
  linkTimeoutSec: string | number;
}

const INVERTER_NODE_TYPES: Readonly<Record<InverterProtocolName, string>> = {
  victron: 'victron-can',
  pylontech: 'pylontech-can',
  sma: 'sma-can',
  growatt: 'growatt-can',
  byd: 'byd-can',
};

type InverterProtocol = (typeof PROTOCOLS)[InverterProtocolName];

/** The node's settings read from its config; `bus` is null when the configured can-bus node does not exist. */
interface InverterSettings {
  protocol: InverterProtocol;
  encodeOptions: EncodeOptions;
  staleSec: number;
  bus: CanBusApi | null | undefined;
  timing: { staleSec: number; silenceSec: number; linkTimeoutSec: number };
}

function readSettings(RED: NodeAPI, config: InverterConfig, name: InverterProtocolName): InverterSettings {
  const protocol = PROTOCOLS[name];
  const encodeOptions: EncodeOptions = {
    profile: config.profile || protocol.profiles[0],
    ...(config.manufacturer ? { identity: { manufacturer: config.manufacturer } } : {}),
  };
  const staleSec = numberSetting(config.staleSec, 10);
  const bus = config.bus ? (RED.nodes.getNode(config.bus) as unknown as CanBusApi | null) : undefined;
  const timing = {
    staleSec,
    silenceSec: numberSetting(config.silenceSec, 60),
    linkTimeoutSec: bus ? numberSetting(config.linkTimeoutSec, 10) : 0,
  };
  return { protocol, encodeOptions, staleSec, bus, timing };
}

function settingsProblem(settings: InverterSettings): string | undefined {
  return (
    settings.protocol.validateOptions(settings.encodeOptions) ??
    transmitterOptionsProblem(settings.timing) ??
    (settings.bus === null ? 'the configured can-bus node does not exist' : undefined)
  );
}

/** A misconfigured node says why once, shows it, and fails every message with it. */
function rejectEveryInput(node: Node, problem: string): void {
  node.error(problem);
  node.status({ fill: 'red', shape: 'ring', text: problem });
  node.on('input', (_msg: NodeMessage, _send: unknown, done: (err?: Error) => void) => {
    done(new Error(problem));
  });
}

function frameMessage(type: string, frame: CanFrame): NodeMessage {
  return { topic: type, payload: { id: frame.id, ext: frame.ext, rtr: frame.rtr, data: frame.data } };
}

/** Joins the can-bus: status and inverter frames in, a warning when its bitrate does not fit the profile. */
function joinBus(
  node: Node,
  bus: CanBusApi,
  user: CanBusUser,
  transmitter: CyclicTransmitter,
  type: string,
  settings: InverterSettings,
): () => void {
  bus.register(user);
  const unsubscribe = bus.onFrame((frame) => transmitter.onInverterFrame(frame));
  const wanted = settings.protocol.bitrate(settings.encodeOptions.profile);
  if (bus.bitrate !== undefined && bus.bitrate !== wanted) {
    node.warn(
      `the can-bus runs at ${bus.bitrate} bit/s but ${type} (${settings.encodeOptions.profile}) expects ${wanted} bit/s`,
    );
  }
  return unsubscribe;
}

function handleInput(node: Node, transmitter: CyclicTransmitter, clock: Clock, staleSec: number): void {
  node.on('input', (msg: NodeMessage, _send: unknown, done: (err?: Error) => void) => {
    const bank = bankFromPayload(msg.payload, clock.now(), staleSec);
    if (!bank.ok) {
      done(new Error(bank.reason));
      return;
    }
    transmitter.update(bank.value);
    done();
  });
}

/** Runs a well-configured node: the cyclic transmitter, its frames out (and onto the bus), status, close. */
function startInverter(node: Node, settings: InverterSettings, type: string): void {
  const { protocol, encodeOptions, bus, timing } = settings;
  const clock = new RealClock();
  const reporter = new InverterStatusReporter(node);
  const transmitter = new CyclicTransmitter({
    protocol,
    encodeOptions,
    clock,
    ...timing,
    transmit: (frames) => {
      if (bus) for (const frame of frames) bus.transmit(frame);
      node.send([frames.map((frame) => frameMessage(type, frame))]);
    },
    onStatus: () => reporter.render(transmitter.status),
  });
  const user: CanBusUser = {
    id: node.id,
    canStatus: (status) => reporter.busChanged(status, transmitter.status),
  };
  const unsubscribe = bus ? joinBus(node, bus, user, transmitter, type, settings) : undefined;
  reporter.render(transmitter.status);
  handleInput(node, transmitter, clock, settings.staleSec);
  node.on('close', (_removed: boolean, done: () => void) => {
    try {
      transmitter.close();
      unsubscribe?.();
      bus?.deregister(user);
    } finally {
      done();
    }
  });
}

export = function (RED: NodeAPI) {
  // a can-bus simulated inverter finds its protocol here once Node-RED has loaded this module
  registerInverterProtocols(Object.values(PROTOCOLS));
  function register(name: InverterProtocolName, type: string): void {
    function InverterNode(this: Node, config: InverterConfig) {
      RED.nodes.createNode(this, config);
      const settings = readSettings(RED, config, name);
      const problem = settingsProblem(settings);
      if (problem) rejectEveryInput(this, problem);
      else startInverter(this, settings, type);
    }
    RED.nodes.registerType(type, InverterNode as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
  }

  for (const [name, type] of Object.entries(INVERTER_NODE_TYPES) as [InverterProtocolName, string][])
    register(name, type);

  // Registered once at module load; relative URL "inverter-can/profiles" from the editor.
  RED.httpAdmin.get('/inverter-can/profiles', RED.auth.needsPermission('inverter-can.read'), (_req, res) => {
    res.json(Object.fromEntries(Object.entries(PROTOCOLS).map(([name, p]) => [name, p.profiles])));
  });
};
