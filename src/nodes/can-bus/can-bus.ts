/**
 * `can-bus` config node: one CAN interface shared by the inverter nodes that name it. SocketCAN
 * (optional native package, loaded lazily; when it is absent or not compiled the inverter nodes say so
 * with the command that fixes it), an slcan adapter on a serial port, or a simulated inverter.
 * The interface opens with the first user and is shared process-wide with any other can-bus node
 * naming the same device; its status is fanned out to every user.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { RealClock } from '../../core/clock';
import type { CanBusApi, CanBusUser } from '../../transport/can-bus-api';
import type { CanChannel, CanStatus } from '../../transport/can-channel';
import type { CanFrame } from '../../transport/can-frame';
import { registeredInverterProtocol } from '../../transport/can-inverter-api';
import { acquireCanChannel, type CanLease } from '../../transport/can-registry';
import { SimulatedInverterChannel } from '../../transport/can-simulated-inverter';
import { SLCAN_BITRATES, SlcanChannel } from '../../transport/can-slcan';
import { SocketCanChannel } from '../../transport/can-socketcan';
import { deviceKey } from '../../transport/port-registry';

interface CanBusConfig extends NodeDef {
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

interface Opener {
  key: string;
  settings: string;
  open: () => CanChannel;
}

interface CanBusNode extends Node, CanBusApi {
  /** The simulated inverter when iface is "simulated" (tests and demos read what it shows). */
  readonly inverter: SimulatedInverterChannel | undefined;
}

export = function (RED: NodeAPI) {
  function CanBus(this: CanBusNode, config: CanBusConfig) {
    RED.nodes.createNode(this, config);
    const clock = new RealClock();
    const users = new Map<string, CanBusUser>();
    const frameListeners = new Set<(frame: CanFrame) => void>();
    const unsubscribe: (() => void)[] = [];
    let lease: CanLease | undefined;
    let problem: string | undefined;
    const bitrate = Number(config.bitrate) || 500000;

    const opener = ((): Opener | string => {
      switch (config.iface) {
        case 'socketcan': {
          const iface = (config.device || '').trim();
          if (!iface) return 'no SocketCAN interface configured (e.g. can0)';
          return {
            key: `socketcan:${iface}`,
            settings: 'socketcan',
            open: () => new SocketCanChannel({ iface, clock }),
          };
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
            key: `simulated:${this.id}`,
            settings: 'simulated',
            open: () => new SimulatedInverterChannel({ protocol, encodeOptions, clock }),
          };
        }
        default:
          return `unknown interface type "${String(config.iface)}"`;
      }
    })();
    if (typeof opener === 'string') {
      problem = opener;
      this.error(problem);
    }

    const status = (): CanStatus =>
      problem ? { state: 'error', reason: problem } : (lease?.channel.status ?? { state: 'connecting' });

    const fanOut = (s: CanStatus): void => {
      for (const u of users.values()) u.canStatus(s);
    };

    const ensureOpen = (): void => {
      if (lease || problem || typeof opener === 'string') return;
      try {
        lease = acquireCanChannel(opener.key, opener.settings, opener.open);
      } catch (e) {
        problem = (e as Error).message;
        this.error(problem);
        return;
      }
      // The node statuses show a short fix; the log gets the whole reason (e.g. socketcan not built).
      const opened = lease.channel.status;
      if (opened.state === 'unavailable') this.error(opened.reason);
      unsubscribe.push(
        lease.channel.onStatus(fanOut),
        lease.channel.onFrame((f) => {
          for (const l of [...frameListeners]) l(f);
        }),
      );
    };

    Object.defineProperty(this, 'interfaceStatus', { get: status });
    Object.defineProperty(this, 'inverter', {
      get: () => (lease?.channel instanceof SimulatedInverterChannel ? lease.channel : undefined),
    });
    Object.defineProperty(this, 'bitrate', { value: config.iface === 'slcan' ? bitrate : undefined });

    this.register = (user: CanBusUser): void => {
      users.set(user.id, user);
      ensureOpen();
      user.canStatus(status());
    };
    this.deregister = (user: CanBusUser): void => {
      users.delete(user.id);
    };
    this.transmit = (frame: CanFrame): void => {
      lease?.channel.send(frame);
    };
    this.onFrame = (listener: (frame: CanFrame) => void): (() => void) => {
      frameListeners.add(listener);
      return () => {
        frameListeners.delete(listener);
      };
    };

    this.on('close', (_removed: boolean, done: () => void) => {
      for (const u of unsubscribe.splice(0)) u();
      frameListeners.clear();
      users.clear();
      const held = lease;
      lease = undefined;
      if (!held) {
        done();
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.warn('CAN interface did not close in time');
          resolve();
        }, CLOSE_TIMEOUT_MS);
      });
      Promise.race([held.release(), timeout])
        .catch((e: unknown) => this.warn(`closing CAN interface: ${String(e)}`))
        .finally(() => {
          clearTimeout(timer);
          done();
        });
    });
  }

  RED.nodes.registerType('can-bus', CanBus as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
