/**
 * `bms-rules` node: the shell around the pure engine. Input: PackState messages from any BMS node,
 * commands, an external bank current. A 1 s tick (through a Clock) drives the engine when nothing
 * arrives. Outputs: (1) BankState, (2) charge relay, (3) load relay, (4) alarm relay, (5) telemetry
 * for MQTT with Home Assistant discovery, (6) alarm events (mode changes, latches, CAN stop; also logged).
 * The state is kept in a persistent context store when settings.js configures one.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from 'node-red';
import { RealClock } from '../../core/clock';
import { validatePackState } from '../../core/pack-state';
import type { PackConfig, RulesConfig } from './config';
import { CHEMISTRY_PRESETS, DEFAULTS, resolveConfig } from './config';
import type { Command, EngineState, RulesBankState, StepInput } from './engine';
import { createState, persistable, step } from './engine';
import { humanDuration } from './health';
import { bankEvents, noDataFor } from './events';
import { persistentStore } from './context-store';
import { TelemetryDiff, discoveryMessages, slug } from './telemetry';
import { parseCommand } from './commands';

interface RulesNodeDef extends NodeDef {
  bankName?: string;
  /** JSON object of parameter overrides (names in docs/rules.md#parameters) */
  rules?: string | Record<string, unknown>;
  /** JSON array of { id, capacityAh, maxChargeA, maxDischargeA } */
  packs?: string | PackConfig[];
  telemetry?: boolean;
  topicPrefix?: string;
  discoveryPrefix?: string;
}

const CONTEXT_KEY = 'bmsRules';
const TICK_MS = 1000;
const PERSIST_EVERY_MS = 60_000;
const TELEMETRY_FULL_EVERY_MS = 60_000;

const parseJson = (v: unknown, what: string): unknown => {
  if (typeof v !== 'string') return v;
  if (v.trim() === '') return undefined;
  try {
    return JSON.parse(v);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
};

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

const FILL: Record<RulesBankState['mode'], NodeStatus['fill']> = {
  normal: 'green',
  degraded: 'yellow',
  blind: 'red',
  failsafe: 'red',
};

export = function (RED: NodeAPI) {
  // the editor shows preset values as placeholders (registered once, at module load)
  RED.httpAdmin.get('/bms-rules/presets', RED.auth.needsPermission('bms-rules.read'), (_req, res) => {
    res.json({ defaults: DEFAULTS, presets: CHEMISTRY_PRESETS });
  });

  function BmsRules(this: Node, def: RulesNodeDef) {
    RED.nodes.createNode(this, def);
    const clock = new RealClock();
    let cfg: RulesConfig;
    try {
      const rules = (parseJson(def.rules, 'rules') ?? {}) as Record<string, unknown>;
      const packs = parseJson(def.packs, 'packs');
      const r = resolveConfig({
        ...rules,
        ...(packs !== undefined ? { packs } : {}),
        ...(def.bankName ? { bankName: def.bankName } : {}),
      });
      if (!r.ok) throw new Error(r.reason);
      cfg = r.value;
    } catch (err) {
      this.status({ fill: 'red', shape: 'ring', text: 'bmsRules.status.badConfig' });
      this.error(`bms-rules: ${(err as Error).message}`);
      return;
    }
    const bankTopic = slug(cfg.bankName);
    const prefix = (def.topicPrefix || 'cellsafe').replace(/\/+$/, '');
    const telemetryOn = def.telemetry !== false;
    const telemetry = new TelemetryDiff(prefix, bankTopic);
    const ctx = this.context();
    const store = persistentStore((RED.settings as unknown as Record<string, unknown>).contextStorage);
    const startedAt = clock.now();
    let restored: unknown;
    try {
      restored = ctx.get(CONTEXT_KEY, store);
    } catch (err) {
      // a store without synchronous access (cache: false): start from the data, say why
      this.warn(RED._('bmsRules.log.storeRead', { store: String(store), reason: (err as Error).message }));
    }
    if (!store) this.warn(RED._('bmsRules.log.notPersisted'));
    const state: EngineState = createState(cfg, startedAt, restored);
    let prevBank: RulesBankState | undefined;

    let lastSig = '';
    let lastRelays: Partial<Record<'charge' | 'load' | 'alarm', boolean>> = {};
    let lastPersist = '';
    let lastPersistAt = 0;
    let lastFullTelemetry = -Infinity;
    let announced = new Set<string>();

    const persist = (now: number, force: boolean): void => {
      const p = persistable(state, now);
      if (!p) return; // INIT with nothing restored: nothing known yet
      const key = JSON.stringify({ ...p, savedAt: 0 });
      if (!force && key === lastPersist && now - lastPersistAt < PERSIST_EVERY_MS) return;
      lastPersist = key;
      lastPersistAt = now;
      ctx.set(CONTEXT_KEY, p, store, (err?: Error) => {
        if (err) this.warn(RED._('bmsRules.log.storeWrite', { store: String(store), reason: err.message }));
      });
    };

    /** Mode changes, latches and the CAN stop: logged once each (restrictions as warnings) and sent on output 6. */
    const eventMsgs = (b: RulesBankState): NodeMessage[] =>
      bankEvents(prevBank, b, cfg, startedAt).map((e) => {
        const text = RED._(e.key, e.params);
        if (e.level === 'warn') this.warn(text);
        else this.log(text);
        const payload = { kind: 'event', event: e.name, level: e.level, from: e.from, to: e.to, text, time: e.time };
        return { topic: `${bankTopic}/event`, payload } as NodeMessage;
      });

    const relayMsg = (name: 'charge' | 'load' | 'alarm', b: RulesBankState): NodeMessage | null => {
      if (lastRelays[name] === b.relays[name]) return null;
      lastRelays = { ...lastRelays, [name]: b.relays[name] };
      return { topic: `${bankTopic}/relay/${name}`, payload: b.relays[name] } as NodeMessage;
    };

    const telemetryMsgs = (b: RulesBankState, now: number): NodeMessage[] => {
      if (!telemetryOn) return [];
      const out: NodeMessage[] = [];
      const ids = Object.keys(b.packStates);
      if (ids.some((id) => !announced.has(id)) || announced.size === 0) {
        announced = new Set(ids);
        for (const m of discoveryMessages(prefix, cfg.bankName, ids, def.discoveryPrefix || 'homeassistant'))
          out.push(m as unknown as NodeMessage);
      }
      const full = now - lastFullTelemetry >= TELEMETRY_FULL_EVERY_MS;
      if (full) lastFullTelemetry = now;
      for (const m of telemetry.messages(b, full)) out.push(m as unknown as NodeMessage);
      return out;
    };

    const showStatus = (b: RulesBankState): void => {
      // which pack's data arrives old by its own time, and by how much
      const late = Object.entries(b.packStates)
        .filter(([, p]) => p.delaySec !== null && p.delaySec > cfg.staleSec)
        .map(([id, p]) => ` · ${id} data ${humanDuration(p.delaySec! * 1000)} old`)
        .join('');
      const suffix = late + (store ? '' : ` · ${RED._('bmsRules.status.notPersisted')}`);
      const counts = { online: b.packs.online, total: b.packs.total, needed: cfg.minPacksOnline };
      const limits = `${b.ccl.toFixed(0)}/${b.dcl.toFixed(0)} A`;
      // say what is true: FAILSAFE (INIT included) and BLIND in red, with how long the data has been missing
      const noData = { duration: humanDuration(noDataFor(b, startedAt)) };
      let text: string;
      if (b.mode === 'failsafe') {
        const waiting = b.chargeState === 'init' ? 'failsafeWaiting' : 'failsafeTooFew';
        const why =
          b.packs.online === 0
            ? RED._('bmsRules.status.failsafe', noData)
            : RED._(`bmsRules.status.${waiting}`, counts);
        text = b.stopCan ? `${why} · ${RED._('bmsRules.status.stopCan')}` : why;
      } else if (b.mode === 'blind') {
        text = `${RED._('bmsRules.status.blind', noData)} · ${limits}`;
      } else {
        text = `${b.mode} · ${b.packs.online}/${b.packs.total} · ${limits} · ${b.cvl.toFixed(1)} V`;
      }
      const fill = FILL[b.mode];
      this.status({ fill, shape: b.mode === 'normal' ? 'dot' : 'ring', text: text + suffix });
    };

    /** One engine step; sends what changed (everything on the heartbeat). */
    const run = (
      input: StepInput,
      heartbeat: boolean,
      send: (msgs: Array<NodeMessage | NodeMessage[] | null>) => void,
    ): void => {
      const now = clock.now();
      const { bank } = step(state, input, now);
      const sig = signature(bank);
      const bankMsg = heartbeat || sig !== lastSig ? ({ topic: cfg.bankName, payload: bank } as NodeMessage) : null;
      lastSig = sig;
      const tele = heartbeat ? telemetryMsgs(bank, now) : [];
      const events = eventMsgs(bank);
      prevBank = bank;
      send([
        bankMsg,
        relayMsg('charge', bank),
        relayMsg('load', bank),
        relayMsg('alarm', bank),
        tele.length ? tele : null,
        events.length ? events : null,
      ]);
      if (heartbeat) showStatus(bank);
      persist(now, false);
    };

    const tick = clock.setInterval(() => {
      try {
        run({}, true, (m) => this.send(m));
      } catch (err) {
        this.error(`bms-rules tick: ${(err as Error).message}`);
      }
    }, TICK_MS);

    this.on('input', (msg: NodeMessage & { topic?: string }, send, done) => {
      try {
        const p = msg.payload as { kind?: unknown } | undefined;
        let input: StepInput;
        if (msg.topic === 'command') {
          const c = parseCommand(msg.payload);
          if (!c.ok) {
            done(new Error(c.reason));
            return;
          }
          input = { command: c.value as Command };
        } else if (msg.topic === 'current') {
          if (typeof msg.payload !== 'number' || !Number.isFinite(msg.payload)) {
            done(new Error('bms-rules: topic "current" needs a finite number payload (A, + = charging)'));
            return;
          }
          input = { extCurrent: msg.payload };
        } else if (p && typeof p === 'object' && (p.kind === 'communication' || p.kind === 'write')) {
          done(); // BMS node events: their effect arrives as missing or fresh PackStates
          return;
        } else {
          const v = validatePackState(msg.payload);
          if (!v.ok) {
            done(new Error(`bms-rules: not a PackState: ${v.reason}`));
            return;
          }
          input = { packs: [v.value] };
        }
        run(input, false, (m) => send(m));
        done();
      } catch (err) {
        done(err as Error);
      }
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      try {
        clock.clearInterval(tick);
        persist(clock.now(), true);
      } finally {
        done();
      }
    });
  }

  RED.nodes.registerType('bms-rules', BmsRules);
};
