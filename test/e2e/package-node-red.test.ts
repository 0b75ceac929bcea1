/**
 * The packed package installed as a user installs it: uploaded to the palette manager of a fresh
 * Node-RED (which runs npm in its user directory), on Node-RED 4.1 with the Node 20 running the tests and
 * on Node-RED 5 with Node 24 (from the npm registry, cached under test-output/). Each must register all 13
 * node types without a load error, run example 01 to a BankState in its debug node within 60 s, and say
 * in the status of a SocketCAN inverter node what to run when the native socketcan module is unusable.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateBankState } from '../../src/core/pack-state';
import { checkInstalledPackage, expectedFromSources, libraryInput } from '../helpers/installed-package';
import { node24Runtime, npmOnNode24, type Node24Runtime } from '../helpers/node24';
import {
  EditorComms,
  startNodeRedRuntime,
  waitFor,
  type NodeRedRuntime,
  type NodeSet,
} from '../helpers/node-red-install';
import type { FlowNode } from '../helpers/node-red-process';
import { freshProject, packPackage, userEnv, type PackedPackage } from '../helpers/package-tarball';
import { createPtyPair, socatAvailable } from '../helpers/pty';
import { loadExample, REPO_ROOT } from '../helpers/fixtures';

const MODULE = '@cellsafe/node-red-bms';
const TYPES = [
  'bms-rules',
  'bms-serial-bus',
  'byd-can',
  'can-bus',
  'growatt-can',
  'jk-bms',
  'pylontech-485',
  'pylontech-can',
  'seplos-bms',
  'simulated-bank',
  'sma-can',
  'smartbms',
  'victron-can',
];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Example 01 plus a Victron node on a SocketCAN interface (can0, absent here), for its status. */
function quickStartWithSocketCan(): FlowNode[] {
  const example = loadExample<FlowNode>('01 - Quick start (simulated)');
  return [
    ...example,
    { id: 'sc_bus', type: 'can-bus', name: 'SocketCAN', iface: 'socketcan', device: 'can0', bitrate: 500000 },
    { id: 'sc_inverter', type: 'victron-can', z: example[0].id, bus: 'sc_bus', profile: '500k', wires: [[]] },
  ];
}

interface PaletteRun {
  red: NodeRedRuntime;
  comms: EditorComms;
  userDir: string;
  socketCanStatus: string;
}

/** Fresh user directory, Node-RED up, tarball uploaded to the palette, checks up to the BankState. */
async function installThroughPalette(options: {
  node: string;
  redJs: string;
  env: NodeJS.ProcessEnv;
  tarball: string;
}): Promise<PaletteRun> {
  const userDir = freshProject('cellsafe-node-red-');
  const started = Date.now();
  const red = await startNodeRedRuntime({ ...options, userDir, timeoutMs: 60_000 });
  const up = Date.now();
  await red.uploadModule(options.tarball);
  const installed = Date.now();
  const ours = (await red.nodeSets()).filter((set: NodeSet) => set.module === MODULE);
  assert.deepEqual(ours.flatMap((set) => set.types).sort(), TYPES);
  for (const set of ours) {
    assert.equal(set.err, undefined, `${set.types.join(', ')}: ${set.err}`);
    assert.equal(set.enabled, true);
  }
  const comms = await EditorComms.connect(red.url);
  await red.deploy(quickStartWithSocketCan());
  const deployed = Date.now();
  await waitFor(
    () => comms.debugObjects('bank state').some((b) => b.kind === 'bank' && validateBankState(b).ok),
    60_000,
    `a valid BankState in the "bank state" debug node\n${red.output()}`,
  );
  const bankAt = Date.now();
  await waitFor(
    () => /socketcan-/.test(comms.status('sc_inverter')?.text ?? ''),
    10_000,
    `a socketcan status on the SocketCAN inverter node (last: ${JSON.stringify(comms.status('sc_inverter'))})`,
  );
  const status = comms.status('sc_inverter')!;
  assert.deepEqual([status.fill, status.shape], ['red', 'ring']);
  assert.doesNotMatch(red.output(), /Waiting for missing types/);
  console.log(
    `    Node-RED up ${seconds(up - started)}, palette install ${seconds(installed - up)}, ` +
      `BankState ${seconds(bankAt - deployed)} after deploy; socketcan: ${status.text}`,
  );
  return { red, comms, userDir, socketCanStatus: status.text! };
}

describe('palette install of the packed package', function () {
  this.timeout(600_000);
  let packed: PackedPackage;
  const cleanup: Array<() => Promise<void> | void> = [];

  before(async () => {
    packed = await packPackage();
  });

  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('Node-RED 4.1 on Node 20: 13 types, example 01 to a BankState, SocketCAN node says "npm install socketcan"', async () => {
    const redJs = require.resolve('node-red/red.js', { paths: [REPO_ROOT] });
    const run = await installThroughPalette({
      node: process.execPath,
      redJs,
      env: userEnv(),
      tarball: packed.tarball,
    });
    cleanup.push(
      () => fs.rmSync(run.userDir, { recursive: true, force: true }),
      () => run.red.stop(),
      () => run.comms.close(),
    );
    // socketcan wants Node 22.22+: npm leaves the optional package out on Node 20.
    assert.equal(fs.existsSync(path.join(run.userDir, 'node_modules', 'socketcan')), false);
    assert.equal(run.socketCanStatus, 'inverterCan.status.socketcan-missing');
    assert.match(run.red.output(), /npm install socketcan/);
  });

  describe('Node-RED 5 on Node 24', () => {
    let runtime: Node24Runtime;

    before(async function () {
      const started = Date.now();
      const provided = await node24Runtime();
      if ('skip' in provided) {
        console.log(`    skipped: ${provided.skip}`);
        this.skip();
      }
      runtime = provided as Node24Runtime;
      console.log(
        `    Node ${runtime.version}, Node-RED ${runtime.nodeRedVersion} ready in ${seconds(Date.now() - started)}`,
      );
    });

    it('install scripts off (as npm will default): 13 types, a BankState, "socketcan not built" fixed by npm rebuild socketcan; require() there decodes', async () => {
      // npm reads its config from the environment: the palette's npm runs no install scripts.
      const paletteEnv = { ...runtime.env, npm_config_ignore_scripts: 'true' };
      const run = await installThroughPalette({ ...runtime, env: paletteEnv, tarball: packed.tarball });
      cleanup.push(
        () => fs.rmSync(run.userDir, { recursive: true, force: true }),
        () => run.red.stop(),
        () => run.comms.close(),
      );
      assert.equal(run.socketCanStatus, 'inverterCan.status.socketcan-not-built');
      assert.match(run.red.output(), /npm rebuild socketcan/);
      await run.red.stop();

      // The command the status names, in the user directory; then Node-RED again on the saved flow.
      const started = Date.now();
      const rebuilt = await npmOnNode24(runtime, ['rebuild', 'socketcan'], run.userDir);
      assert.equal(rebuilt.code, 0, `npm rebuild socketcan (needs python3, make and g++):\n${rebuilt.stderr}`);
      const rebuiltMs = Date.now() - started;
      const red = await startNodeRedRuntime({ ...runtime, userDir: run.userDir, timeoutMs: 60_000 });
      cleanup.push(() => red.stop());
      const comms = await EditorComms.connect(red.url);
      cleanup.push(() => comms.close());
      await waitFor(
        () => comms.status('sc_inverter')?.text === 'inverterCan.status.bus-disconnected',
        20_000,
        `socketcan loads and finds no can0 (last: ${JSON.stringify(comms.status('sc_inverter'))})\n${red.output()}`,
      );
      console.log(`    npm rebuild socketcan ${seconds(rebuiltMs)}; then the node looks for can0: CAN disconnected`);

      // The library entry from the same user directory, with Node 24, as a function node would use it.
      const pty = socatAvailable() ? await createPtyPair() : undefined;
      if (pty) cleanup.push(() => pty.stop());
      const input = libraryInput(pty ? { a: pty.a, b: pty.b } : undefined);
      const actual = await checkInstalledPackage(run.userDir, runtime.node, runtime.env, input);
      const expected = expectedFromSources(input);
      assert.equal(actual.node, runtime.version);
      assert.equal(actual.decoded.ok, true, actual.decoded.reason);
      assert.deepEqual({ ...actual.decoded.pack, time: undefined }, { ...expected.decoded.pack, time: undefined });
      assert.deepEqual(actual.encoded, expected.encoded);
      assert.deepEqual(actual.bank, expected.bank);
      assert.deepEqual(actual.libraryLoaded, []);
      if (pty) assert.equal(actual.serialport.echoed, 'cellsafe', 'serialport from its prebuilt binary on Node 24');
      console.log(
        `    require() on Node ${actual.node}: ${String(actual.decoded.pack?.protocol)} frame → ` +
          `${String(actual.decoded.pack?.voltage)} V, ${actual.encoded.frames?.length} pylontech frames, ` +
          `engine ${String(actual.bank?.chargeState)}`,
      );
    });
  });
});
