/**
 * The five inverter nodes (victron-can, pylontech-can, sma-can, growatt-can, byd-can): one shell,
 * parameterised by protocol. It maps config and messages to the protocol encoder and the cyclic
 * transmitter, outputs every frame as a message ({id, ext, rtr, data} like existing Node-RED CAN
 * nodes), optionally sends them through a can-bus config node, and shows state in the status.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from 'node-red';
import { RealClock } from '../../core/clock';
import type { CanBusApi, CanBusUser } from '../../transport/can-bus-api';
import type { CanStatus } from '../../transport/can-channel';
import type { CanFrame } from '../../transport/can-frame';
import { numberSetting } from '../shared/number-setting';
import { bankFromPayload } from './bank-input';
import {
  registerInverterProtocols,
  type EncodeOptions,
  type InverterProtocolName,
} from '../../transport/can-inverter-api';
import { PROTOCOLS } from './protocols';
import { CyclicTransmitter, transmitterOptionsProblem, type TransmitterStatus } from './transmitter';

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

const S = 'inverterCan.status.';

/** What the node shows: interface problems first (frames do not reach the inverter), then the transmitter. */
function inverterNodeStatus(tx: TransmitterStatus, bus: CanStatus | undefined): NodeStatus {
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
  const b = tx.sent;
  const summary = b ? `${b.cvl.toFixed(1)}V ${Math.round(b.ccl)}/${Math.round(b.dcl)}A ${Math.round(b.soc)}%` : '';
  return { fill: 'green', shape: 'dot', text: summary };
}

function frameMessage(type: string, frame: CanFrame): NodeMessage {
  return { topic: type, payload: { id: frame.id, ext: frame.ext, rtr: frame.rtr, data: frame.data } };
}

export = function (RED: NodeAPI) {
  // a can-bus simulated inverter finds its protocol here once Node-RED has loaded this module
  registerInverterProtocols(Object.values(PROTOCOLS));
  function register(name: InverterProtocolName, type: string): void {
    function InverterNode(this: Node, config: InverterConfig) {
      RED.nodes.createNode(this, config);
      const protocol = PROTOCOLS[name];
      const clock = new RealClock();
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
      const problem =
        protocol.validateOptions(encodeOptions) ??
        transmitterOptionsProblem(timing) ??
        (bus === null ? 'the configured can-bus node does not exist' : undefined);

      if (problem) {
        this.error(problem);
        this.status({ fill: 'red', shape: 'ring', text: problem });
        this.on('input', (_msg: NodeMessage, _send: unknown, done: (err?: Error) => void) => {
          done(new Error(problem));
        });
        return;
      }

      let busStatus: CanStatus | undefined;
      let shown = '';
      let warnedBusReason = '';
      let warnedCommand = false;
      let silenced = false;
      const logSilence = (state: TransmitterStatus['state']): void => {
        if (state === 'stopped' && !silenced) {
          silenced = true;
          this.warn('silenced: the bank is in fail-safe (stopCan); nothing goes to the inverter');
        } else if (silenced && (state === 'transmitting' || state === 'stale')) {
          silenced = false;
          this.warn('resumed: a valid bank without stopCan came; sending to the inverter again');
        }
      };
      const render = (): void => {
        if (transmitter.status.command === 'shutdown' && !warnedCommand) {
          warnedCommand = true;
          this.warn('the inverter requested a battery shutdown');
        }
        logSilence(transmitter.status.state);
        const s = inverterNodeStatus(transmitter.status, busStatus);
        const key = JSON.stringify(s);
        if (key !== shown) {
          shown = key;
          this.status(s);
        }
      };

      const transmitter = new CyclicTransmitter({
        protocol,
        encodeOptions,
        clock,
        ...timing,
        transmit: (frames) => {
          if (bus) for (const f of frames) bus.transmit(f);
          this.send([frames.map((f) => frameMessage(type, f))]);
        },
        onStatus: render,
      });

      const user: CanBusUser = {
        id: this.id,
        canStatus: (s) => {
          busStatus = s;
          // The reason (missing package, unplugged adapter…) goes to the log once per change.
          const reason = 'reason' in s ? s.reason : '';
          if (reason && reason !== warnedBusReason) this.warn(`CAN interface: ${reason}`);
          warnedBusReason = reason;
          render();
        },
      };
      let unsubscribe: (() => void) | undefined;
      if (bus) {
        bus.register(user);
        unsubscribe = bus.onFrame((f) => transmitter.onInverterFrame(f));
        const wanted = protocol.bitrate(encodeOptions.profile);
        if (bus.bitrate !== undefined && bus.bitrate !== wanted) {
          this.warn(
            `the can-bus runs at ${bus.bitrate} bit/s but ${type} (${encodeOptions.profile}) expects ${wanted} bit/s`,
          );
        }
      }
      render();

      this.on('input', (msg: NodeMessage, _send: unknown, done: (err?: Error) => void) => {
        const bank = bankFromPayload(msg.payload, clock.now(), staleSec);
        if (!bank.ok) {
          done(new Error(bank.reason));
          return;
        }
        transmitter.update(bank.value);
        done();
      });

      this.on('close', (_removed: boolean, done: () => void) => {
        try {
          transmitter.close();
          unsubscribe?.();
          bus?.deregister(user);
        } finally {
          done();
        }
      });
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
