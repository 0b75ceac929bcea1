/**
 * The whole chain on simulated time, without Node-RED: simulated packs → serial port (wire time
 * optional) → SerialBus → PackPoller with the BMS node's reader → bms-rules engine (every pack message
 * and a 1 s tick) → CyclicTransmitter with an inverter encoder. Faults can be injected at every
 * layer: per-pack wire faults and battery faults, port unplug/replug, redeploy (bus, poller and
 * transmitter rebuilt; the rules resume from their persisted charge state) and restart (nothing
 * persisted). The soak, the fault-injection suite and the soak benchmark all drive this.
 */
import { BatteryModel } from '../../src/core/battery-model';
import type { PackState } from '../../src/core/pack-state';
import { type RulesConfig, resolveConfig } from '../../src/nodes/bms-rules/config';
import {
  type EngineState,
  type RulesBankState,
  createState,
  persistable,
  step,
} from '../../src/nodes/bms-rules/engine';
import type { InverterProtocol, InverterView } from '../../src/transport/can-inverter-api';
import { CyclicTransmitter } from '../../src/nodes/inverter-can/transmitter';
import type { CanFrame } from '../../src/transport/can-frame';
import { PackPoller } from '../../src/transport/pack-poller';
import { SerialBus } from '../../src/transport/serial-bus';
import type { DeviceSimulator, SimulatedPack, SimulatorHost } from '../../src/transport/simulator-api';
import { SimulatorPort } from '../../src/transport/simulator-port';
import type { PolledProtocol } from './bms-protocols';
import type { StepClock } from './step-clock';

export interface PipelineOptions {
  bms: PolledProtocol;
  inverter: InverterProtocol;
  packs: number;
  clock: StepClock;
  pollIntervalMs?: number;
  /** Emulate wire time at the protocol's baud rate (slower to simulate, realistic timing). */
  wireTime?: boolean;
  turnaroundMs?: number;
  /** Per-pack limits given to the rules. */
  maxChargeA?: number;
  maxDischargeA?: number;
  rules?: Partial<RulesConfig>;
  /** Priority polling: packs for which this is true are polled back-to-back between full cycles. */
  nearLimit?: (pack: PackState) => boolean;
  /** Alters each bank before anyone sees it: the fault suite's self-test plays a broken engine with it. */
  tamper?: (bank: RulesBankState) => void;
}

/** Everything observable after one rules step, for invariant checks. */
export interface StepEvent {
  now: number;
  bank: RulesBankState;
  fed?: PackState;
}
export interface TransmitEvent {
  now: number;
  frames: CanFrame[];
  view: InverterView;
  sentCcl: number;
  sentDcl: number;
}

/**
 * The simulated device outlives ports: unplug, replug and redeploy keep the packs' models and faults.
 * Each new SimulatorPort gets a thin view of it whose host is that port.
 */
function persistentDevice(
  o: PipelineOptions,
  addresses: number[],
): { device: DeviceSimulator; attach: (host: SimulatorHost) => DeviceSimulator } {
  let current: SimulatorHost | undefined;
  const device = o.bms.factory(
    { addresses, cells: 16, turnaroundMs: o.turnaroundMs ?? 10 },
    {
      clock: o.clock,
      send: (d) => current?.send(d),
    },
  );
  // Cells and current move a little all the time (ripple), as on a real pack: a model whose values
  // never change would be flagged frozen by the rules the moment any other pack's data moves.
  for (const p of device.packs.values()) {
    const phase = p.address * 1.7;
    p.model = new BatteryModel({
      cells: 16,
      capacityAh: 280,
      soc: 55 + p.address,
      current: (t) => Math.round(5 * Math.sin(t / 5_900 + phase) * 100) / 100,
    });
  }
  return {
    device,
    attach(host) {
      current = host;
      return {
        packs: device.packs,
        receive: (d) => device.receive(d),
        close: () => {
          if (current === host) current = undefined;
        },
      };
    },
  };
}

export class Pipeline {
  readonly addresses: number[];
  readonly cfg: RulesConfig;
  readonly device: DeviceSimulator;
  plugged = true;
  /** When each pack's last poll succeeded (ground truth for the invariants). */
  readonly lastOk = new Map<number, number>();
  last?: RulesBankState;
  lastTransmit?: TransmitEvent;
  readonly counters = { polls: 0, failures: 0, steps: 0, cycles: 0, redeploys: 0, restarts: 0, unplugs: 0 };
  onStep?: (e: StepEvent) => void;
  onTransmit?: (e: TransmitEvent) => void;

  private readonly attach: (host: SimulatorHost) => DeviceSimulator;
  private engine: EngineState;
  private bus?: SerialBus;
  private port?: SimulatorPort;
  private poller?: PackPoller;
  private transmitter?: CyclicTransmitter;
  private tick?: number;

  constructor(private readonly o: PipelineOptions) {
    this.addresses = Array.from({ length: o.packs }, (_, i) => i + 1);
    const cfg = resolveConfig({
      ...o.rules,
      packs: this.addresses.map((a) => ({
        id: `P${a}`,
        capacityAh: 280,
        maxChargeA: o.maxChargeA ?? 100,
        maxDischargeA: o.maxDischargeA ?? 100,
      })),
      systemMaxChargeA: (o.maxChargeA ?? 100) * o.packs,
      systemMaxDischargeA: (o.maxDischargeA ?? 100) * o.packs,
    });
    if (!cfg.ok) throw new Error(`rules config: ${cfg.reason}`);
    this.cfg = cfg.value;
    const d = persistentDevice(o, this.addresses);
    this.device = d.device;
    this.attach = d.attach;
    this.engine = createState(this.cfg, o.clock.now());
  }

  pack(address: number): SimulatedPack {
    return this.device.packs.get(address)!;
  }

  start(): void {
    const { clock } = this.o;
    const factory = (_options: unknown, host: SimulatorHost): DeviceSimulator => this.attach(host);
    const plugged = (): boolean => this.plugged;
    class PluggablePort extends SimulatorPort {
      override async open(): Promise<void> {
        if (!plugged()) throw new Error('ENOENT: no such file or directory (unplugged)');
        await super.open();
      }
    }
    this.bus = new SerialBus({
      clock,
      timeoutMs: 500,
      createPort: () =>
        (this.port = new PluggablePort(factory, {}, clock, this.o.wireTime ? this.o.bms.baudRate : undefined)),
    });
    this.bus.register({ id: 'bms', busStatus: () => undefined });
    const bus = this.bus;
    this.poller = new PackPoller(clock, this.addresses, this.o.pollIntervalMs ?? 1000, {
      pollPack: (a) => this.o.bms.readPack(bus, a, () => clock.now()),
      nearLimit: this.o.nearLimit,
      onPack: (p) => {
        this.counters.polls++;
        if (p.address !== undefined) this.lastOk.set(p.address, clock.now());
        this.run({ packs: [p] }, p);
      },
      onFailure: () => {
        this.counters.failures++;
      },
    });
    this.transmitter = new CyclicTransmitter({
      protocol: this.o.inverter,
      clock,
      staleSec: 10,
      silenceSec: 0,
      linkTimeoutSec: 0,
      transmit: (frames) => {
        const sent = this.transmitter?.status.sent;
        const e: TransmitEvent = {
          now: clock.now(),
          frames,
          view: this.o.inverter.decode(frames),
          sentCcl: sent?.ccl ?? NaN,
          sentDcl: sent?.dcl ?? NaN,
        };
        this.counters.cycles++;
        this.lastTransmit = e;
        this.onTransmit?.(e);
      },
    });
    this.tick = clock.setInterval(() => this.run({}), 1000);
    this.poller.start();
  }

  /** Stops everything this pipeline started (as a Node-RED stop would); the device keeps its state. */
  async stop(): Promise<void> {
    this.o.clock.clearInterval(this.tick);
    this.poller?.stop();
    this.transmitter?.close();
    await this.bus?.close();
    this.bus = undefined;
    this.port = undefined;
  }

  /** The port goes away as on a USB unplug: it closes, and reopening fails until replug. */
  async unplug(): Promise<void> {
    if (!this.plugged) return;
    this.plugged = false;
    this.counters.unplugs++;
    await this.port?.close();
  }

  replug(): void {
    this.plugged = true;
  }

  /** Redeploy: the flow's nodes are closed and re-created; the rules resume from their persisted charge state. */
  async redeploy(): Promise<void> {
    this.counters.redeploys++;
    const saved = persistable(this.engine, this.o.clock.now());
    await this.stop();
    this.engine = createState(this.cfg, this.o.clock.now(), saved);
    this.start();
  }

  /** Restart: as a redeploy, but nothing persisted survives (memory context). */
  async restart(): Promise<void> {
    this.counters.restarts++;
    await this.stop();
    this.engine = createState(this.cfg, this.o.clock.now());
    this.start();
  }

  /** Bus counters, listener counts and live timers (leak checks). */
  busInfo(): {
    counters: SerialBus['counters'] | undefined;
    listeners: Record<string, number> | undefined;
    timers: number;
  } {
    return { counters: this.bus?.counters, listeners: this.bus?.listenerCounts(), timers: this.o.clock.pending };
  }

  private run(input: { packs?: PackState[] }, fed?: PackState): void {
    const now = this.o.clock.now();
    const { bank } = step(this.engine, input, now);
    this.o.tamper?.(bank);
    this.counters.steps++;
    this.last = bank;
    this.onStep?.({ now, bank, fed });
    this.transmitter?.update(bank);
  }
}
