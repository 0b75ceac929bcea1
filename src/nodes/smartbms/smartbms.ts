/**
 * `smartbms` node: listens to a 123\SmartBMS serial output on a `bms-serial-bus` (never transmits)
 * or to raw bytes in msg.payload. Output 1: a PackState per frame once every cell has been seen.
 * Output 2: communication lost (no valid frame within the data timeout) and restored.
 * All protocol work is in listener.ts; this shell maps config, owns the data-loss timer and status.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from 'node-red';
import { RealClock, type TimerId } from '../../core/clock';
import type { BusUser, SerialBusApi } from '../../transport/bus-api';
import { busNodeStatus } from '../bus/bus-status';
import { CommunicationEvents, findBus } from '../bus/pack-node-reporter';
import { SmartBmsListener, type ListenerEvent } from './listener';

interface SmartBmsConfig extends NodeDef {
  bus: string;
  packId: string;
  temperatureFormula: string;
  /** Seconds without a valid frame before the data counts as lost. */
  dataTimeout: string | number;
}

/** Status text updates at most this often (every change goes to every open editor). */
const STATUS_EVERY_MS = 1000;

export = function (RED: NodeAPI) {
  function SmartBmsNode(this: Node, config: SmartBmsConfig) {
    RED.nodes.createNode(this, config);
    const clock = new RealClock();
    const id = (config.packId || '').trim() || (config.name || '').trim() || `smartbms-${this.id}`;
    const listener = new SmartBmsListener({ id, formula: config.temperatureFormula === 'doc' ? 'doc' : 'venus' });
    const timeoutS = Number(config.dataTimeout);
    const dataTimeoutMs = (Number.isFinite(timeoutS) && timeoutS > 0 ? timeoutS : 10) * 1000;
    const comm = new CommunicationEvents(this);
    let watchdog: TimerId | undefined;
    /** False while the bus reports a broken port: its own status says more than "no data". */
    let portUp = true;
    let shown: NodeStatus = {};
    let shownAt = 0;

    const show = (s: NodeStatus, throttle = false): void => {
      const now = clock.now();
      if (throttle && s.fill === shown.fill && s.shape === shown.shape && now - shownAt < STATUS_EVERY_MS) return;
      shown = s;
      shownAt = now;
      this.status(s);
    };

    const armWatchdog = (): void => {
      clock.clearTimeout(watchdog);
      watchdog = clock.setTimeout(() => {
        // Nothing stale is trusted: cells, key/values and status history start from scratch.
        listener.reset();
        comm.set(id, undefined, 'alarm', `no valid frame for ${dataTimeoutMs / 1000} s`);
        if (portUp) show({ fill: 'red', shape: 'dot', text: 'smartbms.status.noData' });
      }, dataTimeoutMs);
    };

    type Send = (msg: Array<NodeMessage | null>) => void;
    const handleEvent = (e: ListenerEvent, send: Send): void => {
      if (e.kind === 'rejected') {
        show({ fill: 'red', shape: 'dot', text: `rejected: ${e.reason}` });
        return;
      }
      armWatchdog();
      // Sync losses and rejected frames (decoder or plausibility gate) alike are frames not trusted.
      const { syncLosses, rejected } = listener.counters;
      const suffix = syncLosses + rejected > 0 ? ` · ${syncLosses + rejected} bad` : '';
      if (e.kind === 'progress') {
        show({ fill: 'yellow', shape: 'dot', text: `${e.soc}% · ${e.seen}/${e.cellCount} cells${suffix}` }, true);
        return;
      }
      const p = e.pack;
      comm.heard(p);
      send([{ topic: p.id, payload: p } as NodeMessage, null]);
      show(
        { fill: 'green', shape: 'dot', text: `${p.soc}% · ${p.cells.length}/${p.cells.length} cells${suffix}` },
        true,
      );
    };

    const receive = (data: Buffer, send: Send): void => {
      for (const e of listener.receive(data, clock.now())) handleEvent(e, send);
    };

    let bus: SerialBusApi | null = null;
    let unsubscribe: (() => void) | undefined;
    let user: BusUser | undefined;
    if (config.bus) {
      bus = findBus(RED, this, config.bus, 'smartbms');
      if (bus) {
        user = {
          id: this.id,
          busStatus: (s) => {
            portUp = s.state === 'connected';
            if (portUp) {
              show({ fill: 'yellow', shape: 'ring', text: 'smartbms.status.waiting' });
              return;
            }
            // A broken stream must be found again from scratch after the port comes back.
            listener.reset();
            show(busNodeStatus(s));
          },
        };
        bus.register(user);
        unsubscribe = bus.onData((data) => receive(data, (m) => this.send(m)));
        armWatchdog();
      }
    } else {
      show({ fill: 'grey', shape: 'ring', text: 'smartbms.status.waitingInput' });
    }

    this.on('input', (msg, send, done) => {
      if (bus) {
        done(
          new Error(
            'smartbms: this node listens on its serial bus; raw bytes in msg.payload are only accepted without a bus',
          ),
        );
        return;
      }
      const payload = (msg as { payload?: unknown }).payload;
      const bytes = Buffer.isBuffer(payload)
        ? payload
        : Array.isArray(payload) && payload.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)
          ? Buffer.from(payload as number[])
          : undefined;
      if (!bytes) {
        done(
          new Error(
            'smartbms: msg.payload must be the raw bytes of the BMS serial output (a Buffer or an array of 0..255)',
          ),
        );
        return;
      }
      armWatchdog();
      receive(bytes, (m) => send(m));
      done();
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      try {
        clock.clearTimeout(watchdog);
        unsubscribe?.();
        if (bus && user) bus.deregister(user);
      } finally {
        done();
      }
    });
  }

  RED.nodes.registerType('smartbms', SmartBmsNode as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
