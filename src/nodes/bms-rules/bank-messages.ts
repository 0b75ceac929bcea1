/**
 * The six outputs of one bms-rules step: (1) the BankState when a field that matters changed (always on
 * the heartbeat), (2–4) the charge, load and alarm relays when they change, (5) MQTT telemetry with Home
 * Assistant discovery on the heartbeat, (6) alarm events (mode changes, latches, CAN stop; also logged).
 */
import type { NodeMessage } from 'node-red';
import type { RulesConfig } from './config';
import type { RulesBankState } from './engine';
import { bankEvents } from './events';
import { TelemetryDiff, discoveryMessages, slug } from './telemetry';
import type { Translate } from './node-status';

const TELEMETRY_FULL_EVERY_MS = 60_000;

type Relay = 'charge' | 'load' | 'alarm';
export type Outputs = Array<NodeMessage | NodeMessage[] | null>;

export interface MessageOptions {
  config: RulesConfig;
  /** topic prefix of the telemetry, without a trailing slash */
  prefix: string;
  discoveryPrefix: string;
  telemetry: boolean;
  startedAt: number;
  translate: Translate;
  log: (level: 'warn' | 'info', text: string) => void;
}

/** The fields whose change is worth a BankState message between heartbeats. */
const signature = (b: RulesBankState): string =>
  JSON.stringify([
    b.cvl,
    b.ccl,
    b.dcl,
    b.chargeAllowed,
    b.dischargeAllowed,
    b.forceCharge,
    b.mode,
    b.chargeState,
    b.alarms,
    b.relays,
    b.stopCan,
    b.packs,
  ]);

export class BankMessages {
  private readonly bankTopic: string;
  private readonly telemetry: TelemetryDiff;
  private previous?: RulesBankState;
  private lastSignature = '';
  private lastRelays: Partial<Record<Relay, boolean>> = {};
  private lastFullTelemetry = -Infinity;
  private announced = new Set<string>();

  constructor(private readonly options: MessageOptions) {
    this.bankTopic = slug(options.config.bankName);
    this.telemetry = new TelemetryDiff(options.prefix, this.bankTopic);
  }

  /** What to send after a step (everything on the heartbeat). */
  outputs(bank: RulesBankState, now: number, heartbeat: boolean): Outputs {
    const sig = signature(bank);
    const changed = heartbeat || sig !== this.lastSignature;
    const bankMsg = changed ? ({ topic: this.options.config.bankName, payload: bank } as NodeMessage) : null;
    this.lastSignature = sig;
    const tele = heartbeat ? this.telemetryMessages(bank, now) : [];
    const events = this.eventMessages(bank);
    this.previous = bank;
    return [
      bankMsg,
      this.relayMessage('charge', bank),
      this.relayMessage('load', bank),
      this.relayMessage('alarm', bank),
      tele.length ? tele : null,
      events.length ? events : null,
    ];
  }

  /** Mode changes, latches and the CAN stop: logged once each (restrictions as warnings). */
  private eventMessages(bank: RulesBankState): NodeMessage[] {
    const { config, startedAt, translate, log } = this.options;
    return bankEvents(this.previous, bank, config, startedAt).map((e) => {
      const text = translate(e.key, e.params);
      log(e.level, text);
      const payload = { kind: 'event', event: e.name, level: e.level, from: e.from, to: e.to, text, time: e.time };
      return { topic: `${this.bankTopic}/event`, payload } as NodeMessage;
    });
  }

  private relayMessage(name: Relay, bank: RulesBankState): NodeMessage | null {
    if (this.lastRelays[name] === bank.relays[name]) return null;
    this.lastRelays = { ...this.lastRelays, [name]: bank.relays[name] };
    return { topic: `${this.bankTopic}/relay/${name}`, payload: bank.relays[name] } as NodeMessage;
  }

  private telemetryMessages(bank: RulesBankState, now: number): NodeMessage[] {
    const { config, prefix, discoveryPrefix } = this.options;
    if (!this.options.telemetry) return [];
    const out: NodeMessage[] = [];
    const ids = Object.keys(bank.packStates);
    if (ids.some((id) => !this.announced.has(id)) || this.announced.size === 0) {
      this.announced = new Set(ids);
      for (const m of discoveryMessages(prefix, config.bankName, ids, discoveryPrefix))
        out.push(m as unknown as NodeMessage);
    }
    const full = now - this.lastFullTelemetry >= TELEMETRY_FULL_EVERY_MS;
    if (full) this.lastFullTelemetry = now;
    for (const m of this.telemetry.messages(bank, full)) out.push(m as unknown as NodeMessage);
    return out;
  }
}
