/**
 * `pylontech-485` node: answers an inverter's polls on an RS485 port as one or more Pylontech
 * batteries (docs/protocols/pylontech-485.md), from the BankStates it receives like the CAN inverter
 * nodes. It owns its serial port as the slave side through the port registry, so no bus node can open
 * the same device; with the "simulated inverter" port a Voltronic/SRNE poller runs in process and its
 * readings come out of the node's output.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { parseAddressList } from '../../core/address-list';
import { RealClock, type Clock } from '../../core/clock';
import { ageProblem } from '../../core/data-age';
import { validateBankState, type BankState } from '../../core/pack-state';
import type { BusPort } from '../../transport/bus-port';
import { claimDevice, releaseDevice } from '../../transport/port-registry';
import { SerialDevicePort } from '../../transport/serial-port';
import { SimulatorPort } from '../../transport/simulator-port';
import { SlavePort, type SlavePortState } from '../../transport/slave-port';
import { numberSetting } from '../shared/number-setting';
import { createPylonInverter, type SimulatedPylonInverter } from './inverter-simulator';
import { pylonNodeStatus, type PortView } from './node-status';
import { PylonAnswerer, type AnswererSettings } from './protocol-pylontech-485-answerer';
import { MAX_CELLS } from './protocol-pylontech-485-bank';

interface PylonConfig extends NodeDef {
  portType: 'serial' | 'simulator';
  path: string;
  baudRate: string | number;
  addresses: string;
  cellCount: string | number;
  dclSign: 'negative' | 'positive';
  systemCurrentLsb?: string;
  staleSec: string | number;
  simProfile: string;
}

const RETRY_MS = 5000;
const STATUS_EVERY_MS = 1000;

function readSettings(config: PylonConfig): { settings?: AnswererSettings; problem?: string } {
  const addresses = parseAddressList(config.addresses || '2', 1, 254);
  if (!addresses.ok) return { problem: `addresses: ${addresses.reason}` };
  const cellCount = numberSetting(config.cellCount, 16);
  if (!Number.isInteger(cellCount) || cellCount < 1 || cellCount > MAX_CELLS)
    return { problem: `cells per pack must be 1…${MAX_CELLS}` };
  const staleSec = numberSetting(config.staleSec, 10);
  if (!(staleSec > 0)) return { problem: 'stale time must be above 0 s' };
  const dclSign = config.dclSign === 'positive' ? 'positive' : 'negative';
  const systemCurrentLsb = config.systemCurrentLsb === '0.01' ? 0.01 : 0.1;
  return { settings: { addresses: addresses.value, cellCount, dclSign, staleSec, systemCurrentLsb } };
}

/** The port: the serial device (claimed here), or the in-process simulated inverter. */
function portPlan(
  config: PylonConfig,
  node: Node,
  clock: Clock,
  settings: AnswererSettings,
  onInverter: (inverter: SimulatedPylonInverter) => void,
): { createPort: () => BusPort; deviceKey?: string; problem?: string } {
  const baudRate = numberSetting(config.baudRate, 9600);
  if (config.portType === 'simulator') {
    const factory: typeof createPylonInverter = (options, host) => {
      const inverter = createPylonInverter(options, host);
      onInverter(inverter);
      return inverter;
    };
    const options = { addresses: settings.addresses, profile: config.simProfile || 'voltronic' };
    return { createPort: () => new SimulatorPort(factory, options, clock, baudRate) };
  }
  const path = (config.path || '').trim();
  if (!path)
    return { createPort: () => new SerialDevicePort({ path, baudRate }), problem: 'no serial port configured' };
  const claim = claimDevice(path, node.id);
  return {
    createPort: () => new SerialDevicePort({ path, baudRate }),
    ...(claim.ok ? { deviceKey: claim.key } : { problem: claim.reason }),
  };
}

/** A BankState in msg.payload (plus an optional `cells` array in V); why not, else. */
function bankInput(
  payload: unknown,
  now: number,
  staleSec: number,
): { bank?: BankState; cells?: number[]; problem?: string } {
  const checked = validateBankState(payload);
  if (!checked.ok) return { problem: `msg.payload must be a BankState (bms-rules output): ${checked.reason}` };
  const bank = checked.value;
  const tooOld = ageProblem(bank.time, now, staleSec);
  if (tooOld) return { problem: `msg.payload.time ${tooOld}; ignored` };
  const cells = (payload as { cells?: unknown }).cells;
  const validCells =
    Array.isArray(cells) && cells.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 10)
      ? (cells as number[])
      : undefined;
  return { bank, cells: validCells };
}

function startNode(node: Node, config: PylonConfig, settings: AnswererSettings): void {
  const clock = new RealClock();
  const answerer = new PylonAnswerer(settings, clock);
  const portView: PortView = { state: 'opening' };
  let shown = '';
  const render = (): void => {
    const status = pylonNodeStatus(portView, answerer);
    if (JSON.stringify(status) !== shown) node.status(status);
    shown = JSON.stringify(status);
  };
  let unsubscribe: (() => void) | undefined;
  const plan = portPlan(config, node, clock, settings, (inverter) => {
    unsubscribe?.();
    unsubscribe = inverter.onReading((reading) => node.send({ topic: 'pylontech-485/inverter', payload: reading }));
  });
  const port = new SlavePort({
    createPort: plan.createPort,
    deviceKey: plan.deviceKey,
    clock,
    retryMs: RETRY_MS,
    onData: (data) => {
      for (const result of answerer.receive(data))
        if (result.kind === 'answered') port.write(Buffer.from(result.frame, 'latin1'));
    },
    onState: (state: SlavePortState, reason?: string) => {
      if (state === 'error' && reason && reason !== portView.reason) node.warn(`serial port: ${reason}`);
      Object.assign(portView, { state, reason });
      render();
    },
  });
  if (plan.problem) {
    node.error(plan.problem);
    Object.assign(portView, { state: 'error', reason: plan.problem });
    render();
  } else port.start();
  const statusTimer = clock.setInterval(render, STATUS_EVERY_MS);
  node.on('input', (msg: NodeMessage, _send: unknown, done: (err?: Error) => void) => {
    const input = bankInput(msg.payload, clock.now(), settings.staleSec);
    if (!input.bank) {
      done(new Error(input.problem));
      return;
    }
    // A bank in INIT or without a measured voltage has nothing true to tell the inverter: it is not taken.
    if (input.bank.chargeState !== 'init' && input.bank.voltage >= 1) answerer.setBank(input.bank, input.cells);
    render();
    done();
  });
  node.on('close', (_removed: boolean, done: () => void) => {
    clock.clearInterval(statusTimer);
    unsubscribe?.();
    port
      .close()
      .catch((error: unknown) => node.warn(`closing port: ${String(error)}`))
      .finally(() => {
        if (plan.deviceKey) releaseDevice(plan.deviceKey, node.id);
        done();
      });
  });
}

export = function (RED: NodeAPI) {
  function Pylontech485Node(this: Node, config: PylonConfig) {
    RED.nodes.createNode(this, config);
    const { settings, problem } = readSettings(config);
    if (!settings) {
      this.error(problem);
      this.status({ fill: 'red', shape: 'ring', text: problem ?? '' });
      this.on('input', (_msg: NodeMessage, _send: unknown, done: (err?: Error) => void) => done(new Error(problem)));
      return;
    }
    startNode(this, config, settings);
  }
  RED.nodes.registerType(
    'pylontech-485',
    Pylontech485Node as unknown as Parameters<NodeAPI['nodes']['registerType']>[1],
  );
};
