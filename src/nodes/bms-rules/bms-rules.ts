/**
 * `bms-rules` node: the shell around the pure engine. Input: PackState messages from any BMS node,
 * commands, an external bank current. A 1 s tick (through a Clock) drives the engine when nothing
 * arrives. Outputs: (1) BankState, (2) charge relay, (3) load relay, (4) alarm relay, (5) telemetry
 * for MQTT with Home Assistant discovery, (6) alarm events (mode changes, latches, CAN stop; also logged).
 * The state is kept in a persistent context store when settings.js configures one.
 */
import type { Node, NodeAPI, NodeMessage } from 'node-red';
import type { Clock } from '../../core/clock';
import { RealClock } from '../../core/clock';
import type { RulesConfig } from './config';
import { CHEMISTRY_PRESETS, DEFAULTS } from './config';
import { PACK_COLUMNS, SETTINGS_SCHEMA, labelOf } from './config-schema';
import type { StepInput } from './engine';
import { createState, step } from './engine';
import type { RulesNodeDef, RulesSettings } from './node-settings';
import { configReasons, rulesConfigOf, telemetrySettingsOf } from './node-settings';
import { StatePersistence } from './state-persistence';
import type { Outputs } from './bank-messages';
import { BankMessages } from './bank-messages';
import { bankStatus, HeldText, REASON_HOLD_MS } from './node-status';
import type { Translate } from './node-status';
import { inputOf } from './input-message';
import { limitReasons } from './limit-reasons';
import { PacksSeen } from './packs-seen';

const TICK_MS = 1000;

/** The packs each deployed bms-rules node has received, by node id (for the editor's "Add packs seen"). */
const packsSeenByNode = new Map<string, PacksSeen>();

export = function (RED: NodeAPI) {
  registerEndpoints(RED);
  const translate: Translate = (key, params) => RED._(key, params);

  function BmsRules(this: Node, def: RulesNodeDef) {
    RED.nodes.createNode(this, def);
    const reasons = configReasons(def, labelOf);
    if (reasons.length > 0) {
      // the first reason in the status, every one in the log and the debug sidebar
      const more = reasons.length - 1;
      const key = more > 0 ? 'bmsRules.status.badConfigMore' : 'bmsRules.status.badConfig';
      this.status({ fill: 'red', shape: 'ring', text: translate(key, { reason: reasons[0], more }) });
      this.error(`bms-rules: ${reasons.join('; ')}`);
      return;
    }
    const config = rulesConfigOf(def, labelOf);
    const seen = new PacksSeen(new Set(config.packs.map((pack) => pack.id)));
    packsSeenByNode.set(this.id, seen);
    runRules(this, RED, { config, def, seen, translate, clock: new RealClock() });
  }

  RED.nodes.registerType('bms-rules', BmsRules);
};

/** Admin endpoints for the editor (registered once, at module load); relative URLs, read permission. */
function registerEndpoints(RED: NodeAPI): void {
  const canRead = RED.auth.needsPermission('bms-rules.read');
  // the editor shows preset values as placeholders; labels, units and tooltips come from the one settings
  // schema (the dialog, the help and the runtime's reasons use the same words)
  RED.httpAdmin.get('/bms-rules/presets', canRead, (_req, res) => {
    res.json({ defaults: DEFAULTS, presets: CHEMISTRY_PRESETS, settings: SETTINGS_SCHEMA, packColumns: PACK_COLUMNS });
  });
  // the dialog's settings → the reasons the node would refuse them for. The body is the node's properties
  // { rules, packs, bankName }, or without `rules` (never a parameter) the parameters themselves.
  RED.httpAdmin.post('/bms-rules/check-config', canRead, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const settings: RulesSettings = 'rules' in body ? body : { rules: body };
    res.json({
      reasons: configReasons({ rules: settings.rules, packs: settings.packs, bankName: settings.bankName }, labelOf),
    });
  });
  RED.httpAdmin.get('/bms-rules/:id/packs-seen', canRead, (req, res) => {
    const seen = packsSeenByNode.get(String(req.params.id));
    if (!seen) res.status(404).json({ error: 'no deployed bms-rules node with this id' });
    else res.json(seen.list());
  });
}

interface RulesRun {
  config: RulesConfig;
  def: RulesNodeDef;
  seen: PacksSeen;
  translate: Translate;
  clock: Clock;
}

/** Runs a node with a valid configuration: the tick, the input, the status and the close. */
function runRules(node: Node, RED: NodeAPI, { config, def, seen, translate, clock }: RulesRun): void {
  const persistence = new StatePersistence(node, RED);
  const startedAt = clock.now();
  const state = createState(config, startedAt, persistence.restore());
  const log = (level: 'warn' | 'info', text: string): void => (level === 'warn' ? node.warn(text) : node.log(text));
  const messages = new BankMessages({ config, ...telemetrySettingsOf(def), startedAt, translate, log });
  const statusContext = { config, persisted: Boolean(persistence.store), startedAt, translate };
  const limitsWhy = new HeldText(REASON_HOLD_MS);

  /** One engine step; sends what changed (everything on the heartbeat). */
  const run = (input: StepInput, heartbeat: boolean, send: (msgs: Outputs) => void): void => {
    const now = clock.now();
    for (const pack of input.packs ?? []) seen.record(pack, now);
    const { bank } = step(state, input, now);
    send(messages.outputs(bank, now, heartbeat));
    if (heartbeat) {
      const unconfigured = seen.unconfigured(now, config.offlineSec * 1000);
      const limits = limitsWhy.next(limitReasons(bank, translate), now);
      node.status(bankStatus(bank, statusContext, { unconfigured, limits }));
    }
    persistence.save(state, now, false);
  };

  const tick = clock.setInterval(() => {
    try {
      run({}, true, (m) => node.send(m));
    } catch (err) {
      node.error(`bms-rules tick: ${(err as Error).message}`);
    }
  }, TICK_MS);

  node.on('input', (msg: NodeMessage & { topic?: string }, send, done) => {
    try {
      const meaning = inputOf(msg);
      if (meaning.kind === 'error') {
        done(meaning.error);
        return;
      }
      if (meaning.kind === 'step') run(meaning.input, false, (m) => send(m));
      done(); // a BMS node event is ignored: its effect arrives as missing or fresh PackStates
    } catch (err) {
      done(err as Error);
    }
  });

  node.on('close', (_removed: boolean, done: () => void) => {
    try {
      clock.clearInterval(tick);
      if (packsSeenByNode.get(node.id) === seen) packsSeenByNode.delete(node.id);
      persistence.save(state, clock.now(), true);
    } finally {
      done();
    }
  });
}
