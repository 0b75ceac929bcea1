/**
 * bms-rules says what is true (acceptance 4 of issue 14): the status and log texts of FAILSAFE (no data,
 * with its duration), BLIND, stopCan and every latch, in the real Node-RED runtime with short timings.
 * The test-helper's RED._ returns the key; here it translates with the node's own en-US catalog, as the
 * Node-RED runtime does, so the texts checked are the ones a user reads.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import { jitteredCells, rulesPack } from '../helpers/rules-pack';
import type { PackState } from '../../src/core/pack-state';
import { lastStatus, until } from '../helpers/runtime';
import { getNode, type TestNode } from '../helpers/node-red';
import { rulesWithCatalog } from '../helpers/rules-catalog';

helper.init(require.resolve('node-red'));

const said = (kind: 'warn' | 'log'): string[] => {
  const node = getNode('rules');
  return node[kind]
    .getCalls()
    .filter((c) => c.thisValue === node)
    .map((c) => String(c.args[0]));
};

interface Msg {
  topic?: string;
  payload: Record<string, unknown>;
}

function pack(o: { cells?: number[]; temps?: number[] } = {}): PackState {
  return rulesPack('P1', o.cells ?? jitteredCells(), o.temps ?? [25, 25]);
}

const cellsWith = (v: number): number[] => [v, ...Array(15).fill(3.3)];

describe('bms-rules status and log texts', function () {
  this.timeout(40_000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('FAILSAFE with its duration, every latch, BLIND, FAILSAFE and stopCan: red status, logged once, sent on output 6', async () => {
    const rules = {
      staleSec: 1,
      offlineSec: 2,
      blindGraceSec: 2,
      stopCanAfterSec: 3,
      cellHighReleaseSec: 0,
      cellLowReleaseSec: 0,
      tempReleaseSec: 0,
    };
    await helper.load(rulesWithCatalog, [
      {
        id: 'rules',
        type: 'bms-rules',
        bankName: 'house',
        packs: JSON.stringify([{ id: 'P1', capacityAh: 100, maxChargeA: 50, maxDischargeA: 50 }]),
        rules: JSON.stringify(rules),
        telemetry: false,
        wires: [[], [], [], [], [], ['events']],
      },
      { id: 'events', type: 'helper' },
    ]);
    const node = getNode('rules');
    const events: Msg[] = [];
    getNode<TestNode<Msg>>('events').on('input', (m) => events.push(m));
    const send = (p: PackState): void => node.receive({ payload: p });
    const notPersisted = ' · state not persisted: set a localfilesystem context store';

    // no BMS answers: red, what is true, and for how long (not a yellow "init")
    // (INIT counts as FAILSAFE for stopCanAfterSec too: 3 s here, 60 s by default)
    await until(() => /no pack data for 2 s/.test(String(lastStatus(node).text)), 5000, 'FAILSAFE 2 s');
    assert.deepEqual(lastStatus(node), {
      fill: 'red',
      shape: 'ring',
      text: `FAILSAFE: no pack data for 2 s${notPersisted}`,
    });
    assert.ok(said('warn').some((w) => w.startsWith('state not persisted (charge state, last full charge')));

    send(pack());
    await until(() => said('log').includes('NORMAL: all 1/1 packs online'), 3000, 'NORMAL logged');
    await until(() => lastStatus(node).fill === 'green', 3000, 'green');
    assert.match(String(lastStatus(node).text), /^normal · 1\/1 · 50\/50 A · 55\.2 V · state not persisted/);

    const latches: Array<[PackState, string, string]> = [
      [
        pack({ cells: cellsWith(3.59) }),
        'cell over-voltage latch set: P1 cell 1 at 3.590 V ≥ 3.58 V, charging stopped',
        'cell over-voltage latch released: highest cell 3.300 V, ≤ 3.4 V for 0 s',
      ],
      [
        pack({ cells: cellsWith(2.85) }),
        'cell under-voltage latch set: P1 cell 1 at 2.850 V ≤ 2.9 V, discharging stopped',
        'cell under-voltage latch released: lowest cell 3.300 V, ≥ 3.1 V for 0 s',
      ],
      [
        pack({ temps: [25, 56] }),
        'charge temperature latch set: 25.0 … 56.0 °C outside 0 … 55 °C, charging stopped',
        'charge temperature latch released: 25.0 … 25.0 °C, back in range for 0 s',
      ],
      [
        pack({ temps: [-11, 25] }),
        'discharge temperature latch set: -11.0 … 25.0 °C outside -10 … 60 °C, discharging stopped',
        'discharge temperature latch released: 25.0 … 25.0 °C, back in range for 0 s',
      ],
    ];
    for (const [bad, set, released] of latches) {
      send({ ...bad, time: Date.now() }); // measured now: a sample older than the last one would be dropped
      assert.ok(said('warn').includes(set), `${set}\nwarned: ${said('warn').join('\n')}`);
      send(pack({ cells: Array(16).fill(3.3) }));
      assert.ok(said('log').includes(released), `${released}\nlogged: ${said('log').join('\n')}`);
    }
    // each latch is reported once when it sets (the cold sample also set the charge latch, with its own text)
    for (const [, set] of latches) assert.equal(said('warn').filter((w) => w === set).length, 1, set);
    assert.ok(
      said('warn').includes('charge temperature latch set: -11.0 … 25.0 °C outside 0 … 55 °C, charging stopped'),
    );

    // the data stops: BLIND after staleSec, FAILSAFE after the grace, then the CAN stop
    send(pack({ cells: Array(16).fill(3.3) }));
    await until(() => said('warn').some((w) => w.startsWith('BLIND: no pack data for')), 4000, 'BLIND');
    await until(() => String(lastStatus(node).text).startsWith('BLIND: no pack data for'), 2000, 'BLIND status');
    assert.equal(lastStatus(node).fill, 'red');
    assert.match(String(lastStatus(node).text), /^BLIND: no pack data for \d s · \d+\/\d+ A · state not persisted/);
    await until(() => said('warn').some((w) => w.startsWith('stopCan: FAILSAFE for 3 s')), 9000, 'stopCan');
    assert.ok(said('warn').some((w) => /^FAILSAFE: no pack data for \d s, CCL = DCL = 0$/.test(w)));
    await until(() => /CAN silenced/.test(String(lastStatus(node).text)), 2000, 'CAN silenced status');
    assert.match(
      String(lastStatus(node).text),
      /^FAILSAFE: no pack data for \d s · CAN silenced · state not persisted/,
    );

    // every one of them also went out on the events output, once (a sent message arrives a moment after the log)
    const logged = [...said('warn').filter((x) => !x.startsWith('state not persisted')), ...said('log')].sort();
    await until(() => events.length >= logged.length, 2000, 'the events of every logged change');
    const texts = events.map((m) => String(m.payload.text)).sort();
    assert.deepEqual(texts, logged, 'one event per logged change, the same text');
    assert.ok(events.every((m) => m.topic === 'house/event' && m.payload.kind === 'event'));
    assert.deepEqual(
      events.filter((m) => m.payload.event === 'mode').map((m) => `${m.payload.from}>${m.payload.to}`),
      ['failsafe>normal', 'normal>blind', 'blind>failsafe'],
    );
  });
});
