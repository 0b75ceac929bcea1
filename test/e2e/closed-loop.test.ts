/**
 * The closed loop in the real runtime (node-red-node-test-helper): the quick-start flow as shipped —
 * three JK PB packs of the simulated bank "demo" on the in-process simulator port, bms-rules, the
 * Victron node, and the can-bus simulated GX that acts on the frames it receives and moves the bank —
 * at ×600 (a simulated day in 144 s). The bank's physics and the inverter run on the bank's clock; the
 * BMS node, bms-rules and the CAN frames run in real time, as they do in the demo.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import jkNode = require('../../src/nodes/jk-bms/jk-bms');
import rulesNode = require('../../src/nodes/bms-rules/bms-rules');
import inverterNode = require('../../src/nodes/inverter-can/inverter-can');
import canBusNode = require('../../src/nodes/can-bus/can-bus');
import simulatedBankNode = require('../../src/nodes/simulated-bank/simulated-bank');
import type { RulesBankState } from '../../src/nodes/bms-rules/engine';
import { PACK_PROTECTION } from '../../src/core/pack-model';
import type { SimulatedBankOptions } from '../../src/core/simulated-bank';
import { forgetSimulatedBanks, getSimulatedBank } from '../../src/transport/simulated-banks';
import type { DriveRecord, InverterDrive } from '../../src/transport/simulated-inverter-drive';
import { getNode, type TestNode } from '../helpers/node-red';
import type { FlowNode } from '../helpers/node-red-process';
import { loadExample } from '../helpers/fixtures';
import { Rng } from '../helpers/rng';
import { sleep, until } from '../helpers/runtime';

helper.init(require.resolve('node-red'));

/** Victron 0x351 sends CCL and DCL in 0.1 A. */
const LSB_A = 0.1;
const TRANSMIT_PERIOD_MS = 1000;

interface Sample extends DriveRecord {
  /** Wall time of the step (bms-rules and the CAN frames run on it). */
  wall: number;
  maxCell: number;
}
interface BankSample {
  wall: number;
  bank: RulesBankState;
}

/** Example 01 at ×600, its core debug/inject/switch nodes as test sinks. */
function quickStart(): FlowNode[] {
  return loadExample<FlowNode>('01 - Quick start (simulated)')
    .filter((n) => n.type !== 'comment')
    .map((n) => (['debug', 'inject', 'switch'].includes(n.type) ? { ...n, type: 'helper' } : n))
    .map((n) => (n.type === 'can-bus' ? { ...n, simSpeed: 600 } : n));
}

/** Starts the flow on a fresh bank and records every inverter step and every bank state. */
async function run(bankOptions: SimulatedBankOptions) {
  forgetSimulatedBanks();
  const bank = getSimulatedBank('demo', bankOptions);
  await helper.load([busNode, jkNode, rulesNode, inverterNode, canBusNode, simulatedBankNode], quickStart());
  const banks: BankSample[] = [];
  getNode<TestNode<{ payload: RulesBankState }>>('qs_dbg_bank').on('input', (m) =>
    banks.push({ wall: Date.now(), bank: m.payload }),
  );
  const drive = getNode<{ drive: InverterDrive }>('qs_can').drive;
  const samples: Sample[] = [];
  drive.onStep((record) => {
    let maxCell = 0;
    for (const id of bank.packIds) for (const v of bank.pack(id).cells) maxCell = Math.max(maxCell, v);
    samples.push({ ...record, wall: Date.now(), maxCell });
  });
  return { bank, banks, samples };
}

/** The inverter never carries more than the limits it received (plus one LSB). */
function assertObeysReceivedLimits(samples: Sample[]): void {
  for (const s of samples) {
    assert.ok(s.current <= s.limits.ccl + LSB_A, `${s.current.toFixed(2)} A charge over CCL ${s.limits.ccl}`);
    assert.ok(-s.current <= s.limits.dcl + LSB_A, `${(-s.current).toFixed(2)} A discharge over DCL ${s.limits.dcl}`);
    if (!s.limits.chargeAllowed) assert.ok(s.current <= 0);
  }
}

/**
 * Every bank state's CCL/DCL reaches the inverter within two transmit periods: each step later than
 * that (until the next change) carries at most that limit plus one LSB.
 */
function assertFollowsBankLimits(samples: Sample[], banks: BankSample[]): number {
  let checked = 0;
  for (let k = 0; k < banks.length; k++) {
    const { wall, bank } = banks[k];
    const from = wall + 2 * TRANSMIT_PERIOD_MS;
    const until = banks.find((b, j) => j > k && (b.bank.ccl !== bank.ccl || b.bank.dcl !== bank.dcl))?.wall ?? Infinity;
    for (const s of samples) {
      if (s.wall < from || s.wall >= until) continue;
      checked++;
      assert.ok(
        s.current <= bank.ccl + LSB_A,
        `${s.current.toFixed(1)} A > bank CCL ${bank.ccl} ${s.wall - wall} ms after it`,
      );
      assert.ok(-s.current <= bank.dcl + LSB_A, `${-s.current} A > bank DCL ${bank.dcl} ${s.wall - wall} ms after it`);
    }
  }
  return checked;
}

describe('closed loop: simulated inverter and simulated bank in the real runtime (x600)', function () {
  this.timeout(240_000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    forgetSimulatedBanks();
  });

  it('a full day from 20 % SoC: bulk → absorb → float, then discharge; limits obeyed, CCL tapers, no cell over the cut', async () => {
    const { banks, samples } = await run({ soc: 20 });
    await until(() => samples.length > 0 && samples.at(-1)!.at - samples[0].at >= 24 * 3_600_000, 200_000, 'a day');
    assertObeysReceivedLimits(samples);
    const followed = assertFollowsBankLimits(samples, banks);
    const states = banks.map((b) => b.bank).filter((b) => b.chargeState !== 'init');
    const socs = states.map((b) => b.soc);
    const socMoved = Math.max(...socs) - Math.min(...socs);
    assert.ok(socMoved > 50, `SoC moved ${socMoved.toFixed(1)} points`);
    const maxCell = Math.max(...samples.map((s) => s.maxCell));
    assert.ok(maxCell < PACK_PROTECTION.cellOverV, `highest cell ${maxCell} V`);
    // CCL tapers as the highest cell nears the cut.
    const fullCcl = Math.max(...states.filter((b) => b.cellMax.v < 3.35).map((b) => b.ccl));
    const nearTop = states.filter((b) => b.cellMax.v >= 3.4 && b.ccl > 0);
    assert.ok(nearTop.length > 0, 'bank states with the highest cell at 3.40 V or more');
    assert.ok(
      nearTop.some((b) => b.ccl < 0.5 * fullCcl),
      `CCL near the top: ${nearTop.map((b) => b.ccl.toFixed(0)).join(',')} (full ${fullCcl})`,
    );
    const charged = samples.filter((s) => s.current > 50 && s.hour > 8 && s.hour < 16).length;
    const evening = samples.filter((s) => s.hour >= 20 && s.current < -5).length;
    assert.ok(charged > 600 && evening > 600, `charging ${charged} s in the day, discharging ${evening} s at night`);
    const sequence = states.map((b) => b.chargeState).filter((cs, k, all) => k === 0 || all[k - 1] !== cs);
    const absorbAt = sequence.indexOf('absorb');
    assert.ok(absorbAt >= 0 && sequence.indexOf('float', absorbAt) > absorbAt, `charge states ${sequence.join(' → ')}`);
    const floatWall = banks.find((b) => b.bank.chargeState === 'float')!.wall;
    assert.ok(
      samples.some((s) => s.wall > floatWall && s.current < -5),
      'back to discharging after float',
    );
    console.log(
      `    SoC moved ${socMoved.toFixed(1)} points, highest cell ${maxCell.toFixed(3)} V, charge states ${sequence.join(' → ')}, ` +
        `${followed} steps checked against the bank limits`,
    );
  });

  it("pull pack 2's cable at a random moment: DEGRADED with a lower CCL the inverter follows, recovery after all clear", async () => {
    const rng = new Rng(Number(process.env.CELLSAFE_SEED ?? Date.now() % 100000));
    const { banks, samples } = await run({ soc: 30 });
    await until(() => banks.some((b) => b.bank.mode === 'normal' && b.bank.ccl > 0), 20_000, 'a NORMAL bank');
    await sleep(rng.int(1000, 8000));
    const before = banks.at(-1)!.bank;
    const pulledAt = Date.now();
    getNode('qs_sim').receive({ payload: { command: 'pullCable', pack: 2 } });
    // STALE after 10 s (DEGRADED, limits held), OFFLINE after 30 s: its share of the limits goes.
    const offline = (b: BankSample) => b.wall > pulledAt && b.bank.mode === 'degraded' && b.bank.packs.offline === 1;
    await until(() => banks.some(offline), 45_000, 'DEGRADED with pack 2 OFFLINE');
    const degraded = banks.find(offline)!;
    assert.equal(degraded.bank.packs.online, 2);
    assert.ok(degraded.bank.ccl < before.ccl, `CCL ${before.ccl} → ${degraded.bank.ccl}`);
    await sleep(3 * TRANSMIT_PERIOD_MS);
    assertObeysReceivedLimits(samples);
    assertFollowsBankLimits(samples, banks);
    const followedAt = samples.find((s) => s.wall >= degraded.wall && s.limits.ccl <= degraded.bank.ccl + LSB_A)?.wall;
    assert.ok(followedAt !== undefined && followedAt - degraded.wall <= 2 * TRANSMIT_PERIOD_MS, 'within two periods');
    const clearedAt = Date.now();
    getNode('qs_sim').receive({ payload: { command: 'allClear' } });
    await until(
      () => banks.some((b) => b.wall > clearedAt && b.bank.mode === 'normal' && b.bank.packs.online === 3),
      60_000,
      'NORMAL again with 3 packs',
    );
    console.log(
      `    cable pulled ${pulledAt - banks[0].wall} ms after start: DEGRADED after ${degraded.wall - pulledAt} ms, ` +
        `CCL ${before.ccl} → ${degraded.bank.ccl} A, inverter at it after ${followedAt! - degraded.wall} ms`,
    );
  });
  it('the fault buttons do what the flow comment says: a cell at 3.65 V or a freezing morning stop charging, all clear ends it', async () => {
    const { banks, samples } = await run({ soc: 50 });
    const button = (id: string) => ({ payload: JSON.parse(String(quickStart().find((n) => n.id === id)!.payload)) });
    const press = (id: string) => {
      const at = Date.now();
      getNode('qs_sim').receive(button(id));
      return at;
    };
    const after = (at: number, test: (b: RulesBankState) => boolean) => () =>
      banks.some((b) => b.wall > at && test(b.bank));
    await until(
      after(0, (b) => b.mode === 'normal' && b.ccl > 0),
      20_000,
      'a NORMAL bank charging',
    );
    for (const [fault, reason] of [
      ['qs_fault_cell', /latch:cellHigh/],
      ['qs_fault_cold', /temp|latch/],
    ] as const) {
      const pressed = press(fault);
      await until(
        after(pressed, (b) => b.ccl === 0),
        15_000,
        `CCL 0 after ${fault}`,
      );
      const stopped = banks.find((b) => b.wall > pressed && b.bank.ccl === 0)!;
      assert.match(String(stopped.bank.limitedBy.ccl), reason);
      await sleep(3 * TRANSMIT_PERIOD_MS);
      const charging = samples.filter((s) => s.wall > stopped.wall + 2 * TRANSMIT_PERIOD_MS && s.current > LSB_A);
      assert.deepEqual(charging.length, 0, `no charging after ${fault}`);
      const cleared = press('qs_fault_clear');
      await until(
        after(cleared, (b) => b.ccl > 0),
        60_000,
        `CCL back after all clear (${fault})`,
      );
      console.log(`    ${fault}: CCL 0 (${stopped.bank.limitedBy.ccl}) ${stopped.wall - pressed} ms after the button`);
    }
    assertObeysReceivedLimits(samples);
  });
});
