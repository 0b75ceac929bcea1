/**
 * bms-serial-bus in the real Node-RED runtime over real ptys: unplug/replug, redeploy leaks,
 * two config nodes on one device, and the built-in simulator option.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import echoPoller = require('../helpers/echo-poller-node');
import { createEchoSimulator } from '../../src/transport/echo-simulator';
import { withPtySimulator } from '../helpers/pty-simulator';
import { lastStatus, sleep, until } from '../helpers/runtime';
import { getNode } from '../helpers/node-red';

helper.init(require.resolve('node-red'));

function flow(busPath: string, users: string[]) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'bus', type: 'bms-serial-bus', portType: 'serial', path: busPath, baudRate: 115200, timeoutMs: 100 },
    ...users.map((id, i) => ({
      id,
      z: 'tab',
      type: 'test-echo-poller',
      bus: 'bus',
      addresses: String(i + 1),
      interval: 100,
      wires: [i === 0 ? ['out'] : []],
    })),
  ];
}

function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

describe('bms-serial-bus node', function () {
  const rig = withPtySimulator({ baudRate: 115200, factory: createEchoSimulator, options: { addresses: [1, 2, 3] } });

  it('shows a red ring on every user node when unplugged and resumes polling after replug', async function () {
    this.timeout(20000);
    await helper.load(
      [busNode, echoPoller],
      [...flow(rig.pty.a, ['u1', 'u2']), { id: 'out', z: 'tab', type: 'helper' }],
    );
    const users = ['u1', 'u2'].map((id) => getNode(id));
    const received: string[] = [];
    getNode('out').on('input', (m) => {
      if (!(m as { error?: string }).error) received.push('u1');
    });
    await until(() => users.every((u) => lastStatus(u).text === 'node-red:common.status.connected'), 3000, 'connected');
    await until(() => received.length >= 3, 3000, 'polling');

    await rig.device.close();
    await rig.pty.stop();
    await until(
      () => users.every((u) => lastStatus(u).fill === 'red' && lastStatus(u).shape === 'ring'),
      3000,
      'red ring on all users',
    );

    await sleep(500);
    await rig.pty.restart();
    await rig.startDevice({ baudRate: 115200, factory: createEchoSimulator, options: { addresses: [1, 2, 3] } });
    const before = received.length;
    // Reconnect back-off starts at 1 s and doubles: within 8 s the port is back.
    await until(
      () => users.every((u) => lastStatus(u).text === 'node-red:common.status.connected'),
      8000,
      'reconnected',
    );
    await until(() => received.length >= before + 3, 5000, 'polling after replug');
  });

  it('leaves open file descriptors and listener counts unchanged over 50 redeploys', async function () {
    this.timeout(60000);
    const counts: Array<Record<string, number>> = [];
    let fdsAfterFirst = 0;
    for (let i = 0; i < 50; i++) {
      await helper.load(
        [busNode, echoPoller],
        [...flow(rig.pty.a, ['u1', 'u2', 'u3']), { id: 'out', z: 'tab', type: 'helper' }],
      );
      const bus = getNode<{
        bus: { isConnected: boolean; listenerCounts(): Record<string, number> };
      }>('bus');
      await until(() => bus.bus.isConnected, 3000, 'bus open');
      await sleep(30);
      counts.push(bus.bus.listenerCounts());
      if (i === 0) fdsAfterFirst = openFds();
      await helper.unload();
    }
    const fdsAtEnd = openFds();
    assert.ok(fdsAtEnd <= fdsAfterFirst, `open fds ${fdsAfterFirst} after first deploy, ${fdsAtEnd} after 50 (closed)`);
    for (const c of counts) assert.deepEqual(c, counts[0]);
    assert.equal(counts[0].users, 3);
    assert.equal(counts[0].portData, 1);
  });

  it('refuses a second bus on the same device (through a symlink) with a clear status, no lock error', async function () {
    const link = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cellsafe-link-')), 'ttyLINK');
    fs.symlinkSync(fs.realpathSync(rig.pty.a), link);
    const errors: string[] = [];
    await helper.load(
      [busNode, echoPoller],
      [
        { id: 'tab', type: 'tab' },
        { id: 'bus1', type: 'bms-serial-bus', portType: 'serial', path: rig.pty.a, baudRate: 115200, timeoutMs: 100 },
        { id: 'bus2', type: 'bms-serial-bus', portType: 'serial', path: link, baudRate: 115200, timeoutMs: 100 },
        { id: 'u1', z: 'tab', type: 'test-echo-poller', bus: 'bus1', addresses: '1', interval: 100, wires: [[]] },
        { id: 'u2', z: 'tab', type: 'test-echo-poller', bus: 'bus2', addresses: '2', interval: 100, wires: [[]] },
      ],
    );
    getNode('bus2').on('call:error', (c) => errors.push(String((c as { args: unknown[] }).args[0])));
    const u1 = getNode('u1');
    const u2 = getNode('u2');
    await until(() => lastStatus(u1).text === 'node-red:common.status.connected', 3000, 'first bus connected');
    await sleep(300);
    const s2 = lastStatus(u2);
    assert.equal(s2.fill, 'red');
    assert.match(String(s2.text), /already used by another bus/);
    const logged = helper
      .log()
      .args.map((a: unknown[]) => JSON.stringify(a))
      .join('\n');
    assert.doesNotMatch(logged, /Cannot lock port/);
  });

  it('lists serial ports for the editor (with the /dev scan fallback) and the simulator protocols', async () => {
    await helper.load(
      [busNode],
      [{ id: 'bus', type: 'bms-serial-bus', portType: 'simulator', simProtocol: 'echo', simAddresses: '1' }],
    );
    const ports = await helper.request().get('/bms-serial-bus/ports').expect(200);
    assert.ok(Array.isArray(ports.body));
    assert.ok(
      ports.body.every((p: unknown) => typeof p === 'string' && p.startsWith('/dev/')),
      JSON.stringify(ports.body),
    );
    const sims = await helper.request().get('/bms-serial-bus/simulators').expect(200);
    assert.ok(sims.body.includes('echo'));
  });

  it('serves the built-in simulator as a port', async () => {
    const received: string[] = [];
    await helper.load(
      [busNode, echoPoller],
      [
        { id: 'tab', type: 'tab' },
        {
          id: 'bus',
          type: 'bms-serial-bus',
          portType: 'simulator',
          simProtocol: 'echo',
          simAddresses: '1-2',
          timeoutMs: 100,
        },
        { id: 'u1', z: 'tab', type: 'test-echo-poller', bus: 'bus', addresses: '1-3', interval: 50, wires: [['out']] },
        { id: 'out', z: 'tab', type: 'helper' },
      ],
    );
    const out = getNode('out');
    out.on('input', (m) =>
      received.push((m as { topic: string; error?: string }).topic + ((m as { error?: string }).error ? ':err' : '')),
    );
    await until(
      () => received.filter((r) => r === 'echo-1').length >= 3 && received.includes('echo-2'),
      3000,
      'simulated answers',
    );
    assert.ok(received.includes('echo-3:err'), 'address 3 is not simulated and fails');
    const sim = getNode<{ simulator?: { packs: Map<number, unknown> } }>('bus').simulator;
    assert.deepEqual([...sim!.packs.keys()], [1, 2]);
  });
});
