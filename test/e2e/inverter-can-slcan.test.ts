/**
 * Acceptance 4, end to end in the real runtime: BankState → pylontech-can → can-bus (slcan) on a
 * pty. The test plays the Lawicel adapter on the other pty end: it answers the open sequence,
 * parses the transmitted `t` lines, checks frames and cadence, and injects the inverter's 0x305
 * ACK frames, which must show in the node status. Then an unplug must show and recover.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import { sampleBank } from '../helpers/bank-state';
import { SerialPort } from 'serialport';
import canBusNode = require('../../src/nodes/can-bus/can-bus');
import inverterNode = require('../../src/nodes/inverter-can/inverter-can');
import { parseSlcanLine } from '../../src/transport/can-slcan';
import type { CanFrame } from '../../src/transport/can-frame';
import { PROTOCOLS } from '../../src/nodes/inverter-can/protocols';
import { createPtyPair, socatAvailable, type PtyPair } from '../helpers/pty';
import { lastStatus, sleep, until } from '../helpers/runtime';
import { getNode } from '../helpers/node-red';

helper.init(require.resolve('node-red'));

/** A Lawicel adapter as seen from its serial side. */
class FakeAdapter {
  readonly commands: string[] = [];
  readonly frames: { at: number; frame: CanFrame }[] = [];
  private rx = '';
  private port?: SerialPort;

  async open(path: string): Promise<void> {
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    port.on('error', () => undefined);
    port.on('data', (d: Buffer) => this.receive(d));
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    this.port = port;
  }

  inject(line: string): void {
    this.port?.write(`${line}\r`);
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((r) => port.close(() => r()));
  }

  private receive(d: Buffer): void {
    this.rx += d.toString('ascii');
    let i: number;
    while ((i = this.rx.indexOf('\r')) >= 0) {
      const line = this.rx.slice(0, i);
      this.rx = this.rx.slice(i + 1);
      const frame = parseSlcanLine(line);
      if (frame) {
        this.frames.push({ at: Date.now(), frame });
        this.port?.write('z\r');
      } else {
        this.commands.push(line);
        // Like a real adapter: closing a closed channel is refused, everything else accepted.
        this.port?.write(line === 'C' && !this.commands.includes('O') ? '\x07' : '\r');
      }
    }
  }
}

const bank = () => sampleBank(Date.now());

describe('pylontech-can over slcan on a pty (runtime e2e)', function () {
  this.timeout(30000);
  let pty: PtyPair | undefined;
  let adapter: FakeAdapter | undefined;

  before(function () {
    if (!socatAvailable()) this.skip();
  });

  beforeEach(async () => {
    await helper.startServer();
    pty = await createPtyPair();
    adapter = new FakeAdapter();
    await adapter.open(pty.b);
  });

  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    await adapter?.close();
    await pty?.stop();
  });

  it('opens with S6/O, sends the Pylon set every second, and shows the injected ACKs', async () => {
    await helper.load(
      [canBusNode, inverterNode],
      [
        { id: 'tab', type: 'tab' },
        { id: 'bus', type: 'can-bus', iface: 'slcan', port: pty!.a, bitrate: 500000, baudRate: 115200 },
        {
          id: 'n1',
          z: 'tab',
          type: 'pylontech-can',
          bus: 'bus',
          profile: 'generic',
          staleSec: 10,
          silenceSec: 60,
          linkTimeoutSec: 3,
          wires: [],
        },
      ],
    );
    const n1 = getNode('n1');
    const a = adapter!;
    await until(() => a.commands.includes('O'), 3000, 'adapter opened');
    assert.deepEqual(a.commands, ['C', 'S6', 'O']);

    // Irregular input for ~4.5 s; no ACK yet.
    const start = Date.now();
    for (const gap of [0, 120, 900, 40, 1300, 300, 700]) {
      await sleep(gap);
      n1.receive({ payload: bank() });
    }
    assert.equal(lastStatus(n1).text, 'inverterCan.status.link-waiting');
    assert.deepEqual([lastStatus(n1).fill, lastStatus(n1).shape], ['yellow', 'ring']);

    // The inverter starts answering with 0x305 every second.
    const ack = setInterval(() => a.inject('t3058' + '00'.repeat(8)), 1000);
    try {
      a.inject('t3058' + '00'.repeat(8));
      await until(() => lastStatus(n1).fill === 'green', 3000, 'ACK reflected in the status');
      assert.match(String(lastStatus(n1).text), /55\.2V 100\/150A 80%/);
      await sleep(1500);
    } finally {
      clearInterval(ack);
    }

    const ids = [...new Set(a.frames.map((f) => f.frame.id))].sort((x, y) => x - y);
    assert.deepEqual(ids, [0x351, 0x355, 0x356, 0x359, 0x35c, 0x35e]);
    for (const id of ids) {
      const times = a.frames.filter((f) => f.frame.id === id).map((f) => f.at);
      assert.ok(times[0] - start < 500, 'first cycle right after the first bank');
      const intervals = times.slice(1).map((t, i) => t - times[i]);
      assert.ok(intervals.length >= 4, `0x${id.toString(16)}: ${intervals.length} intervals`);
      for (const d of intervals) assert.ok(Math.abs(d - 1000) <= 100, `0x${id.toString(16)} interval ${d} ms`);
    }
    const view = PROTOCOLS.pylontech.decode(a.frames.slice(-6).map((f) => f.frame));
    assert.deepEqual([view.cvl, view.ccl, view.dcl, view.soc], [55.2, 100, 150, 80]);

    // ACKs stop → the link is reported lost.
    await until(() => lastStatus(n1).text === 'inverterCan.status.link-lost', 6000, 'link lost');
  });

  it('unplugging the adapter shows a red ring; replugging resumes the frames', async () => {
    await helper.load(
      [canBusNode, inverterNode],
      [
        { id: 'tab', type: 'tab' },
        { id: 'bus', type: 'can-bus', iface: 'slcan', port: pty!.a, bitrate: 500000 },
        {
          id: 'n1',
          z: 'tab',
          type: 'pylontech-can',
          bus: 'bus',
          staleSec: 30,
          silenceSec: 0,
          linkTimeoutSec: 0,
          wires: [],
        },
      ],
    );
    const n1 = getNode('n1');
    await until(() => adapter!.commands.includes('O'), 3000, 'adapter opened');
    n1.receive({ payload: bank() });
    await until(() => adapter!.frames.length >= 6, 2000, 'frames');
    await adapter!.close();
    await pty!.stop();
    await until(() => lastStatus(n1).text === 'inverterCan.status.bus-disconnected', 3000, 'disconnected');
    assert.deepEqual([lastStatus(n1).fill, lastStatus(n1).shape], ['red', 'ring']);
    await pty!.restart();
    adapter = new FakeAdapter();
    await adapter.open(pty!.b);
    n1.receive({ payload: bank() });
    await until(() => adapter!.frames.length >= 6, 8000, 'frames after replug');
    assert.equal(lastStatus(n1).fill, 'green');
  });
});
