/**
 * Issue 14 in a real Node-RED process started as `npm start` does (scripts/start.js, whose settings
 * configure a localfilesystem context store):
 * - acceptance 1: example 02 (5 simulated JK PB packs → bms-rules → Victron node → simulated GX) keeps DCL
 *   above 0 in every 0x351 frame the GX gets across a full redeploy; after a full restart of Node-RED the
 *   GX gets DCL > 0 within 5 s of the first pack answer;
 * - acceptance 5: the charge state and the last full charge survive a restart of the runtime.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugListener, startNodeRed, type FlowNode, type NodeRedProcess } from '../helpers/node-red-process';
import { sleep, until } from '../helpers/runtime';
import { EXAMPLES_DIR } from '../helpers/fixtures';

const EXAMPLE_02 = path.join(EXAMPLES_DIR, '02 - 5x JK Inverter BMS to Victron Multiplus.json');

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Example 02 as it runs here: the RS485 bus on its simulator, the GX simulated on the CAN bus, debug on. */
function example02(): FlowNode[] {
  const flow = JSON.parse(fs.readFileSync(EXAMPLE_02, 'utf8')) as FlowNode[];
  for (const n of flow) {
    if (n.type === 'bms-serial-bus')
      Object.assign(n, { portType: 'simulator', simProtocol: 'jk-pb', simAddresses: '1-5' });
    if (n.type === 'can-bus') Object.assign(n, { iface: 'simulated', simProtocol: 'victron', simProfile: '500k' });
    if (n.type === 'debug') n.active = true;
  }
  return flow;
}

/** Messages the debug node called `name` showed, with when they arrived. */
const shown = (debug: DebugListener, flow: FlowNode[], name: string, since = 0) => {
  const ids = new Set(flow.filter((n) => n.type === 'debug' && n.name === name).map((n) => n.id));
  return debug.messages.filter((m) => ids.has(m.id) && m.received >= since);
};

/** The 0x351 frames (CVL, CCL, DCL) the Victron node put on the bus to the GX. */
const frames351 = (debug: DebugListener, flow: FlowNode[], since = 0) =>
  shown(debug, flow, 'CAN frames to the GX', since)
    .filter((m) => (m.msg as Payload)?.id === 0x351)
    .map((m) => {
      const b = Buffer.from((m.msg as Payload).data.data as number[]);
      return { at: m.received, cvl: b.readUInt16LE(0) / 10, ccl: b.readInt16LE(2) / 10, dcl: b.readInt16LE(4) / 10 };
    });

/**
 * A DCL of 0 is right only when the data says so: a bank state shortly before it with discharging stopped by a
 * latch, a cell or a BMS, never by INIT, FAILSAFE or a ramp.
 */
function unjustifiedZeroDcl(debug: DebugListener, flow: FlowNode[], since: number): number[] {
  const banks = shown(debug, flow, 'bank state', since - 3000).map((m) => ({ at: m.received, b: m.msg as Payload }));
  return frames351(debug, flow, since)
    .filter((f) => f.dcl <= 0)
    .filter(
      (f) =>
        !banks.some(
          ({ at, b }) =>
            at <= f.at && at >= f.at - 3000 && b.dcl === 0 && !['init', 'failsafe', 'ramp'].includes(b.limitedBy?.dcl),
        ),
    )
    .map((f) => f.at);
}

async function deploy(nr: NodeRedProcess, flow: FlowNode[]): Promise<void> {
  await nr.deploy(flow);
}

describe('bms-rules continuity in the real runtime (issue 14)', function () {
  this.timeout(300_000);
  const dirs: string[] = [];
  let nr: NodeRedProcess | undefined;
  let debug: DebugListener | undefined;
  const userDir = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cellsafe-continuity-'));
    dirs.push(d);
    return d;
  };

  afterEach(async () => {
    debug?.close();
    debug = undefined;
    await nr?.stop();
    nr = undefined;
  });
  after(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('acceptance 1: example 02 keeps DCL > 0 in every frame to the GX across a redeploy; after a restart DCL > 0 within 5 s of the first pack answer', async () => {
    const dir = userDir();
    const flow = example02();
    nr = await startNodeRed({ userDir: dir, dashboard: false, timeoutMs: 150_000 });
    debug = await DebugListener.connect(nr.url);
    const start = Date.now();
    await deploy(nr, flow);
    await until(() => frames351(debug!, flow, start).some((f) => f.dcl > 0), 30_000, 'DCL > 0 at the GX');
    await sleep(3000);

    // a full redeploy: every node stops and starts again, bms-rules goes through INIT
    const redeployAt = Date.now();
    await deploy(nr, flow);
    await until(
      () => shown(debug!, flow, 'pack states', redeployAt + 500).length >= 5,
      30_000,
      'packs answering after the redeploy',
    );
    await sleep(8000);
    const across = frames351(debug, flow, start);
    assert.ok(across.filter((f) => f.at < redeployAt).length >= 3, 'frames before the redeploy');
    assert.ok(across.filter((f) => f.at > redeployAt + 3000).length >= 3, 'frames after the redeploy');
    assert.deepEqual(unjustifiedZeroDcl(debug, flow, start), [], 'frames with DCL 0 the data does not call for');
    assert.ok(
      across.every((f) => f.cvl > 40 && Number.isFinite(f.ccl)),
      'never a CVL of 0 or nonsense',
    );

    // a full restart of Node-RED with the same user directory (flow and context kept)
    debug.close();
    await nr.stop();
    nr = await startNodeRed({ userDir: dir, dashboard: false, timeoutMs: 150_000, keepFlows: true });
    debug = await DebugListener.connect(nr.url);
    await until(() => shown(debug!, flow, 'pack states').length > 0, 30_000, 'first pack answer after the restart');
    const firstAnswer = shown(debug, flow, 'pack states')[0].received;
    await until(() => frames351(debug!, flow).some((f) => f.dcl > 0), 15_000, 'DCL > 0 after the restart');
    const firstDcl = frames351(debug, flow).find((f) => f.dcl > 0)!.at;
    assert.ok(firstDcl - firstAnswer <= 5000, `DCL > 0 ${firstDcl - firstAnswer} ms after the first pack answer`);
    assert.deepEqual(unjustifiedZeroDcl(debug, flow, 0), [], 'no DCL 0 after the restart');
  });

  it('acceptance 5: with the localfilesystem store of the demo settings, the charge state and the last full charge survive a restart', async () => {
    const dir = userDir();
    const packs = ['A', 'B', 'C'].map((id) => ({ id, capacityAh: 100, maxChargeA: 100, maxDischargeA: 100 }));
    const flow: FlowNode[] = [
      { id: 'tab1', type: 'tab', label: 'restart' },
      {
        id: 'tick',
        z: 'tab1',
        type: 'inject',
        repeat: '1',
        once: true,
        onceDelay: 0.1,
        topic: '',
        payload: '',
        payloadType: 'date',
        wires: [['packs']],
      },
      {
        // three full packs at 3.45 V per cell, 10 A each: BULK → ABSORB after 30 s, then FLOAT at once (short settings)
        id: 'packs',
        z: 'tab1',
        type: 'function',
        outputs: 1,
        func: `return [['A','B','C'].map((id) => {
          const cells = Array.from({ length: 16 }, (_, k) => 3.45 + (k === 0 ? (Date.now() % 2000 < 1000 ? 0.001 : 0) : 0));
          return { payload: { kind: 'pack', id, protocol: 'jk-pb', time: Date.now(), voltage: cells.reduce((a, b) => a + b, 0),
            current: 10, soc: 99, cells, temperatures: [25, 25], chargeAllowed: true, dischargeAllowed: true, alarms: {} } };
        })];`,
        wires: [['rules']],
      },
      {
        id: 'rules',
        z: 'tab1',
        type: 'bms-rules',
        bankName: 'bank',
        packs: JSON.stringify(packs),
        rules: JSON.stringify({ absorbHoldSec: 1, rampDownVPerCellS: 1 }),
        telemetry: false,
        wires: [['bankDebug'], [], [], [], [], []],
      },
      {
        id: 'bankDebug',
        z: 'tab1',
        type: 'debug',
        name: 'bank state',
        active: true,
        tosidebar: true,
        complete: 'payload',
        targetType: 'msg',
        wires: [],
      },
    ];
    nr = await startNodeRed({ userDir: dir, dashboard: false, timeoutMs: 150_000 });
    debug = await DebugListener.connect(nr.url);
    await deploy(nr, flow);
    const banks = () => shown(debug!, flow, 'bank state').map((m) => m.msg as Payload);
    await until(() => banks().some((b) => b.chargeState === 'float'), 90_000, 'a full charge ending in FLOAT');
    const before = banks().find((b) => b.chargeState === 'float')!;
    assert.ok(Number.isFinite(before.lastFullCharge), 'the full charge is dated');
    assert.doesNotMatch(nr.output(), /state not persisted/);

    debug.close();
    await nr.stop();
    nr = await startNodeRed({ userDir: dir, dashboard: false, timeoutMs: 150_000, keepFlows: true });
    debug = await DebugListener.connect(nr.url);
    await until(() => banks().some((b) => b.chargeState !== 'init'), 30_000, 'INIT over after the restart');
    const after = banks().find((b) => b.chargeState !== 'init')!;
    assert.equal(after.chargeState, 'float', 'resumed in FLOAT, no new absorb');
    assert.equal(after.lastFullCharge, before.lastFullCharge, 'the date of the last full charge survived');
    assert.ok(banks().every((b) => b.chargeState === 'init' || b.chargeState === 'float'));
    // and it is really in the file store of the user directory
    const files = fs.readdirSync(path.join(dir, 'context'), { recursive: true }).map(String);
    assert.ok(
      files.some((f) => f.endsWith('rules.json')),
      `context files: ${files.join(', ')}`,
    );
  });
});
