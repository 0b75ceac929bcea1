/**
 * `smartbms` node: listens to a 123\SmartBMS serial output on a `bms-serial-bus` (never transmits)
 * or to raw bytes in msg.payload. Output 1: a PackState per frame once every cell has been seen.
 * Output 2: communication lost (no valid frame for `staleAfter` seconds) and restored.
 * All protocol work is in listener.ts; the shared BMS shell does the Node-RED side.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { RealClock } from '../../core/clock';
import type { SerialBusApi } from '../../transport/bus-api';
import { registerSimulators } from '../../transport/simulators';
import { busNodeStatus } from '../shared/bus-status';
import { type BmsNodeParts, type Send, findBus, registerBmsNode, useBus } from '../shared/bms-node-shell';
import { BMS_DEFAULTS, BMS_MIGRATIONS, secondsSetting } from '../shared/bms-settings';
import { CommunicationEvents } from '../shared/pack-node-reporter';
import { StaleWatchdog } from '../shared/stale-watchdog';
import { StatusThrottle } from '../shared/status-throttle';
import { SmartBmsListener, type ListenerEvent } from './listener';
import { SMARTBMS_SIMULATORS } from './simulator';

interface SmartBmsConfig extends NodeDef {
  bus: string;
  /** The pack id (one pack, no address); default the node name. */
  idPrefix: string;
  temperatureFormula: string;
  /** Seconds without a valid frame before the data counts as lost. */
  staleAfter: string | number;
}

const ON_BUS =
  'smartbms: this node listens on its serial bus; raw bytes in msg.payload are only accepted without a bus';
const NOT_BYTES =
  'smartbms: msg.payload must be the raw bytes of the BMS serial output (a Buffer or an array of 0..255)';

export = function (RED: NodeAPI) {
  // the bus's simulator option finds this protocol's simulators once Node-RED has loaded this module
  registerSimulators(SMARTBMS_SIMULATORS);
  registerBmsNode<SmartBmsConfig>(RED, 'smartbms', BMS_MIGRATIONS.smartbms, (node, config) =>
    setupSmartBms(RED, node, config),
  );
};

function setupSmartBms(RED: NodeAPI, node: Node, config: SmartBmsConfig): BmsNodeParts {
  const clock = new RealClock();
  const id = (config.idPrefix || '').trim() || (config.name || '').trim() || `smartbms-${node.id}`;
  const listener = new SmartBmsListener({ id, formula: config.temperatureFormula === 'doc' ? 'doc' : 'venus' });
  const status = new StatusThrottle(node, clock);
  const comm = new CommunicationEvents(node);
  /** False while the bus reports a broken port: its own status says more than "no data". */
  let portUp = true;
  const watchdog = new StaleWatchdog(clock, secondsSetting(config.staleAfter, BMS_DEFAULTS.staleAfter, 0.1), () => {
    // Nothing stale is trusted: cells, key/values and status history start from scratch.
    listener.reset();
    comm.set(id, undefined, 'alarm', `no valid frame for ${watchdog.ms / 1000} s`);
    if (portUp) status.show({ fill: 'red', shape: 'dot', text: 'smartbms.status.noData' });
  });

  const handleEvent = (e: ListenerEvent, send: Send): void => {
    if (e.kind === 'rejected') {
      status.show({ fill: 'red', shape: 'dot', text: `rejected: ${e.reason}` });
      return;
    }
    watchdog.arm();
    // Sync losses and rejected frames (decoder or plausibility gate) alike are frames not trusted.
    const { syncLosses, rejected } = listener.counters;
    const suffix = syncLosses + rejected > 0 ? ` · ${syncLosses + rejected} bad` : '';
    if (e.kind === 'progress') {
      status.update({ fill: 'yellow', shape: 'dot', text: `${e.soc}% · ${e.seen}/${e.cellCount} cells${suffix}` });
      return;
    }
    const pack = e.pack;
    comm.heard(pack);
    send([{ topic: pack.id, payload: pack } as NodeMessage, null]);
    const cells = pack.cells.length;
    status.update({ fill: 'green', shape: 'dot', text: `${pack.soc}% · ${cells}/${cells} cells${suffix}` });
  };
  const receive = (data: Buffer, send: Send): void => {
    for (const e of listener.receive(data, clock.now())) handleEvent(e, send);
  };

  let bus: SerialBusApi | null = null;
  let release = (): void => undefined;
  if (config.bus) {
    bus = findBus(RED, node, config.bus, 'smartbms');
    if (bus) {
      release = listenOnBus(bus, node, { listener, status, receive, setPortUp: (up) => (portUp = up) });
      watchdog.arm();
    }
  } else {
    status.show({ fill: 'grey', shape: 'ring', text: 'smartbms.status.waitingInput' });
  }

  return {
    input: (msg, send) => {
      if (bus) throw new Error(ON_BUS);
      const bytes = rawBytes(msg.payload);
      if (!bytes) throw new Error(NOT_BYTES);
      watchdog.arm();
      receive(bytes, send);
    },
    close: () => {
      watchdog.stop();
      release();
    },
  };
}

interface BusListening {
  listener: SmartBmsListener;
  status: StatusThrottle;
  receive(data: Buffer, send: Send): void;
  setPortUp(up: boolean): void;
}

/** Uses the bus and hears its bytes; returns the release. */
function listenOnBus(bus: SerialBusApi, node: Node, parts: BusListening): () => void {
  const deregister = useBus(bus, node.id, (busState) => {
    const up = busState.state === 'connected';
    parts.setPortUp(up);
    if (up) {
      parts.status.show({ fill: 'yellow', shape: 'ring', text: 'smartbms.status.waiting' });
      return;
    }
    // A broken stream must be found again from scratch after the port comes back.
    parts.listener.reset();
    parts.status.show(busNodeStatus(busState));
  });
  const unsubscribe = bus.onData((data) => parts.receive(data, (m) => node.send(m)));
  return () => {
    unsubscribe();
    deregister();
  };
}

/** msg.payload as bytes: a Buffer or an array of 0..255, else undefined. */
function rawBytes(payload: unknown): Buffer | undefined {
  if (Buffer.isBuffer(payload)) return payload;
  const isBytes = Array.isArray(payload) && payload.every((b) => Number.isInteger(b) && b >= 0 && b <= 255);
  return isBytes ? Buffer.from(payload as number[]) : undefined;
}
