/**
 * The contract between the pure inverter encoders (nodes/inverter-can/protocol-<name>.ts) and the
 * node shells and CAN transports that run them, and the protocols by name for the can-bus simulated
 * inverter: transport knows no inverter protocol, the inverter-can node module registers them when
 * Node-RED loads it (before any flow starts). No Node-RED import.
 */
import type { BankState } from '../core/pack-state';
import type { CanFrame } from './can-frame';

export type InverterProtocolName = 'victron' | 'pylontech' | 'sma' | 'growatt' | 'byd';

/** What the inverter displays about the battery; each protocol has its own defaults. */
export interface BatteryIdentity {
  /** 0x35E manufacturer (8 ASCII chars); Growatt 0x320 uses its first two letters. */
  manufacturer?: string;
  /** Victron 0x370/0x371 battery name (16 chars). */
  batteryName?: string;
  /** Victron/BYD 0x382 product name (8 chars). */
  productName?: string;
  /** 0x35F bytes 0-1 product/battery type id. */
  productId?: number;
  /** "major.minor", sent as two decimal bytes (0x35F bytes 2-3; Growatt 0x320 byte 3 = major). */
  firmwareVersion?: string;
  /** Growatt 0x320 byte 2. */
  hardwareVersion?: number;
}

/** Display-only values some frames carry that a BankState does not; zero/empty when absent. */
export interface BankExtras {
  cycles?: number;
  chargedKWh?: number;
  dischargedKWh?: number;
  /** Victron 0x376/0x377 id text of the coldest/hottest sensor. */
  minTempId?: string;
  maxTempId?: string;
}

export interface EncodeOptions {
  /** Brand profile (pylontech family) or variant (victron 500/250 kbit/s); protocol's default when absent. */
  profile?: string;
  identity?: BatteryIdentity;
  extras?: BankExtras;
}

/** What an inverter would show after reading a cycle of frames (decoders; simulated inverter; tests). */
export interface InverterView {
  cvl?: number;
  ccl?: number;
  dcl?: number;
  dvl?: number;
  soc?: number;
  soh?: number;
  voltage?: number;
  current?: number;
  temperature?: number;
  chargeEnabled?: boolean;
  dischargeEnabled?: boolean;
  forceCharge?: boolean;
  fullChargeRequest?: boolean;
  alarms: string[];
  warnings: string[];
  /** Every other decoded field, by name. */
  fields: Record<string, unknown>;
}

/** Numeric BankState inputs a protocol clamps, with the range it clamps to (engineering units). */
export type ClampedField = 'cvl' | 'ccl' | 'dcl' | 'dvl' | 'soc' | 'soh' | 'voltage' | 'current' | 'temperature';
export type FieldRanges = Record<ClampedField, { min: number; max: number; lsb: number }>;

export interface InverterFrameResult {
  /** The frame proves the inverter is there (Pylon 0x305 ACK, Growatt poll, Victron/SMA 0x305-0x307). */
  linkAlive: boolean;
  /** Frames to send in answer (Growatt answers the inverter's poll). */
  reply?: CanFrame[];
  /** A command from the inverter the node must surface (Luxpower 0x300 remote shutdown). */
  command?: 'shutdown';
}

export interface InverterProtocol {
  name: InverterProtocolName;
  /** Profiles/variants; the first is the default. */
  profiles: string[];
  /** Period of one transmit cycle in ms (protocols answering a poll still refresh at this period). */
  periodMs: number;
  /** Shortest time between two frame sets (SMA's inhibit time is 200 ms); default 50 ms. */
  minGapMs?: number;
  /** CAN bitrate in bit/s the inverter port runs at for this profile. */
  bitrate(profile?: string): number;
  /** Range and resolution every clamped field is sent with, for this profile. */
  ranges(profile?: string): FieldRanges;
  /** Why these options cannot be used (unknown profile, a name the inverter must not see...), else undefined. */
  validateOptions(options?: EncodeOptions): string | undefined;
  /**
   * The frame set of one transmit cycle. Never throws for a valid BankState; clamps out-of-range values.
   * Empty for a bank with nothing true to say (in INIT, or no measured voltage: wireClaimProblem), so a
   * missing bank never reaches an inverter as SoC 0 % / 0 V.
   */
  encode(bank: BankState, options?: EncodeOptions): CanFrame[];
  /** Decodes frames of this protocol (unknown ids are ignored) into what an inverter would show. Never throws. */
  decode(frames: CanFrame[], options?: EncodeOptions): InverterView;
  /**
   * The inverter's side of the link: frames a real inverter sends (Pylon 0x305 ACK, Growatt poll,
   * SMA status...). The simulated inverter sends these every `inverterPeriodMs`; protocols whose
   * inverter reports telemetry (SMA) fill it from `view` when given.
   */
  inverterFrames?(view?: InverterView): CanFrame[];
  inverterPeriodMs?: number;
  /** A frame received from the inverter: whether it proves the link alive, and frames to send in answer. */
  onInverterFrame?(frame: CanFrame, bank: BankState | undefined, options?: EncodeOptions): InverterFrameResult;
}

const registered = new Map<string, InverterProtocol>();

export function registerInverterProtocols(protocols: InverterProtocol[]): void {
  for (const protocol of protocols) registered.set(protocol.name, protocol);
}

export function registeredInverterProtocol(name: string): InverterProtocol | undefined {
  return registered.get(name);
}
