/**
 * Every example flow, deployed into a real Node-RED started as `npm start` does (with the
 * dashboard installed, so the dashboard example loads too): serial buses swapped to the built-in
 * simulator, CAN interfaces to a simulated inverter, MQTT brokers to a real local broker (aedes), debug
 * nodes switched on to observe. Each must load without missing types or logged errors and produce
 * the messages its comment promises.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startBroker, type TestBroker } from '../helpers/mqtt-broker';
import {
  DebugListener,
  dashboardUserDir,
  startNodeRed,
  type FlowNode,
  type NodeRedProcess,
} from '../helpers/node-red-process';
import { until } from '../helpers/runtime';
import { EXAMPLES_DIR } from '../helpers/fixtures';

const OURS = '@cellsafe/node-red-bms';
const DASHBOARD = '@flowfuse/node-red-dashboard';
const DASHBOARD_EXAMPLE = '06 - Dashboard (needs @flowfuse node-red-dashboard).json';

const files = fs
  .readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (f: string): FlowNode[] => JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, f), 'utf8'));

// Simulator protocol of a bus, from the BMS nodes that use it.
const BMS_PROTOCOL: Record<string, (n: FlowNode) => string> = {
  'jk-bms': (n) => (n.protocol === 'nw' ? 'jk-nw' : 'jk-pb'),
  'seplos-bms': (n) => (n.generation === 'v3' ? 'seplos-v3' : 'seplos-v2'),
  smartbms: () => 'smartbms',
};

/** The example as the test deploys it: hardware swapped for simulators, debug nodes on. */
function forTest(flow: FlowNode[], brokerPort: number): FlowNode[] {
  const out = structuredClone(flow);
  for (const n of out) {
    if (n.type === 'bms-serial-bus' && n.portType !== 'simulator') {
      const users = out.filter((u) => u.bus === n.id && BMS_PROTOCOL[u.type]);
      assert.ok(users.length, `bus ${n.id} has BMS nodes`);
      n.portType = 'simulator';
      n.simProtocol = BMS_PROTOCOL[users[0].type](users[0]);
      const addresses = users
        .map((u) => String(u.addresses ?? ''))
        .filter(Boolean)
        .join(',');
      if (addresses) n.simAddresses = addresses;
      n.simProfile = n.simProtocol === 'smartbms' ? 'gen2' : 'idle';
    }
    if (n.type === 'can-bus' && n.iface !== 'simulated') {
      const user = out.find((u) => u.bus === n.id && /-can$/.test(u.type));
      assert.ok(user, `can-bus ${n.id} has an inverter node`);
      n.iface = 'simulated';
      n.simProtocol = user.type.replace(/-can$/, '');
      n.simProfile = String(user.profile ?? '');
    }
    if (n.type === 'mqtt-broker') Object.assign(n, { broker: '127.0.0.1', port: String(brokerPort) });
    if (n.type === 'debug') n.active = true;
  }
  return out;
}

interface Run {
  debug: DebugListener;
  since: number;
  broker: TestBroker;
  flow: FlowNode[];
}

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** What the debug node called `name` in this run's flow showed (by id: other examples reuse names). */
const shown = (r: Run, name: string) => {
  const ids = new Set(r.flow.filter((n) => n.type === 'debug' && n.name === name).map((n) => n.id));
  assert.ok(ids.size, `debug node "${name}"`);
  return r.debug.messages.filter((m) => ids.has(m.id));
};
const payloads = (r: Run, name: string): Payload[] => shown(r, name).map((m) => m.msg as Payload);
const packIds = (r: Run, name: string) =>
  new Set(
    payloads(r, name)
      .filter((p) => p?.kind === 'pack')
      .map((p) => p.id),
  );
const banks = (r: Run, name: string) => payloads(r, name).filter((p) => p?.kind === 'bank');
const published = (r: Run, re: RegExp) => r.broker.published.filter((p) => p.at >= r.since && re.test(p.topic));

function assertPackState(p: Payload, cells: number): void {
  assert.equal(p.kind, 'pack');
  assert.equal(p.cells.length, cells, `${p.id}: ${cells} cells`);
  for (const v of [p.voltage, p.current, p.soc, ...p.cells]) assert.ok(Number.isFinite(v), `${p.id}: finite values`);
}

/** Decoded Victron 0x351: CVL, CCL, DCL (0.1 V / 0.1 A), DVL. */
function victron351(data: { data: number[] }): { cvl: number; ccl: number; dcl: number } {
  const b = Buffer.from(data.data);
  return { cvl: b.readUInt16LE(0) / 10, ccl: b.readInt16LE(2) / 10, dcl: b.readInt16LE(4) / 10 };
}

const RELAY_TOPICS = [
  'cellsafe/house/relay/charge',
  'cellsafe/house/relay/load',
  'cellsafe/house-critical/relay/charge',
  'cellsafe/house-critical/relay/load',
];

/** What each example's comment promises, checked once it has run long enough (until `ready`). */
const PROMISES: Record<string, { ready(r: Run): boolean; check(r: Run): void }> = {
  '01 - Quick start (simulated).json': {
    ready: (r) =>
      packIds(r, 'pack states').size === 3 && banks(r, 'bank state').length >= 2 && shown(r, 'GX limits').length >= 2,
    check(r) {
      assert.deepEqual([...packIds(r, 'pack states')].sort(), ['jk-1', 'jk-2', 'jk-3']);
      for (const p of payloads(r, 'pack states')) assertPackState(p, 16);
      const bank = banks(r, 'bank state').at(-1)!;
      assert.equal(bank.packs.total, 3);
      assert.equal(bank.packs.online, 3);
      assert.equal(bank.mode, 'normal');
      const frame = victron351(payloads(r, 'GX limits').at(-1)!.data);
      assert.ok(Math.abs(frame.cvl - bank.cvl) <= 0.11, `GX gets the bank CVL: ${frame.cvl} vs ${bank.cvl}`);
    },
  },
  '53 - Voltronic-SRNE over RS485.json': {
    ready: (r) =>
      banks(r, 'bank state').length >= 2 &&
      payloads(r, 'Voltronic reads').some((p) => p.cvl !== undefined) &&
      payloads(r, 'SRNE reads').some((p) => p.cvl !== undefined),
    check(r) {
      const bank = banks(r, 'bank state').at(-1)!;
      const voltronic = payloads(r, 'Voltronic reads')
        .filter((p) => p.cvl !== undefined)
        .at(-1)!;
      const srne = payloads(r, 'SRNE reads')
        .filter((p) => p.cvl !== undefined)
        .at(-1)!;
      assert.deepEqual([voltronic.problems, srne.problems], [[], []]);
      assert.ok(
        Math.abs(voltronic.cvl - bank.cvl) <= 0.5,
        `Voltronic reads the bank CVL: ${voltronic.cvl} vs ${bank.cvl}`,
      );
      assert.ok(Math.abs(voltronic.voltage - bank.voltage) <= 0.5, `and its voltage: ${voltronic.voltage}`);
      assert.ok(voltronic.dcl <= 0 && srne.dcl >= 0, 'DCL negative in 0x92, positive in 0x63');
      assert.equal(voltronic.packCount, 1);
    },
  },
  '02 - 5x JK Inverter BMS to Victron Multiplus.json': {
    ready: (r) =>
      packIds(r, 'pack states').size === 5 &&
      banks(r, 'bank state').length >= 2 &&
      // The first cycles may carry the fallback temperature (jk-5 not read yet): wait for a few.
      payloads(r, 'CAN frames to the GX').filter((f) => f.id === 0x356).length >= 3,
    check(r) {
      for (const p of payloads(r, 'pack states')) assertPackState(p, 16);
      const top = payloads(r, 'pack states')
        .filter((p) => p.id === 'jk-5')
        .at(-1)!;
      // bms-rules' batteryTemperature setting: the GX gets the top pack's sensor 1
      const bank = banks(r, 'bank state').at(-1)!;
      // The simulated sensor 1 differs from the warmest sensor, so the fallback would show.
      assert.notEqual(top.temperatures[0], bank.temperature.max);
      assert.equal(bank.temperature.avg, top.temperatures[0], 'GX temperature = top pack sensor 1');
      assert.equal(bank.packs.online, 5);
      const frame356 = Buffer.from(
        payloads(r, 'CAN frames to the GX')
          .filter((f) => f.id === 0x356)
          .at(-1)!.data.data as number[],
      );
      assert.equal(
        frame356.readInt16LE(4) / 10,
        top.temperatures[0],
        `the GX reads the top pack sensor 1 in 0x356: ${frame356.toString('hex')}`,
      );
      // bms-rules keeps every sensor for the protection: the bank's range holds the one sent
      assert.ok(bank.temperature.min <= top.temperatures[0] && top.temperatures[0] < bank.temperature.max);
    },
  },
  '03 - Seplos 10E to Growatt SPF5000ES.json': {
    ready: (r) =>
      packIds(r, 'pack state').size === 1 &&
      banks(r, 'bank state').length >= 2 &&
      shown(r, 'CAN frames to the Growatt').length > 5,
    check(r) {
      assertPackState(payloads(r, 'pack state').at(-1)!, 16);
      assert.equal(banks(r, 'bank state').at(-1)!.packs.online, 1);
      const ids = new Set(payloads(r, 'CAN frames to the Growatt').map((f) => f.id));
      assert.ok(ids.size >= 3, `Growatt frame set: ${[...ids].map((i) => i.toString(16)).join(',')}`);
    },
  },
  '04 - 123 SmartBMS charge and load relays.json': {
    // Off while no cell data has arrived (fail-safe), on once the cells are within V-min..V-balance.
    ready: (r) =>
      payloads(r, 'pack state').length > 0 &&
      RELAY_TOPICS.every((t) => published(r, new RegExp(`^${t}$`)).at(-1)?.payload === 'true'),
    check(r) {
      assertPackState(payloads(r, 'pack state').at(-1)!, 16);
      // The debug sidebar sees the first pack state a little after bms-rules acted on it.
      const firstData = shown(r, 'pack state')[0].received - 1000;
      for (const t of RELAY_TOPICS) {
        const states = published(r, new RegExp(`^${t}$`));
        assert.ok(
          states.every((p) => p.retain),
          `${t} retained`,
        );
        assert.ok(
          states.filter((p) => p.at < firstData).every((p) => p.payload === 'false'),
          `${t} off before cell data`,
        );
        assert.ok(
          states.some((p) => p.at < firstData),
          `${t} published off at start`,
        );
      }
    },
  },
  '05 - MQTT and Home Assistant.json': {
    ready: (r) =>
      published(r, /^homeassistant\/.+\/config$/).length > 0 && published(r, /^cellsafe\/bank\/(soc|ccl)$/).length >= 2,
    check(r) {
      const discovery = published(r, /^homeassistant\/.+\/config$/);
      assert.ok(
        discovery.every((p) => p.retain),
        'discovery retained',
      );
      const configs = discovery.map((p) => JSON.parse(p.payload) as { state_topic?: string });
      assert.ok(
        configs.some((c) => c.state_topic === 'cellsafe/bank/soc'),
        'a sensor for the bank SoC',
      );
      assert.ok(
        configs.some((c) => /packs\/jk-2\//.test(c.state_topic ?? '')),
        'sensors per pack',
      );
      assert.ok(Number.isFinite(Number(published(r, /^cellsafe\/bank\/soc$/).at(-1)!.payload)), 'SoC state value');
    },
  },
  [DASHBOARD_EXAMPLE]: {
    ready: (r) => packIds(r, 'pack states').size === 3 && banks(r, 'bank state').length >= 2,
    check(r) {
      // The quick start plus its dashboard: the quick start's nodes and settings, other ids, more wires.
      const settings = (flow: FlowNode[]) =>
        flow
          .filter((n) => n.type !== 'comment' && n.type !== 'function' && !n.type.startsWith('ui-'))
          .map(({ id: _i, z: _z, x: _x, y: _y, wires: _w, bus: _b, label: _l, ...rest }) => JSON.stringify(rest))
          .sort();
      assert.deepEqual(settings(load(DASHBOARD_EXAMPLE)), settings(load('01 - Quick start (simulated).json')));
      assert.equal(banks(r, 'bank state').at(-1)!.packs.online, 3);
    },
  },
  '07 - Packs from another Node-RED over MQTT.json': {
    // Both tabs in one runtime here; test/e2e/mqtt-two-runtimes.test.ts runs them on two.
    ready: (r) =>
      ['jk-1', 'jk-2'].every((id) => published(r, new RegExp(`^cellsafe/packs/${id}$`)).length >= 2) &&
      banks(r, 'bank state').some((b) => b.mode === 'normal' && b.packs.online === 2),
    check(r) {
      for (const p of published(r, /^cellsafe\/packs\//)) {
        assert.deepEqual([p.qos, p.retain], [1, false], `${p.topic}: QoS 1, not retained`);
        const pack = JSON.parse(p.payload) as Payload;
        assert.equal(p.topic, `cellsafe/packs/${pack.id}`);
        assertPackState(pack, 16);
      }
      assert.deepEqual([...packIds(r, 'received pack states')].sort(), ['jk-1', 'jk-2']);
    },
  },
};

/**
 * Examples without a specific promise here (the nodes' own example files): every debug node on the
 * main (first) output of a node shows messages; those on event, relay or catch outputs may stay quiet.
 */
const generic = {
  ready: (r: Run) => {
    const main = new Set(
      r.flow.filter((n) => n.type !== 'catch' && n.type !== 'status').flatMap((n) => n.wires?.[0] ?? []),
    );
    const ids = r.flow.filter((n) => n.type === 'debug' && main.has(n.id)).map((n) => n.id);
    return ids.length > 0 && ids.every((id) => r.debug.messages.some((m) => m.id === id));
  },
  check: () => undefined,
};

describe('example flows in the real runtime', function () {
  this.timeout(300000);
  let nr: NodeRedProcess | undefined;
  let broker: TestBroker | undefined;
  let debug: DebugListener | undefined;

  before(async () => {
    broker = await startBroker();
    nr = await startNodeRed({ userDir: dashboardUserDir, dashboard: true, timeoutMs: 150000 });
    debug = await DebugListener.connect(nr.url);
  });

  after(async () => {
    debug?.close();
    await nr?.stop();
    await broker?.close();
  });

  it('uses no third-party nodes except the dashboard example, which documents its requirement', async () => {
    const modules = await nr!.types();
    for (const f of files) {
      const foreign = [...new Set(load(f).map((n) => n.type))]
        .filter((t) => !['tab', 'subflow', 'group', 'junction'].includes(t))
        .filter((t) => modules.get(t) !== OURS && modules.get(t) !== 'node-red');
      if (f === DASHBOARD_EXAMPLE) {
        assert.ok(
          foreign.length > 0 && foreign.every((t) => modules.get(t) === DASHBOARD),
          `${f}: ${foreign.join(',')}`,
        );
        const comment = load(f).find((n) => n.type === 'comment')!;
        assert.match(`${comment.name} ${comment.info}`, /@flowfuse\/node-red-dashboard/);
      } else {
        assert.deepEqual(foreign, [], `${f} uses only core and CellSafe nodes`);
      }
      assert.equal(
        load(f)[1]?.type === 'comment' || load(f)[0]?.type === 'comment',
        true,
        `${f} starts with a comment`,
      );
    }
  });

  for (const file of files) {
    it(`${file}: loads without missing types or errors and produces what its comment promises`, async function () {
      this.timeout(60000);
      const promise = PROMISES[file] ?? generic;
      const flow = forTest(load(file), broker!.port);
      const modules = await nr!.types();
      const missing = [...new Set(flow.map((n) => n.type))].filter(
        (t) => !modules.has(t) && !['tab', 'subflow', 'group', 'junction'].includes(t),
      );
      assert.deepEqual(missing, [], 'node types missing');
      const logFrom = nr!.output().length;
      const run: Run = { debug: debug!, since: Date.now(), broker: broker!, flow };
      await nr!.deploy(flow);
      try {
        await until(() => promise.ready(run), 45000, `${file}: the promised messages`);
      } finally {
        const log = nr!.output().slice(logFrom);
        assert.doesNotMatch(log, /Waiting for missing types/, log);
        assert.doesNotMatch(log, /\[error\]/, log);
      }
      promise.check(run);
    });
  }
});
