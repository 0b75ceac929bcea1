/**
 * The contract between the pure inverter encoders (protocol-<name>.ts, one per protocol) and
 * the node shells / can-bus transports that run them. No Node-RED import.
 */
import type { BankState } from '../../core/pack-state';
import type { CanFrame } from '../../transport/can-frame';

export type InverterProtocolName = 'victron' | 'pylontech' | 'sma' | 'growatt' | 'byd';

export interface EncodeOptions {
  /** Brand profile (pylontech family) or variant (victron 500/250 kbit/s); protocol's default when absent. */
  profile?: string;
}

/** What an inverter would show after reading a cycle of frames (decoders; simulated inverter; tests). */
export interface InverterView {
  cvl?: number; ccl?: number; dcl?: number; dvl?: number;
  soc?: number; soh?: number;
  voltage?: number; current?: number; temperature?: number;
  chargeEnabled?: boolean; dischargeEnabled?: boolean;
  forceCharge?: boolean; fullChargeRequest?: boolean;
  alarms: string[]; warnings: string[];
  /** Every other decoded field, by name. */
  fields: Record<string, unknown>;
}

export interface InverterProtocol {
  name: InverterProtocolName;
  /** Profiles/variants; the first is the default. */
  profiles: string[];
  /** Period of one transmit cycle in ms (protocols answering a poll still refresh at this period). */
  periodMs: number;
  /** The frame set of one transmit cycle. Never throws for a valid BankState; clamps out-of-range values. */
  encode(bank: BankState, options?: EncodeOptions): CanFrame[];
  /** Decodes frames of this protocol (unknown ids are ignored) into what an inverter would show. */
  decode(frames: CanFrame[], options?: EncodeOptions): InverterView;
  /**
   * The inverter's side of the link: frames a real inverter sends (Pylon 0x305 ACK, Growatt poll,
   * SMA status...). The simulated inverter sends these every `inverterPeriodMs`.
   */
  inverterFrames?(): CanFrame[];
  inverterPeriodMs?: number;
  /**
   * A frame received from the inverter: whether it proves the link alive, and frames to send in
   * answer (Growatt answers the inverter's poll).
   */
  onInverterFrame?(frame: CanFrame, bank: BankState | undefined, options?: EncodeOptions): { linkAlive: boolean; reply?: CanFrame[] };
}
