/**
 * Fault injection in the real Node-RED runtime (short, fixed seed): JK PB and Seplos V2 packs on
 * in-process simulators → bms-rules → pylontech-can, under random wire faults, full redeploys and
 * runtime restarts. After every step: no unhandled rejection or uncaught exception, every PackState
 * valid and finite, every BankState and CAN frame finite with limits within what the packs allow;
 * once the faults clear every pack delivers fresh data again, the bank is NORMAL with all packs
 * online and the inverter gets a charge limit again. File descriptors do not grow over the restarts.
 */
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import jkNode = require('../../src/nodes/jk-bms/jk-bms');
import seplosNode = require('../../src/nodes/seplos/seplos-bms');
import rulesNode = require('../../src/nodes/bms-rules/bms-rules');
import inverterNode = require('../../src/nodes/inverter-can/inverter-can');
import { PROTOCOLS } from '../../src/nodes/inverter-can/protocols';
import type { CanFrame } from '../../src/transport/can-frame';
import { Rng } from '../helpers/rng';
import { type BankState, type PackState, validateBankState, validatePackState } from '../../src/core/pack-state';
import type { DeviceSimulator, WireFaults } from '../../src/transport/simulator-api';
import { sleep, until } from '../helpers/runtime';
import { getNode, type TestNode } from '../helpers/node-red';

helper.init(require.resolve('node-red'));

const SEED = 4242;
const STEPS = 24;
const openFds = (): number => readdirSync('/proc/self/fd').length;
const PACK_IDS = ['jk-1', 'jk-2', 'jk-3', 'sp-1', 'sp-2', 'sp-3'];
const MAX_A = 100;
const FLOW = [
  { id: 'tab', type: 'tab' },
  {
    id: 'busJ',
    type: 'bms-serial-bus',
    portType: 'simulator',
    simProtocol: 'jk-pb',
    simAddresses: '1-3',
    simCells: 16,
    baudRate: 115200,
    timeoutMs: 200,
  },
  {
    id: 'busS',
    type: 'bms-serial-bus',
    portType: 'simulator',
    simProtocol: 'seplos-v2',
    simAddresses: '1-3',
    simCells: 16,
    baudRate: 19200,
    timeoutMs: 300,
  },
  {
    id: 'jkBms',
    z: 'tab',
    type: 'jk-bms',
    bus: 'busJ',
    protocol: 'pb',
    method: 'fc03',
    addresses: '1-3',
    interval: 0.5,
    idPrefix: 'jk',
    wires: [['out', 'rules'], []],
  },
  {
    id: 'seplosBms',
    z: 'tab',
    type: 'seplos-bms',
    bus: 'busS',
    generation: 'v2',
    addresses: '1-3',
    interval: 0.5,
    name: 'sp',
    wires: [['out', 'rules']],
  },
  // The simulated Seplos packs rest at constant values and sit at other SoCs than the JK packs: frozen
  // and off-bus detection are kept out of this test's way (they have their own tests), and limits may
  // rise 2 s after a change instead of 30 s so recovery fits a short test.
  {
    id: 'rules',
    z: 'tab',
    type: 'bms-rules',
    bankName: 'bank',
    telemetry: false,
    rules: { frozenSec: 3600, offBusV: 10, incHoldSec: 2 },
    packs: PACK_IDS.map((id) => ({ id, capacityAh: 280, maxChargeA: MAX_A, maxDischargeA: MAX_A })),
    wires: [['banks', 'inverter'], [], [], [], []],
  },
  { id: 'inverter', z: 'tab', type: 'pylontech-can', wires: [['frames']] },
  { id: 'out', z: 'tab', type: 'helper' },
  { id: 'banks', z: 'tab', type: 'helper' },
  { id: 'frames', z: 'tab', type: 'helper' },
];
const BUSES = ['busJ', 'busS'];
const FAULTS: Array<keyof WireFaults> = ['silent', 'garbage', 'truncated', 'badChecksum'];

describe('fault injection in the Node-RED runtime (short, fixed seed)', function () {
  this.timeout(90_000);
  const problems: string[] = [];
  const onUnhandled = (e: unknown): void => {
    problems.push(`unhandled rejection: ${String(e)}`);
  };
  const onUncaught = (e: unknown): void => {
    problems.push(`uncaught exception: ${String(e)}`);
  };
  const received: Array<{ at: number; pack: PackState }> = [];
  let lastBank: BankState | undefined;
  let lastCcl = NaN;

  before(() => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtExceptionMonitor', onUncaught);
  });
  after(() => {
    process.removeListener('unhandledRejection', onUnhandled);
    process.removeListener('uncaughtExceptionMonitor', onUncaught);
  });
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  const listen = (): void => {
    getNode<TestNode<{ topic?: string; payload?: unknown }>>('out').on('input', (m) => {
      const checked = validatePackState(m.payload);
      if (!checked.ok) {
        problems.push(`invalid PackState from ${m.topic}: ${checked.reason}`);
        return;
      }
      const p = checked.value;
      const numbers = [p.voltage, p.current, p.soc, ...p.cells, ...p.temperatures];
      if (!numbers.every(Number.isFinite)) problems.push(`non-finite value in ${p.id}`);
      received.push({ at: Date.now(), pack: p });
    });
    getNode<TestNode<{ topic?: string; payload?: unknown }>>('banks').on('input', (m) => {
      const checked = validateBankState(m.payload);
      if (!checked.ok) {
        problems.push(`invalid BankState: ${checked.reason}`);
        return;
      }
      const b = checked.value;
      if (![b.cvl, b.ccl, b.dcl, b.dvl, b.soc, b.voltage, b.current].every(Number.isFinite))
        problems.push('non-finite BankState value');
      if (b.ccl > PACK_IDS.length * MAX_A || b.dcl > PACK_IDS.length * MAX_A)
        problems.push(`limits above the packs' total: ${b.ccl}/${b.dcl} A`);
      lastBank = b;
    });
    getNode<TestNode<{ topic?: string; payload?: unknown }>>('frames').on('input', (m) => {
      const frame = m.payload as CanFrame;
      const view = PROTOCOLS.pylontech.decode([frame]);
      for (const v of [view.cvl, view.ccl, view.dcl, view.soc, view.voltage, view.current]) {
        if (v !== undefined && !Number.isFinite(v))
          problems.push(`non-finite value in CAN frame 0x${frame.id.toString(16)}`);
      }
      if (view.ccl !== undefined) lastCcl = view.ccl;
    });
  };
  const sim = (bus: string): DeviceSimulator => getNode<{ simulator: DeviceSimulator }>(bus).simulator;
  const deploy = async (): Promise<void> => {
    await helper.load([busNode, jkNode, seplosNode, rulesNode, inverterNode], FLOW);
    listen();
  };
  /** Faults live in the simulators, which a redeploy re-creates: re-apply the current ones. */
  const applyFaults = (faults: Map<string, WireFaults>): void => {
    for (const bus of BUSES) {
      for (const [address, pack] of sim(bus)?.packs ?? []) pack.faults = { ...faults.get(`${bus}:${address}`) };
    }
  };
  const allFresh = (since: number): boolean => {
    const ids = new Set(received.filter((r) => r.at >= since).map((r) => r.pack.id));
    return PACK_IDS.every((id) => ids.has(id));
  };

  it(`seed ${SEED}: ${STEPS} random faults, redeploys and restarts keep the nodes sound and recover`, async () => {
    const rng = new Rng(SEED);
    const faults = new Map<string, WireFaults>();
    const history: string[] = [];
    await deploy();
    await until(() => allFresh(0), 10_000, 'every pack after the first deploy');
    const fdsAfterStart = openFds();
    const seen = new Set<string>();
    for (let i = 0; i < STEPS; i++) {
      const r = rng.next();
      if (r < 0.5) {
        const key = `${rng.pick(BUSES)}:${rng.int(1, 3)}`;
        const f = rng.pick(FAULTS);
        faults.set(key, { [f]: true });
        history.push(`${f} ${key}`);
        seen.add('wire');
      } else if (r < 0.65) {
        faults.clear();
        history.push('clear');
      } else if (r < 0.85) {
        await helper.setFlows(FLOW, 'full');
        listen();
        history.push('redeploy');
        seen.add('redeploy');
      } else {
        await helper.unload();
        await deploy();
        history.push('restart');
        seen.add('restart');
      }
      await until(() => BUSES.every((b) => sim(b) !== undefined), 3000, 'simulators after the deploy');
      applyFaults(faults);
      await sleep(rng.int(200, 900));
      assert.deepEqual(problems, [], `after ${history.join(', ')}`);
    }
    faults.clear();
    applyFaults(faults);
    const cleared = Date.now();
    // A pack that was silent is backed off for up to a few seconds before its next probe.
    await until(() => allFresh(cleared), 20_000, `every pack again after the faults cleared (${history.join(', ')})`);
    await until(
      () => lastBank?.mode === 'normal' && lastBank.packs.online === PACK_IDS.length,
      20_000,
      `NORMAL with every pack online (last: ${lastBank?.mode}, ${lastBank?.packs.online} online)`,
    );
    await until(
      () => lastCcl > 0,
      20_000,
      `a charge limit above 0 on the CAN bus (bank CCL ${lastBank?.ccl}, ${lastBank?.limitedBy.ccl})`,
    );
    assert.deepEqual(problems, []);
    assert.deepEqual([...seen].sort(), ['redeploy', 'restart', 'wire']);
    assert.ok(openFds() <= fdsAfterStart + 2, `open fds ${fdsAfterStart} → ${openFds()}`);
  });
});
