/**
 * `cellsafe settings` over a pty pair against the JK PB and Seplos V3 simulators: a read prints the
 * simulated pack's settings, a dry run prints the diff and writes nothing, a write changes the
 * simulator and prints the read-back, an out-of-range value is refused with exit code 1.
 */
import { strict as assert } from 'node:assert';
import { main } from '../../src/cli/cellsafe';
import { createJkPbSimulator } from '../../src/nodes/jk-bms/simulator';
import { simulatedJkSettings } from '../../src/nodes/jk-bms/simulator-settings';
import { createSeplosV3Simulator } from '../../src/nodes/seplos/simulator';
import { runSimulatorOnSerialPort, type SimulatorRun } from '../../src/transport/simulator-runner';
import { createPtyPair, socatAvailable, type PtyPair } from '../helpers/pty';
import { captureIo } from '../helpers/cli-io';

describe('cellsafe settings over a pty pair', function () {
  this.timeout(20000);
  let pty: PtyPair | undefined;
  let run: SimulatorRun | undefined;
  before(function () {
    if (!socatAvailable()) this.skip();
  });
  beforeEach(async () => {
    pty = await createPtyPair();
  });
  afterEach(async () => {
    await run?.close().catch(() => undefined);
    run = undefined;
    await pty?.stop();
    pty = undefined;
  });

  it('JK PB: read, dry run, write with read-back, out-of-range refusal', async () => {
    run = await runSimulatorOnSerialPort({
      path: pty!.b,
      baudRate: 115200,
      factory: createJkPbSimulator,
      options: { addresses: [2], cells: 16 },
    });
    const held = simulatedJkSettings(run.simulator.packs.get(2)!);
    const base = ['settings', '--protocol', 'jk-pb', '--port', pty!.a, '--address', '2'];

    const read = captureIo();
    assert.equal(await main(base, read), 0, read.err);
    const settings = JSON.parse(read.out).settings;
    assert.equal(settings.cellOvpV, held.cellOvpV);
    assert.equal(settings.maxChargeA, held.maxChargeA);
    assert.equal(settings.capacityAh, held.capacityAh);

    const dry = captureIo();
    assert.equal(await main([...base, '--write', 'cellOvpV=3.62', '--dry-run'], dry), 0, dry.err);
    assert.deepEqual(JSON.parse(dry.out).diff, [{ field: 'cellOvpV', from: 3.65, to: 3.62 }]);
    assert.equal(held.cellOvpV, 3.65);

    const write = captureIo();
    assert.equal(await main([...base, '--write', 'cellOvpV=3.62', 'maxChargeA=90'], write), 0, write.err);
    assert.equal(JSON.parse(write.out).settings.cellOvpV, 3.62);
    assert.deepEqual([held.cellOvpV, held.maxChargeA], [3.62, 90]);

    const refused = captureIo();
    assert.equal(await main([...base, '--write', 'cellOvpV=6'], refused), 1);
    assert.match(refused.err, /cellOvpV 6 V is outside 1–5 V/);
    assert.equal(held.cellOvpV, 3.62);
  });

  it('Seplos V3: read only; a write is refused', async () => {
    run = await runSimulatorOnSerialPort({
      path: pty!.b,
      baudRate: 19200,
      factory: createSeplosV3Simulator,
      options: { addresses: [1], cells: 16 },
    });
    const base = ['settings', '--protocol', 'seplos-v3', '--port', pty!.a];
    const read = captureIo();
    assert.equal(await main(base, read), 0, read.err);
    const settings = JSON.parse(read.out).settings;
    assert.equal(settings.protocol, 'seplos-v3');
    assert.equal(settings.cellCount, 16);
    const write = captureIo();
    assert.equal(await main([...base, '--write', 'cellOvpV=3.6'], write), 1);
    assert.match(write.err, /no documented settings write/);
  });
});
