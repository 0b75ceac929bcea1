/**
 * The battery side of the Pylontech RS485 protocol: takes the inverter's requests off the wire and
 * answers each for the configured addresses from the latest BankState (docs/protocols/pylontech-485.md).
 * No bank → no answer; a stale, fail-safe or stopCan bank → answers with zero limits and the fault
 * flags; a command it does not serve → RTN 0x04; requests for other addresses are ignored. Takes a
 * Clock, imports nothing from Node-RED.
 */
import type { Clock } from '../../core/clock';
import { measuredAt } from '../../core/data-age';
import type { BankState } from '../../core/pack-state';
import { asciiHexFramer } from '../../transport/ascii-hex-frame';
import { takeFrame } from '../../transport/framer';
import {
  COMMAND,
  FIRST_PACK_ADDRESS,
  GROUP_COMMAND,
  RTN,
  encodeAnswer,
  parseRequest,
  type PylonRequest,
} from './protocol-pylontech-485';
import {
  encodeAlarms,
  encodeAnalog,
  encodeFirmware,
  encodeManagement,
  type CurrentLsb,
  encodeManufacturer,
  encodeSerialNumber,
  encodeSystemParameters,
} from './protocol-pylontech-485-pack';
import { encodeSystemAlarms, encodeSystemAnalog } from './protocol-pylontech-485-system';
import {
  alarmBlock,
  analogBlock,
  managementValues,
  systemAlarms,
  systemAnalog,
  systemParameters,
  type BankView,
  type PackLayout,
} from './protocol-pylontech-485-bank';

export interface AnswererSettings {
  /** ADRs answered, one virtual pack each; the first is the group master (0xFF requests). */
  addresses: number[];
  /** Cells per virtual pack when the input carries no cell list. */
  cellCount: number;
  /** 0x92 DCL sign: negative like real packs (default) or positive like most emulators. */
  dclSign: 'negative' | 'positive';
  /** A bank older than this (since it arrived) is stale. */
  staleSec: number;
  /** Current unit of the 0x63 limits: 0.1 A (Deye, Vevor) or 0.01 A (some SRNE setups). */
  systemCurrentLsb?: CurrentLsb;
}

export const DEFAULT_ANSWERER_SETTINGS: AnswererSettings = {
  addresses: [FIRST_PACK_ADDRESS],
  cellCount: 16,
  dclSign: 'negative',
  staleSec: 10,
};

export type PollResult =
  { kind: 'answered'; adr: number; cid2: number; rtn: number; frame: string } | { kind: 'ignored'; reason: string };

export interface AnswererCounters {
  /** Requests for our addresses. */
  polls: number;
  answered: number;
  /** Answers with RTN ≠ 0 (unknown command, bad command value). */
  errors: number;
  /** Frames that failed their checksums or are no battery request. */
  badFrames: number;
  /** Requests for our addresses left unanswered because no bank has arrived. */
  unanswered: number;
}

const IDENTITY = {
  deviceName: 'CellSafe',
  softwareVersion: [1, 0] as [number, number],
  manufacturer: 'Pylon-compatible',
  manufactureVersion: [1, 0] as [number, number],
  mainLineVersion: [0, 1, 0] as [number, number, number],
};

export class PylonAnswerer {
  readonly counters: AnswererCounters = { polls: 0, answered: 0, errors: 0, badFrames: 0, unanswered: 0 };
  /** Last reason a frame was rejected or answered with an error. */
  lastProblem = '';
  /** The bank and when it was measured: the older of its own time and its receipt. */
  private bank?: { bank: BankState; cells?: number[]; measuredAt: number };
  private pending = Buffer.alloc(0);

  constructor(
    readonly settings: AnswererSettings,
    private readonly clock: Clock,
  ) {}

  setBank(bank: BankState, cells?: number[]): void {
    this.bank = { bank, cells, measuredAt: measuredAt(bank.time, this.clock.now()) };
  }

  get hasBank(): boolean {
    return this.bank !== undefined;
  }

  /** Stale (data older than staleSec by its own time), fail-safe or stopCan: zero limits and the fault. */
  get fault(): boolean {
    const held = this.bank;
    if (!held) return false;
    const stale = this.clock.now() - held.measuredAt > this.settings.staleSec * 1000;
    return stale || held.bank.mode === 'failsafe' || held.bank.stopCan;
  }

  /** What the answers are made of now, or undefined before the first bank. */
  view(): BankView | undefined {
    return this.bank && { bank: this.bank.bank, cells: this.bank.cells, fault: this.fault };
  }

  /** Bytes from the wire: every whole request in them, answered or ignored. */
  receive(data: Buffer): PollResult[] {
    this.pending = Buffer.concat([this.pending, data]);
    const results: PollResult[] = [];
    for (;;) {
      const { frame, rest } = takeFrame(this.pending, asciiHexFramer);
      this.pending = Buffer.from(rest);
      if (!frame) return results;
      results.push(this.answer(frame));
    }
  }

  /** One request frame: the answer to write, or why there is none. */
  answer(raw: Buffer | string): PollResult {
    const request = parseRequest(raw);
    if (!request.ok) {
      this.counters.badFrames++;
      this.lastProblem = request.reason;
      return { kind: 'ignored', reason: request.reason };
    }
    const { adr } = request.value;
    const packIndex = this.settings.addresses.indexOf(adr);
    if (packIndex < 0) return { kind: 'ignored', reason: `ADR ${adr} is not answered here` };
    this.counters.polls++;
    const view = this.view();
    if (!view) {
      this.counters.unanswered++;
      return { kind: 'ignored', reason: 'no bank yet' };
    }
    const { rtn, info } = this.answerInfo(request.value, packIndex, view);
    this.counters.answered++;
    if (rtn !== RTN.normal) this.counters.errors++;
    return { kind: 'answered', adr, cid2: request.value.cid2, rtn, frame: encodeAnswer(adr, rtn, info) };
  }

  private answerInfo(request: PylonRequest, packIndex: number, view: BankView): { rtn: number; info?: Buffer } {
    const layout: PackLayout = { packCount: this.settings.addresses.length, cellCount: this.settings.cellCount };
    switch (request.cid2) {
      case COMMAND.protocolVersion:
        return { rtn: RTN.normal };
      case COMMAND.manufacturer:
        return { rtn: RTN.normal, info: encodeManufacturer(IDENTITY) };
      case COMMAND.systemParameters:
        return { rtn: RTN.normal, info: encodeSystemParameters(systemParameters(view, layout)) };
      case COMMAND.systemAnalog:
        return { rtn: RTN.normal, info: encodeSystemAnalog(systemAnalog(view)) };
      case COMMAND.systemAlarms:
        return { rtn: RTN.normal, info: encodeSystemAlarms(systemAlarms(view)) };
      case COMMAND.systemManagement:
        return {
          rtn: RTN.normal,
          info: encodeManagement(managementValues(view), undefined, this.settings.systemCurrentLsb),
        };
      case COMMAND.analog:
      case COMMAND.alarms:
      case COMMAND.management:
      case COMMAND.serialNumber:
      case COMMAND.firmware:
        return this.packInfo(request, packIndex, view, layout);
      default:
        this.lastProblem = `command 0x${request.cid2.toString(16).toUpperCase()} is not supported`;
        return { rtn: RTN.commandInvalid };
    }
  }

  /** Per-pack commands: INFO names the pack (its ADR; 0xFF at the first address = the whole group). */
  private packInfo(
    request: PylonRequest,
    packIndex: number,
    view: BankView,
    layout: PackLayout,
  ): { rtn: number; info?: Buffer } {
    const value = request.info.length > 0 ? request.info[0] : request.adr;
    const group = value === GROUP_COMMAND && packIndex === 0;
    if (value !== request.adr && !group) {
      this.lastProblem = `command value 0x${value.toString(16).toUpperCase()} does not name ADR ${request.adr}`;
      return { rtn: RTN.invalidData };
    }
    const packCount = group ? layout.packCount : 1;
    const head = { dataFlag: 0, commandValue: group ? layout.packCount : request.adr };
    switch (request.cid2) {
      case COMMAND.analog: {
        const packs = Array.from({ length: packCount }, () => analogBlock(view, layout));
        return { rtn: RTN.normal, info: encodeAnalog({ ...head, packs }) };
      }
      case COMMAND.alarms: {
        const packs = Array.from({ length: packCount }, () => alarmBlock(view, layout));
        return { rtn: RTN.normal, info: encodeAlarms({ ...head, packs, trailing: [] }) };
      }
      case COMMAND.management:
        return { rtn: RTN.normal, info: encodeManagement(this.packManagement(view, layout), request.adr) };
      case COMMAND.serialNumber:
        return {
          rtn: RTN.normal,
          info: encodeSerialNumber(request.adr, `CELLSAFE${String(request.adr).padStart(8, '0')}`),
        };
      default:
        return { rtn: RTN.normal, info: encodeFirmware({ commandValue: request.adr, ...IDENTITY }) };
    }
  }

  /** 0x92: the pack's share of the bank limits; DCL negative like a real pack unless set otherwise. */
  private packManagement(view: BankView, layout: PackLayout): ReturnType<typeof managementValues> {
    const bankLimits = managementValues(view);
    const dcl = bankLimits.dcl / layout.packCount;
    return {
      ...bankLimits,
      ccl: bankLimits.ccl / layout.packCount,
      dcl: this.settings.dclSign === 'negative' ? -dcl : dcl,
    };
  }
}
