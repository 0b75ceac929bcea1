/**
 * `bms-rules` node: the shell around the pure engine. Input: PackState messages from any BMS node,
 * commands, an external bank current. A 1 s tick (through a Clock) drives the engine when nothing
 * arrives. Outputs: (1) BankState, (2) charge relay, (3) load relay, (4) alarm relay, (5) telemetry
 * for MQTT with Home Assistant discovery, (6) alarm events (mode changes, latches, CAN stop; also logged).
 * The state is kept in a persistent context store when settings.js configures one.
 */
import type { Node, NodeAPI, NodeMessage } from 'node-red';
import { RealClock } from '../../core/clock';
import type { RulesConfig } from './config';
import { CHEMISTRY_PRESETS, DEFAULTS } from './config';
import type { StepInput } from './engine';
import { createState, step } from './engine';
import type { RulesNodeDef } from './node-settings';
import { rulesConfigOf, telemetrySettingsOf } from './node-settings';
import { StatePersistence } from './state-persistence';
import type { Outputs } from './bank-messages';
import { BankMessages } from './bank-messages';
import { bankStatus } from './node-status';
import type { Translate } from './node-status';
import { inputOf } from './input-message';

const TICK_MS = 1000;

export = function (RED: NodeAPI) {
  // the editor shows preset values as placeholders (registered once, at module load)
  RED.httpAdmin.get('/bms-rules/presets', RED.auth.needsPermission('bms-rules.read'), (_req, res) => {
    res.json({ defaults: DEFAULTS, presets: CHEMISTRY_PRESETS });
  });
  const translate: Translate = (key, params) => RED._(key, params);

  function BmsRules(this: Node, def: RulesNodeDef) {
    RED.nodes.createNode(this, def);
    const clock = new RealClock();
    let config: RulesConfig;
    try {
      config = rulesConfigOf(def);
    } catch (err) {
      this.status({ fill: 'red', shape: 'ring', text: 'bmsRules.status.badConfig' });
      this.error(`bms-rules: ${(err as Error).message}`);
      return;
    }
    const persistence = new StatePersistence(this, RED);
    const startedAt = clock.now();
    const state = createState(config, startedAt, persistence.restore());
    const log = (level: 'warn' | 'info', text: string): void => (level === 'warn' ? this.warn(text) : this.log(text));
    const messages = new BankMessages({ config, ...telemetrySettingsOf(def), startedAt, translate, log });
    const statusContext = { config, persisted: Boolean(persistence.store), startedAt, translate };

    /** One engine step; sends what changed (everything on the heartbeat). */
    const run = (input: StepInput, heartbeat: boolean, send: (msgs: Outputs) => void): void => {
      const now = clock.now();
      const { bank } = step(state, input, now);
      send(messages.outputs(bank, now, heartbeat));
      if (heartbeat) this.status(bankStatus(bank, statusContext));
      persistence.save(state, now, false);
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

    this.on('close', (_removed: boolean, done: () => void) => {
      try {
        clock.clearInterval(tick);
        persistence.save(state, clock.now(), true);
      } finally {
        done();
      }
    });
  }

  RED.nodes.registerType('bms-rules', BmsRules);
};
