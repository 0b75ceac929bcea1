/**
 * The library entry of `@cellsafe/node-red-bms`: the pure parts of CellSafe for any Node.js program
 * or a Node-RED function node (`functionExternalModules`). Nothing reachable from here loads Node-RED,
 * opens a port or starts a timer; time only comes in as arguments.
 *
 * - BMS frame decoders: one frame (or the frames of one read) → a PackState, or the reason it was rejected.
 * - Inverter encoders: a BankState → the CAN frames of one transmit cycle.
 * - The bms-rules engine: `resolveConfig`, `createState`, `step`, the same code the node runs.
 * - The validators and types of the PackState/BankState contracts (docs/architecture.md).
 */
import type { PackProtocol, PackState } from './core/pack-state';
import { PACK_PROTOCOLS } from './core/pack-state';
import type { Result } from './core/result';
import type { CanFrame } from './transport/can-frame';
import type { EncodeOptions, InverterProtocolName } from './transport/can-inverter-api';
import { toBankState } from './nodes/inverter-can/bank-completion';
import { PROTOCOLS, protocolByName } from './nodes/inverter-can/protocols';
import { JK_DECODERS } from './nodes/jk-bms/cli-decode';
import { decodeSeplosV2, decodeSeplosV3 } from './nodes/seplos/cli-decode';
import { decodeSmartBmsCli } from './nodes/smartbms/cli-decode';

// ---- contracts ---------------------------------------------------------------------------------

export type {
  AlarmLevel,
  AlarmName,
  Alarms,
  BankAlarmName,
  BankState,
  ChargeState,
  PackProtocol,
  PackState,
  SafetyMode,
} from './core/pack-state';
export { ALARM_NAMES, PACK_PROTOCOLS, validateBankState, validatePackState } from './core/pack-state';
export type { PackSettingName, PackSettings, PackSettingValues } from './core/pack-settings';
export { settingsOf } from './core/pack-settings';
export type { CanFrame } from './transport/can-frame';
export type { Result } from './core/result';
/** @deprecated the same shape as `Result`, kept for programs written against earlier releases. */
export type Checked<T> = Result<T>;

// ---- BMS frame decoders ------------------------------------------------------------------------

export type DecodeResult = { ok: true; pack: PackState } | { ok: false; reason: string };

/**
 * One frame as bytes (a Buffer as read from the port) or as text: hex for the binary protocols,
 * the ASCII line for Seplos V2. An array holds the frames of one read, e.g. Seplos V2 telemetry
 * (0x42) plus alarms (0x44), Seplos V3 PIA + PIB + PIC, or a 123\SmartBMS stream.
 */
export type FrameInput = Buffer | string | ReadonlyArray<Buffer | string>;

/** `request` is the request the frame answers (JK PB and Seplos V3 Modbus reads), when its shape is not enough. */
export type FrameDecoder = (frame: FrameInput, request?: Buffer | string) => DecodeResult;

type TextDecoder = (frame: string, request?: string) => Result<PackState>;

/** Bytes → the text form the protocol's decoder reads (ASCII for Seplos V2, hex for the others). */
function frameText(frame: Buffer | string, ascii: boolean): string | undefined {
  if (typeof frame === 'string') return frame;
  if (Buffer.isBuffer(frame)) return frame.toString(ascii ? 'latin1' : 'hex');
  return undefined;
}

function fromText(decode: TextDecoder, ascii: boolean): FrameDecoder {
  return (frame, request) => {
    const parts = (Array.isArray(frame) ? frame : [frame]) as Array<Buffer | string>;
    const texts = parts.map((part) => frameText(part, ascii));
    if (texts.length === 0 || texts.some((text) => text === undefined)) {
      return { ok: false, reason: 'frame must be a Buffer, a string or an array of them' };
    }
    const requestText = request === undefined ? undefined : frameText(request, ascii);
    const decoded = decode(texts.join(' '), requestText);
    return decoded.ok ? { ok: true, pack: decoded.value } : decoded;
  };
}

/** The frame decoder of each BMS protocol. Decoders never throw; a PackState's `time` is the decode time. */
export const decoders: Readonly<Record<PackProtocol, FrameDecoder>> = {
  'jk-nw': fromText(JK_DECODERS['jk-nw'], false),
  'jk-pb': fromText(JK_DECODERS['jk-pb'], false),
  jk02: fromText(JK_DECODERS.jk02, false),
  'seplos-v2': fromText(decodeSeplosV2, true),
  'seplos-v3': fromText(decodeSeplosV3, false),
  smartbms: fromText(decodeSmartBmsCli, false),
};

/** Decodes with the named protocol's decoder; an unknown protocol is a reason, not an exception. */
export function decodeFrame(protocol: PackProtocol, frame: FrameInput, request?: Buffer | string): DecodeResult {
  if (!PACK_PROTOCOLS.includes(protocol)) {
    return { ok: false, reason: `unknown protocol "${String(protocol)}"; one of: ${PACK_PROTOCOLS.join(', ')}` };
  }
  return decoders[protocol](frame, request);
}

// ---- inverter encoders -------------------------------------------------------------------------

export type {
  BankExtras,
  BatteryIdentity,
  EncodeOptions,
  InverterProtocol,
  InverterProtocolName,
  InverterView,
} from './transport/can-inverter-api';

/** Every inverter protocol: `encode`, `decode` (what an inverter would read), `profiles`, `bitrate`, `periodMs`. */
export const inverterProtocols = PROTOCOLS;

export type EncodeResult = { ok: true; frames: CanFrame[] } | { ok: false; reason: string };

/**
 * The frames of one transmit cycle. `bank` is a BankState (what bms-rules emits) or a hand-built
 * object with at least cvl, ccl, dcl, soc, voltage, current and temperature; `now` stamps a missing time.
 */
export function encodeBank(
  protocol: InverterProtocolName,
  bank: unknown,
  options?: EncodeOptions,
  now: number = Date.now(),
): EncodeResult {
  const inverter = protocolByName(protocol);
  if (!inverter) {
    return {
      ok: false,
      reason: `unknown protocol "${String(protocol)}"; one of: ${Object.keys(PROTOCOLS).join(', ')}`,
    };
  }
  const problem = inverter.validateOptions(options);
  if (problem) return { ok: false, reason: problem };
  const checked = toBankState(bank, now);
  if (!checked.ok) return checked;
  return { ok: true, frames: inverter.encode(checked.value, options) };
}

// ---- the bms-rules engine ----------------------------------------------------------------------

export { DEFAULTS as RULES_DEFAULTS, resolveConfig } from './nodes/bms-rules/config';
export type { Chemistry } from './core/chemistry';
export type { PackConfig, RulesConfig } from './nodes/bms-rules/config';
export { createState, persistable, step } from './nodes/bms-rules/engine';
export type { Command, EngineState, PackReport, RulesBankState, StepInput, StepResult } from './nodes/bms-rules/engine';
