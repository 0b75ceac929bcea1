/**
 * A simulated inverter on the Pylontech RS485 bus: the master side. It polls one battery address the
 * way a brand does (Voltronic/Axpert: 0x4F once, then 0x42 and 0x92; SRNE: 0x61, 0x62, 0x63), decodes
 * each answer with the protocol decoders and reports what it read once per poll cycle. It runs on the
 * in-process simulator port (the node's "simulated inverter" option), on a pty in tests, and in
 * `cellsafe simulate --protocol pylontech-485-inverter`. Takes a Clock; no Node-RED import.
 */
import { asciiHexFramer } from '../../transport/ascii-hex-frame';
import { takeFrame } from '../../transport/framer';
import type {
  DeviceSimulator,
  SimulatedPack,
  SimulatorFactory,
  SimulatorHost,
  SimulatorOptions,
} from '../../transport/simulator-api';
import { COMMAND, FIRST_PACK_ADDRESS, buildRequest, commandHex, parseAnswer } from './protocol-pylontech-485';
import {
  ALARM_STATE,
  STATUS1,
  decodeAlarms,
  decodeAnalog,
  decodeManagement,
  type Management,
} from './protocol-pylontech-485-pack';
import { SYSTEM_BITS_1, SYSTEM_BITS_2, decodeSystemAlarms, decodeSystemAnalog } from './protocol-pylontech-485-system';

export interface InverterProfile {
  /** Sent once when polling starts. */
  first: number[];
  /** Sent every cycle, in order, each after the previous answer (or its timeout). */
  cycle: number[];
  cycleMs: number;
  /** How long the inverter waits for an answer. */
  timeoutMs: number;
}

/** Poll sets of the brands (docs/protocols/pylontech-485.md#inverter-brands); about one cycle a second. */
export const INVERTER_PROFILES: Record<string, InverterProfile> = {
  voltronic: {
    first: [COMMAND.protocolVersion],
    cycle: [COMMAND.analog, COMMAND.management],
    cycleMs: 1000,
    timeoutMs: 500,
  },
  srne: {
    first: [],
    cycle: [COMMAND.systemAnalog, COMMAND.systemAlarms, COMMAND.systemManagement],
    cycleMs: 1000,
    timeoutMs: 500,
  },
  full: {
    first: [COMMAND.protocolVersion],
    cycle: [COMMAND.analog, COMMAND.alarms, COMMAND.management, COMMAND.systemAlarms],
    cycleMs: 1000,
    timeoutMs: 500,
  },
};

/** What the inverter read in one poll cycle (fields it did not poll stay undefined). */
export interface InverterReading {
  time: number;
  address: number;
  cvl?: number;
  dvl?: number;
  ccl?: number;
  /** As sent: negative from a real-pack style 0x92. */
  dcl?: number;
  chargeEnable?: boolean;
  dischargeEnable?: boolean;
  forceCharge?: boolean;
  soc?: number;
  voltage?: number;
  current?: number;
  packCount?: number;
  /** Names of alarm and stop flags seen. */
  alarms: string[];
  /** Requests that got no answer, an error RTN or a bad frame, with the reason. */
  problems: string[];
}

type Reading = Omit<InverterReading, 'time' | 'address'>;

const STATUS1_NAMES: [string, number][] = Object.entries(STATUS1);
const SYSTEM_1_NAMES: [string, number][] = Object.entries(SYSTEM_BITS_1);
const SYSTEM_2_NAMES: [string, number][] = Object.entries(SYSTEM_BITS_2);
const bitNames = (byte: number, table: [string, number][], prefix = ''): string[] =>
  table.filter(([, bit]) => (byte & bit) !== 0).map(([name]) => prefix + name);

function readManagement(reading: Reading, m: Management): void {
  Object.assign(reading, { cvl: m.cvl, dvl: m.dvl, ccl: m.ccl, dcl: m.dcl });
  Object.assign(reading, { chargeEnable: m.chargeEnable, dischargeEnable: m.dischargeEnable });
  reading.forceCharge = m.chargeImmediately1 || m.chargeImmediately2;
  if (!m.chargeEnable) reading.alarms.push('chargeDisabled');
  if (!m.dischargeEnable) reading.alarms.push('dischargeDisabled');
}

/** Decodes one answer INFO into the reading; the reason when it does not decode. */
export function readAnswer(reading: Reading, cid2: number, info: Buffer): string | undefined {
  switch (cid2) {
    case COMMAND.analog: {
      const analog = decodeAnalog(info);
      if (!analog.ok) return analog.reason;
      const { packs } = analog.value;
      const remaining = packs.reduce((sum, p) => sum + p.remainingAh, 0);
      const total = packs.reduce((sum, p) => sum + p.totalAh, 0);
      reading.packCount = packs.length;
      reading.voltage = packs[0].voltage;
      reading.current = packs.reduce((sum, p) => sum + p.current, 0);
      reading.soc = total > 0 ? (remaining / total) * 100 : 0;
      return undefined;
    }
    case COMMAND.alarms: {
      const alarms = decodeAlarms(info);
      if (!alarms.ok) return alarms.reason;
      for (const block of alarms.value.packs) {
        reading.alarms.push(...bitNames(block.status[0], STATUS1_NAMES));
        if (block.moduleVoltageState === ALARM_STATE.otherError) reading.alarms.push('moduleError');
      }
      return undefined;
    }
    case COMMAND.management:
    case COMMAND.systemManagement: {
      const m = decodeManagement(info, cid2 === COMMAND.management);
      if (!m.ok) return m.reason;
      readManagement(reading, m.value);
      return undefined;
    }
    case COMMAND.systemAnalog: {
      const s = decodeSystemAnalog(info);
      if (!s.ok) return s.reason;
      Object.assign(reading, { voltage: s.value.voltage, current: s.value.current, soc: s.value.soc });
      return undefined;
    }
    case COMMAND.systemAlarms: {
      const a = decodeSystemAlarms(info);
      if (!a.ok) return a.reason;
      reading.alarms.push(
        ...bitNames(a.value.alarm1, SYSTEM_1_NAMES, 'warn:'),
        ...bitNames(a.value.alarm2, SYSTEM_2_NAMES, 'warn:'),
        ...bitNames(a.value.protection1, SYSTEM_1_NAMES),
        ...bitNames(a.value.protection2, SYSTEM_2_NAMES),
      );
      return undefined;
    }
    default:
      return undefined;
  }
}

export class SimulatedPylonInverter implements DeviceSimulator {
  /** No packs: this simulates the inverter, not a battery. */
  readonly packs = new Map<number, SimulatedPack>();
  /** The last complete cycle's reading. */
  last?: InverterReading;
  private readonly listeners = new Set<(reading: InverterReading) => void>();
  private queue: number[] = [];
  private firstCycle = true;
  private waitingFor?: number;
  private reading: Reading = { alarms: [], problems: [] };
  private received = Buffer.alloc(0);
  private timeoutTimer?: number;
  private readonly cycleTimer: number;
  private closed = false;

  constructor(
    private readonly host: SimulatorHost,
    private readonly profile: InverterProfile,
    readonly address: number,
    private readonly report?: (text: string) => void,
  ) {
    this.cycleTimer = host.clock.setInterval(() => this.startCycle(), profile.cycleMs);
  }

  onReading(listener: (reading: InverterReading) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  receive(data: Buffer): void {
    this.received = Buffer.concat([this.received, data]);
    for (;;) {
      const { frame, rest } = takeFrame(this.received, asciiHexFramer);
      this.received = Buffer.from(rest);
      if (!frame) return;
      this.onAnswer(frame);
    }
  }

  close(): void {
    this.closed = true;
    this.host.clock.clearInterval(this.cycleTimer);
    this.host.clock.clearTimeout(this.timeoutTimer);
  }

  private startCycle(): void {
    if (this.waitingFor !== undefined || this.queue.length > 0) return; // previous cycle still running
    this.reading = { alarms: [], problems: [] };
    this.queue = this.firstCycle ? [...this.profile.first, ...this.profile.cycle] : [...this.profile.cycle];
    this.firstCycle = false;
    this.sendNext();
  }

  private sendNext(): void {
    if (this.closed) return;
    const cid2 = this.queue.shift();
    if (cid2 === undefined) {
      this.finishCycle();
      return;
    }
    this.waitingFor = cid2;
    this.host.send(buildRequest(this.address, cid2));
    this.timeoutTimer = this.host.clock.setTimeout(() => {
      this.reading.problems.push(`${commandHex(cid2)}: no answer within ${this.profile.timeoutMs} ms`);
      this.waitingFor = undefined;
      this.sendNext();
    }, this.profile.timeoutMs);
  }

  private onAnswer(frame: Buffer): void {
    const cid2 = this.waitingFor;
    if (cid2 === undefined) return;
    this.host.clock.clearTimeout(this.timeoutTimer);
    this.waitingFor = undefined;
    const answer = parseAnswer(frame);
    const problem = answer.ok
      ? answer.value.adr === this.address
        ? readAnswer(this.reading, cid2, answer.value.info)
        : `answer from ADR ${answer.value.adr}`
      : answer.reason;
    if (problem) this.reading.problems.push(`${commandHex(cid2)}: ${problem}`);
    this.sendNext();
  }

  private finishCycle(): void {
    if (this.profile.cycle.length === 0) return;
    const reading: InverterReading = { time: this.host.clock.now(), address: this.address, ...this.reading };
    this.last = reading;
    this.report?.(JSON.stringify(reading));
    for (const listener of this.listeners) listener(reading);
  }
}

/** `profile` picks the brand (voltronic, srne, full); the first address is the one polled. */
export function createPylonInverter(options: SimulatorOptions, host: SimulatorHost): SimulatedPylonInverter {
  const profile = INVERTER_PROFILES[options.profile ?? 'voltronic'] ?? INVERTER_PROFILES.voltronic;
  const address = options.addresses?.[0] ?? FIRST_PACK_ADDRESS;
  return new SimulatedPylonInverter(host, profile, address, options.onReport);
}

export const PYLON_INVERTER_SIMULATORS: Record<string, SimulatorFactory> = {
  'pylontech-485-inverter': createPylonInverter,
};
