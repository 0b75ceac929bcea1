/**
 * Example 07 split over two real Node-RED runtimes, each started as `npm start` does: the reader tab
 * (simulated JK PB packs → mqtt out, QoS 1) on one, the rules tab (mqtt in → json → bms-rules →
 * victron-can) on the other, with a real MQTT broker (aedes on loopback) between them. The broker is
 * closed and started again on the same port for an outage. bms-rules runs with short health timings
 * so the whole story takes about a minute; mode changes are checked for their order and loose time
 * bounds (the BankState's own `time` against when the test acted), not for tight timing.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startBroker, type TestBroker } from '../helpers/mqtt-broker';
import { DebugListener, freePort, startNodeRed, type FlowNode, type NodeRedProcess } from '../helpers/node-red-process';
import { until } from '../helpers/runtime';
import { EXAMPLES_DIR, REPO_ROOT } from '../helpers/fixtures';

const EXAMPLE = path.join(EXAMPLES_DIR, '07 - Packs from another Node-RED over MQTT.json');
const PACKS = ['jk-1', 'jk-2'];
const POLL_SEC = 1;
// Short versions of the defaults (10 / 30 / 120 / 30 s), same order: stale < offline, grace and hold.
const TIMING = { staleSec: 3, offlineSec: 6, blindGraceSec: 5, recoverHoldSec: 3, initTimeoutSec: 5 };
const OLD_MS = 15 * 60_000;

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One tab of the example with the configuration nodes (bus, broker, CAN) its nodes refer to. */
function tabFlow(flow: FlowNode[], tabId: string): FlowNode[] {
  const nodes = flow.filter((n) => n.id === tabId || n.z === tabId);
  const referenced = new Set(nodes.flatMap((n) => Object.values(n).filter((v) => typeof v === 'string')));
  const configs = flow.filter((n) => n.z === undefined && n.type !== 'tab' && referenced.has(n.id));
  return [...nodes, ...configs];
}

/** The example as the test deploys it: the test broker, a 1 s poll, short health timings, debug on. */
function forTest(flow: FlowNode[], brokerPort: number): FlowNode[] {
  return structuredClone(flow).map((n) => {
    if (n.type === 'mqtt-broker') return { ...n, broker: '127.0.0.1', port: String(brokerPort) };
    if (n.type === 'jk-bms') return { ...n, interval: POLL_SEC };
    if (n.type === 'bms-rules') return { ...n, rules: JSON.stringify(TIMING) };
    if (n.type === 'debug') return { ...n, active: true };
    return n;
  });
}

/** A valid 16-cell PackState measured `ageMs` ago, as a reader would have published it then. */
function oldPackState(id: string, ageMs: number): Payload {
  return {
    kind: 'pack',
    id,
    protocol: 'jk-pb',
    time: Date.now() - ageMs,
    voltage: 53.12,
    current: 0,
    soc: 60,
    cells: Array(16).fill(3.32),
    temperatures: [25],
    chargeAllowed: true,
    dischargeAllowed: true,
    alarms: {},
  };
}

/** Consecutive duplicates removed: the order in which the modes followed each other. */
const sequence = (modes: string[]) => modes.filter((m, i) => i === 0 || m !== modes[i - 1]);
const sec = (ms: number) => Math.round(ms / 100) / 10;

describe('PackStates over MQTT between two Node-RED runtimes (example 07)', function () {
  this.timeout(300000);
  const example = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as FlowNode[];
  const tabs = example.filter((n) => n.type === 'tab');
  const readerTab = tabs.find((t) => /reader/i.test(String(t.label)))!;
  const rulesTab = tabs.find((t) => /rules/i.test(String(t.label)))!;
  const debugId = (name: string) =>
    example.find((n) => n.type === 'debug' && n.name === name && n.z === rulesTab.id)!.id;
  let port = 0;
  let broker: TestBroker | undefined;
  let reader: NodeRedProcess | undefined;
  let rules: NodeRedProcess | undefined;
  let debug: DebugListener | undefined;
  const measured: Record<string, number> = {};

  const shown = (name: string, from = 0) =>
    debug!.messages.filter((m) => m.id === debugId(name) && m.received >= from).map((m) => m.msg as Payload);
  const banks = (from = 0) => shown('bank state').filter((b) => b?.kind === 'bank' && b.time >= from);
  const isNormal = (b: Payload) => b.mode === 'normal' && b.packs.online === PACKS.length;

  before(async function () {
    assert.ok(readerTab && rulesTab, 'example 07 has a reader tab and a rules tab');
    port = await freePort();
    broker = await startBroker(port);
    // One after the other: start.js rebuilds when the sources changed, and two builds must not race.
    reader = await startNodeRed({
      userDir: path.join(REPO_ROOT, 'test-output', 'mqtt-reader'),
      dashboard: false,
      timeoutMs: 150000,
    });
    rules = await startNodeRed({
      userDir: path.join(REPO_ROOT, 'test-output', 'mqtt-rules'),
      dashboard: false,
      timeoutMs: 150000,
    });
    await Promise.all([reader.deploy([]), rules.deploy([])]); // stop the quick start both come up with
    debug = await DebugListener.connect(rules.url);
  });

  after(async () => {
    debug?.close();
    await Promise.all([reader?.stop(), rules?.stop()]);
    await broker?.close();
    if (Object.keys(measured).length) console.log('      measured (s):', JSON.stringify(measured));
  });

  it('a retained PackState from before a restart is never used as fresh', async () => {
    const retained = oldPackState('jk-2', OLD_MS);
    await broker!.publish('cellsafe/packs/jk-2', JSON.stringify(retained), true);
    const deployed = Date.now();
    await rules!.deploy(forTest(tabFlow(example, rulesTab.id), port));
    await until(() => shown('received pack states').some((p) => p?.id === 'jk-2'), 20000, 'the retained PackState');
    const arrived = shown('received pack states').find((p) => p?.id === 'jk-2')!;
    assert.equal(arrived.time, retained.time, 'what arrived is the retained message');
    // The reader is not running: the retained message is all bms-rules has of jk-2.
    await until(() => banks(deployed).length >= 2 * TIMING.staleSec + 2, 20000, 'bank states after it');
    for (const b of banks(deployed)) {
      assert.ok(
        !['ok', 'stale'].includes(b.packStates['jk-2']?.status),
        `jk-2 counted ${b.packStates['jk-2']?.status} from a message measured ${OLD_MS / 60000} min ago`,
      );
      assert.equal(b.packs.online, 0, `no pack online from the retained message: ${JSON.stringify(b.packs)}`);
      assert.notEqual(b.mode, 'normal');
    }
  });

  it('normal operation: the packs read on the other runtime bring the bank to NORMAL', async () => {
    const deployed = Date.now();
    await reader!.deploy(forTest(tabFlow(example, readerTab.id), port));
    await until(() => banks(deployed).some(isNormal), 40000, 'NORMAL with both packs online');
    measured.readerDeployToNormal = sec(banks(deployed).find(isNormal)!.time - deployed);
    const sent = broker!.published.filter((p) => p.at >= deployed && p.topic.startsWith('cellsafe/packs/'));
    assert.deepEqual([...new Set(sent.map((p) => p.topic))].sort(), ['cellsafe/packs/jk-1', 'cellsafe/packs/jk-2']);
    assert.ok(
      sent.every((p) => p.qos === 1 && !p.retain),
      'published with QoS 1, not retained',
    );
  });

  it('broker down: the packs go stale, the bank BLIND, then FAILSAFE, in the configured times', async () => {
    await until(
      () => banks(Date.now() - 3000).length >= 3 && banks(Date.now() - 3000).every(isNormal),
      20000,
      'NORMAL',
    );
    const down = Date.now();
    await broker!.close();
    const failsafe = (b: Payload) =>
      b.mode === 'failsafe' && PACKS.every((id) => b.packStates[id].status === 'offline');
    await until(() => banks(down).some(failsafe), 30000, 'FAILSAFE with both packs offline');

    const after = banks(down);
    const modes = sequence(after.map((b) => b.mode));
    assert.deepEqual(
      modes.filter((m) => m !== 'degraded'),
      ['normal', 'blind', 'failsafe'],
      `mode order ${modes.join(' → ')}`,
    );
    const at = (test: (b: Payload) => boolean) => after.find(test)!.time - down;
    const stale = at((b) => PACKS.some((id) => b.packStates[id].status !== 'ok'));
    const blind = at((b) => b.mode === 'blind');
    const offline = at((b) => PACKS.every((id) => b.packStates[id].status === 'offline'));
    const failed = at((b) => b.mode === 'failsafe');
    Object.assign(measured, { stale: sec(stale), blind: sec(blind), offline: sec(offline), failsafe: sec(failed) });
    // The last sample left up to one poll before the broker went; a tick is 1 s; 2 s more for a loaded machine.
    const within = (what: string, ms: number, lo: number, hi: number) =>
      assert.ok(ms >= lo * 1000 && ms <= hi * 1000, `${what} after ${sec(ms)} s, expected ${lo}…${hi} s`);
    within('stale', stale, TIMING.staleSec - POLL_SEC, TIMING.staleSec + 3);
    within('BLIND', blind, TIMING.staleSec - POLL_SEC, TIMING.staleSec + 3);
    within('offline', offline, TIMING.offlineSec - POLL_SEC, TIMING.offlineSec + 3);
    within('FAILSAFE after BLIND', failed - blind, TIMING.blindGraceSec - 1, TIMING.blindGraceSec + 3);
    const last = after.at(-1)!;
    assert.deepEqual([last.ccl, last.dcl, last.chargeAllowed], [0, 0, false], 'FAILSAFE stops charge and discharge');
  });

  it('broker back: the runtimes reconnect and the bank returns to NORMAL', async () => {
    const back = Date.now();
    broker = await startBroker(port);
    await until(() => banks(back).some(isNormal), 45000, 'NORMAL again');
    const normal = banks(back).find(isNormal)!.time;
    const firstFresh = shown('received pack states', back).find((p) => p.time >= back);
    assert.ok(firstFresh, 'PackStates measured since the broker came back arrived');
    measured.reconnectToFirstPackState = sec(firstFresh.time - back);
    measured.brokerBackToNormal = sec(normal - back);
    const modes = sequence(banks(back).map((b) => b.mode));
    assert.equal(modes[0], 'failsafe');
    assert.equal(modes.at(-1), 'normal');
    assert.ok(!modes.includes('blind'), `no BLIND on the way back: ${modes.join(' → ')}`);
    // Only data measured after the outage may bring it back (not messages queued or retained before it),
    // within Node-RED's 5 s reconnect period and the recovery holds, with room for scheduling.
    assert.ok(normal >= firstFresh.time, 'NORMAL only after a PackState measured since the broker came back');
    const bound = 5 + 2 * TIMING.recoverHoldSec + 5;
    assert.ok(normal - back <= bound * 1000, `NORMAL ${sec(normal - back)} s after the broker came back, ≤ ${bound} s`);
    assert.doesNotMatch(rules!.output(), /\[error\]/, 'rules runtime logged no error');
    assert.doesNotMatch(reader!.output(), /\[error\]/, 'reader runtime logged no error');
  });
});
