/**
 * `cellsafe simulate --bank`: JK PB packs on one end of a pty pair answer from a simulated bank that a
 * constant current moves at ×600; a master on the other end reads the current split and the SoC
 * rising. The current options (constant, day profile) are checked without a port.
 */
import { strict as assert } from 'node:assert';
import { takeFrame } from '../../src/transport/framer';
import { SerialDevicePort } from '../../src/transport/serial-port';
import { forgetSimulatedBanks, getSimulatedBank } from '../../src/transport/simulated-banks';
import { liveToPackState } from '../../src/nodes/jk-bms/jk-pack-state';
import { LIVE_READ, decodeReadAnswer, liveReadRequest, readAnswerFramer } from '../../src/nodes/jk-bms/protocol-jk-pb';
import { bankCurrent, setUpBank } from '../../src/cli/simulate-bank';
import { startSimulation, type Simulation } from '../../src/cli/simulate';
import type { CliIo } from '../../src/cli/command';
import { createPtyPair, socatAvailable, type PtyPair } from '../helpers/pty';

const HOUR = 3_600_000;

function quietIo(): CliIo & { err: string } {
  const io = {
    err: '',
    stdout: () => undefined,
    stderr: (t: string) => (io.err += t),
    readStdin: () => Promise.resolve(''),
    stdinLines: async function* () {},
  };
  return io;
}

/** Reads pack `address`'s live block over the port: the decoded current and SoC. */
async function poll(port: SerialDevicePort, address: number): Promise<{ current: number; soc: number }> {
  let wire = Buffer.alloc(0);
  const framer = readAnswerFramer(address);
  const got = new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer')), 2000);
    const onData = (d: Buffer): void => {
      wire = Buffer.concat([wire, d]);
      const { frame } = takeFrame(wire, framer);
      if (!frame) return;
      clearTimeout(timer);
      port.off('data', onData);
      resolve(frame);
    };
    port.on('data', onData);
  });
  await port.write(liveReadRequest(address));
  const decoded = decodeReadAnswer(await got, { address, start: LIVE_READ.start, quantity: LIVE_READ.quantity });
  assert.ok(decoded.ok && decoded.value.block === 'live');
  const pack = liveToPackState(decoded.value.live, { id: 'p', time: 0, protocol: 'jk-pb', address });
  assert.ok(pack.ok);
  return { current: pack.value.current, soc: pack.value.soc };
}

describe('cellsafe simulate --bank', function () {
  this.timeout(30000);
  afterEach(() => forgetSimulatedBanks());

  it('reads --current as a constant in A or the day profile (charge at noon, discharge at night)', () => {
    const profile = { kind: 'day' as const, pvPeakW: 8000, loadMeanW: 1200 };
    const constant = bankCurrent('-25.5', profile);
    assert.ok(constant.ok && constant.current(0, 52) === -25.5);
    const day = bankCurrent('day', profile);
    assert.ok(day.ok);
    assert.ok(day.current(13 * HOUR, 52) > 100, 'noon: PV surplus charges');
    assert.ok(day.current(2 * HOUR, 52) < 0, 'night: the load discharges');
    assert.equal(day.current(13 * HOUR, 0), 0, 'no voltage, no current');
    assert.ok(!bankCurrent('lots', profile).ok);
    assert.ok(!bankCurrent('', profile).ok);
    const badSoc = setUpBank({ bank: 'x', soc: '150' });
    assert.ok(!badSoc.ok && /--soc/.test(badSoc.reason));
  });

  describe('on a pty pair', () => {
    let pty: PtyPair | undefined;
    let simulation: Simulation | undefined;
    let master: SerialDevicePort | undefined;
    before(function () {
      if (!socatAvailable()) this.skip();
    });
    afterEach(async () => {
      await master?.close();
      await simulation?.close();
      await pty?.stop();
    });

    it('packs answer from the bank: the current splits between them and the SoC rises', async () => {
      pty = await createPtyPair();
      const io = quietIo();
      const started = await startSimulation(
        { protocol: 'jk-pb', port: pty.b, addresses: '1-2', bank: 'cli', current: '100', speed: '600', soc: '30' },
        io,
      );
      assert.ok(typeof started !== 'string', String(started));
      simulation = started;
      assert.match(io.err, /from bank "cli"/);
      const bank = getSimulatedBank('cli');
      assert.equal(bank.speed, 600);
      master = new SerialDevicePort({ path: pty.a, baudRate: 115200 });
      await master.open();
      let first = await poll(master, 1);
      while (first.current === 0) first = await poll(master, 1); // until the bank's first step
      assert.ok(Math.abs(first.current - 50) < 1, `half of 100 A (${first.current})`);
      let later = first;
      while (later.soc <= first.soc) {
        await new Promise((r) => setTimeout(r, 200));
        later = await poll(master, 1);
      }
      assert.ok(later.soc > first.soc && later.soc <= 100);
      assert.ok(Math.abs(later.current + (await poll(master, 2)).current - 100) < 2, 'the two packs carry 100 A');
    });
  });
});
