/**
 * bms-rules in the real Node-RED runtime.
 * Acceptance 3: three simulated JK PB packs from the bus simulator → jk-bms → bms-rules; one pack
 * stopped → DEGRADED with the reduced limits; all stopped → BLIND → FAILSAFE within the configured
 * times (short timings, real time). Also input validation, commands, relays, telemetry and context.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import jkNode = require('../../src/nodes/jk-bms/jk-bms');
import rulesNode = require('../../src/nodes/bms-rules/bms-rules');
import { jitteredCells, rulesPack } from '../helpers/rules-pack';
import type { PackState } from '../../src/core/pack-state';
import { validateBankState } from '../../src/core/pack-state';
import type { DeviceSimulator } from '../../src/transport/simulator-api';
import type { RulesBankState } from '../../src/nodes/bms-rules/engine';
import { lastStatus, until } from '../helpers/runtime';
import { getNode, type TestNode } from '../helpers/node-red';

helper.init(require.resolve('node-red'));

interface Msg {
  topic?: string;
  payload: unknown;
  retain?: boolean;
}
function collect<M = Msg>(id: string): M[] {
  const out: M[] = [];
  getNode<TestNode<M>>(id).on('input', (m) => out.push(m));
  return out;
}
const send = (id: string, msg: Msg): void => getNode(id).receive(msg);
const simulator = (): DeviceSimulator => getNode<{ simulator: DeviceSimulator }>('bus').simulator;

/** Timings short enough for real time: stale 1.5 s, offline 3 s, blind grace 3 s. */
const FAST = {
  staleSec: 1.5,
  offlineSec: 3,
  blindGraceSec: 3,
  recoverHoldSec: 1,
  initTimeoutSec: 5,
  incHoldSec: 1,
  incRateMinA: 1000,
};
const PACKS = [1, 2, 3].map((a) => ({ id: `bank-${a}`, capacityAh: 280, maxChargeA: 100, maxDischargeA: 100 }));

function rulesFlow(extra: Record<string, unknown> = {}) {
  return [
    { id: 'tab', type: 'tab' },
    {
      id: 'rules',
      z: 'tab',
      type: 'bms-rules',
      bankName: 'house',
      packs: JSON.stringify(PACKS),
      rules: JSON.stringify(FAST),
      telemetry: true,
      wires: [['bank'], ['charge'], ['load'], ['alarm'], ['tele']],
      ...extra,
    },
    ...['bank', 'charge', 'load', 'alarm', 'tele', 'caught'].map((id) => ({ id, z: 'tab', type: 'helper' })),
    { id: 'c', z: 'tab', type: 'catch', scope: ['rules'], wires: [['caught']] },
  ];
}

function pack(id: string, o: Partial<PackState> = {}): PackState {
  return { ...rulesPack(id, jitteredCells(), [25, 25.5]), ...o };
}

const lastBank = (m: Msg[]): RulesBankState => m[m.length - 1].payload as RulesBankState;

describe('bms-rules node', function () {
  this.timeout(40_000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('acceptance 3: 3 simulated JK PB packs → DEGRADED with reduced limits when one stops, BLIND then FAILSAFE when all stop', async () => {
    const flow = [
      { id: 'tab', type: 'tab' },
      {
        id: 'bus',
        type: 'bms-serial-bus',
        baudRate: 115200,
        timeoutMs: 200,
        portType: 'simulator',
        simProtocol: 'jk-pb',
        simAddresses: '1-3',
        simCells: 16,
        simProfile: 'cycle',
        simWireTime: false,
      },
      {
        id: 'jk',
        z: 'tab',
        type: 'jk-bms',
        bus: 'bus',
        protocol: 'pb',
        method: 'fc03',
        addresses: '1-3',
        interval: 0.5,
        name: 'bank',
        wires: [['rules'], []],
      },
      ...rulesFlow().slice(1),
    ];
    await helper.load([busNode, jkNode, rulesNode], flow);
    const bank = collect('bank');
    const charge = collect('charge');
    const alarm = collect('alarm');
    await until(
      () => bank.some((m) => (m.payload as RulesBankState).mode === 'normal' && (m.payload as RulesBankState).ccl > 0),
      10_000,
      'NORMAL with a charge limit',
    );
    // settle: the ramp is fast with these settings
    await new Promise((r) => setTimeout(r, 2500));
    const normal = lastBank(bank);
    assert.equal(normal.mode, 'normal');
    assert.equal(normal.packs.online, 3);
    assert.ok(validateBankState(normal).ok);
    const k = (id: string) => normal.packStates[id];
    // three equal packs: the share model allows 3 × the smallest pack limit, × 0.9
    const min3 = Math.min(k('bank-1').ccl, k('bank-2').ccl, k('bank-3').ccl);
    assert.ok(
      Math.abs(normal.ccl - Math.min(0.9 * 3 * min3, k('bank-1').ccl + k('bank-2').ccl + k('bank-3').ccl)) < 1,
      `CCL ${normal.ccl}`,
    );
    assert.equal(charge.at(-1)?.payload, true);

    const t0 = Date.now();
    simulator().packs.get(3)!.faults.silent = true;
    await until(() => lastBank(bank).packs.offline === 1, 8000, 'pack 3 offline');
    const tOff = Date.now() - t0;
    const degraded = lastBank(bank);
    assert.equal(degraded.mode, 'degraded');
    assert.ok(tOff >= 3000 - 600 && tOff <= 3000 + 1500, `offline after ${tOff} ms`);
    const min2 = Math.min(degraded.packStates['bank-1'].ccl, degraded.packStates['bank-2'].ccl);
    assert.ok(
      Math.abs(
        degraded.ccl - Math.min(0.9 * 2 * min2, degraded.packStates['bank-1'].ccl + degraded.packStates['bank-2'].ccl),
      ) < 1,
      `degraded CCL ${degraded.ccl}`,
    );
    assert.ok(degraded.ccl < normal.ccl);
    assert.ok(degraded.cvl <= 16 * 3.375 + 1e-9);
    assert.equal(degraded.alarms.packOffline, 'warn');

    const t1 = Date.now();
    simulator().packs.get(1)!.faults.silent = true;
    simulator().packs.get(2)!.faults.silent = true;
    await until(() => lastBank(bank).mode === 'blind', 5000, 'BLIND');
    const tBlind = Date.now() - t1;
    assert.ok(tBlind <= 1500 + 1500, `blind after ${tBlind} ms`);
    const blind = lastBank(bank);
    assert.ok(blind.ccl <= 0.25 * degraded.ccl + 1e-9);
    assert.equal(blind.alarms.bmsCommLost, 'alarm');
    await until(() => lastBank(bank).mode === 'failsafe', 6000, 'FAILSAFE');
    const tFs = Date.now() - t1 - tBlind;
    assert.ok(tFs >= 3000 - 300 && tFs <= 3000 + 1200, `failsafe ${tFs} ms after blind`);
    const fs = lastBank(bank);
    assert.equal(fs.ccl, 0);
    assert.equal(fs.dcl, 0);
    assert.equal(charge.at(-1)?.payload, false);
    assert.equal(alarm.at(-1)?.payload, true);
    // heartbeat continues in FAILSAFE
    const n = bank.length;
    await new Promise((r) => setTimeout(r, 2100));
    assert.ok(bank.length >= n + 2);
  });

  it('validates every input with a clear error', async () => {
    await helper.load([rulesNode], rulesFlow());
    const caught = collect<{ error: { message: string } }>('caught');
    const bad: Array<[Msg, RegExp]> = [
      [{ payload: 'hello' }, /not a PackState: pack state must be an object/],
      [{ payload: { ...pack('bank-1'), soc: 140 } }, /soc must be 0\.\.100/],
      [{ payload: { ...pack('bank-1'), cells: [3.3, Number.NaN] } }, /cells\[1\] must be a finite number/],
      [
        { topic: 'command', payload: 'explode' },
        /command must be one of forceBulk, forceFloat, resetLatch, exclude, include/,
      ],
      [{ topic: 'command', payload: { command: 'exclude' } }, /needs the pack id/],
      [{ topic: 'current', payload: '12' }, /finite number payload/],
    ];
    for (const [m] of bad) send('rules', m);
    await until(() => caught.length === bad.length, 2000, 'all errors');
    bad.forEach(([, re], i) => assert.match(caught[i].error.message, re));
  });

  it('a pack whose data is 15 min old by its own time never counts; status and BankState say which and by how much; an id "__proto__" travels', async () => {
    await helper.load([rulesNode], rulesFlow());
    const bank = collect('bank');
    const node = helper.getNode('rules');
    const feed = setInterval(() => {
      for (const id of ['bank-1', 'bank-2', '__proto__']) send('rules', { payload: pack(id) });
      send('rules', { payload: pack('bank-3', { time: Date.now() - 15 * 60_000 }) });
    }, 250);
    try {
      await until(() => bank.length > 0 && lastBank(bank).mode === 'degraded', 9000, 'DEGRADED after the INIT timeout');
      await until(
        // the status is throttled, so it may still show the INIT failsafe for a moment after the bank left it
        () => {
          const text = String(lastStatus(node).text);
          return text.startsWith('degraded · ') && text.includes(' · bank-3 data 15 min old');
        },
        3000,
        'degraded status naming bank-3',
      );
    } finally {
      clearInterval(feed);
    }
    const b = lastBank(bank);
    assert.equal(b.packStates['bank-3'].status, 'offline');
    assert.equal(Math.round(b.packStates['bank-3'].delaySec! / 10), 90);
    assert.ok(
      b.warnings.some((w) => /^old:bank-3:90\ds$/.test(w)),
      b.warnings.join(', '),
    );
    assert.ok(bank.every((m) => (m.payload as RulesBankState).packStates['bank-3'].status !== 'ok'));
    assert.ok(Object.prototype.hasOwnProperty.call(b.packStates, '__proto__'), 'the odd id is an ordinary key');
    assert.equal(b.packStates['__proto__'].status, 'ok');
    assert.ok(b.warnings.includes('unconfigured:__proto__'));
    assert.equal(b.packs.online, 3);
    assert.match(String(lastStatus(node).text), /^degraded · 3\/4 · /);
  });

  it('reports a bad configuration in its status and does nothing', async () => {
    await helper.load([rulesNode], rulesFlow({ rules: JSON.stringify({ vCellAbsorb: 'high' }) }));
    const n = getNode<{ status: { lastCall: { args: Array<{ text: string }> } } }>('rules');
    assert.equal(n.status.lastCall.args[0].text, 'bmsRules.status.badConfig');
  });

  it('PackStates from a test source: relays on change, telemetry with retained HA discovery, commands, context', async () => {
    await helper.load([rulesNode], rulesFlow());
    const bank = collect('bank');
    const charge = collect('charge');
    const tele = collect('tele');
    const feed = setInterval(() => {
      for (const id of ['bank-1', 'bank-2', 'bank-3']) send('rules', { topic: id, payload: pack(id) });
    }, 250);
    try {
      await until(() => bank.length > 0 && lastBank(bank).mode === 'normal' && lastBank(bank).ccl > 0, 8000, 'NORMAL');
      await until(() => charge.length > 0, 3000, 'charge relay');
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual(
        charge.map((m) => m.payload),
        [false, true],
        'the initial state, then changes only',
      );
      assert.equal(charge[0].topic, 'house/relay/charge');
      const disc = tele.filter((m) => m.topic!.startsWith('homeassistant/'));
      assert.ok(disc.length > 20 && disc.every((m) => m.retain === true));
      const soc = disc.find((m) => m.topic === 'homeassistant/sensor/cellsafe_house_soc/config')!;
      assert.equal(JSON.parse(soc.payload as string).state_topic, 'cellsafe/house/soc');
      assert.ok(disc.some((m) => m.topic === 'homeassistant/sensor/cellsafe_house_bank-2_soc/config'));
      assert.ok(tele.some((m) => m.topic === 'cellsafe/house/mode' && m.payload === 'normal'));
      assert.ok(tele.some((m) => m.topic === 'cellsafe/house/packs/bank-3/status'));
      send('rules', { topic: 'command', payload: { command: 'exclude', pack: 'bank-3' } });
      await until(() => lastBank(bank).packs.total === 2, 2000, 'exclusion');
      send('rules', { topic: 'command', payload: 'forceFloat' });
      await until(() => lastBank(bank).chargeState === 'float-ramp', 2000, 'force float');
    } finally {
      clearInterval(feed);
    }
    const ctx = getNode<{ context(): { get(k: string): { cs: string } } }>('rules').context();
    await until(() => ctx.get('bmsRules')?.cs === 'float-ramp', 2000, 'persisted charge state');
  });
});
