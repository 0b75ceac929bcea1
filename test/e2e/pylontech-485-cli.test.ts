/**
 * Commissioning without Node-RED, over a pty pair at 9600 Bd: `cellsafe answer --protocol
 * pylontech-485` answers with a hand-built bank from standard input, `cellsafe simulate --protocol
 * pylontech-485-inverter --profile voltronic` polls it and prints what it read; the answerer logs
 * every poll. Bad options are refused before anything opens.
 */
import { strict as assert } from 'node:assert';
import { answerPlan, runAnswer } from '../../src/cli/answer';
import { startSimulation, type Simulation } from '../../src/cli/simulate';
import type { InverterReading } from '../../src/nodes/pylontech-485/inverter-simulator';
import { createPtyPair, socatAvailable, type PtyPair } from '../helpers/pty';
import { until } from '../helpers/runtime';
import { captureIo } from '../helpers/cli-io';

const BANK = { cvl: 56.8, ccl: 60, dcl: 80, soc: 55, voltage: 52.1, current: -7.5, temperature: 21, capacityAh: 100 };

describe('cellsafe answer and simulate (pylontech-485) over a pty pair', function () {
  this.timeout(20_000);
  let pty: PtyPair | undefined;
  before(function () {
    if (!socatAvailable()) this.skip();
  });
  afterEach(async () => {
    await pty?.stop();
    pty = undefined;
  });

  it('the simulated Voltronic reads the fixed bank; every poll is logged', async () => {
    pty = await createPtyPair();
    const plan = answerPlan({ protocol: 'pylontech-485', port: pty.a, address: '2' }, JSON.stringify(BANK), Date.now());
    assert.ok(typeof plan !== 'string', String(plan));
    const answerIo = captureIo();
    let stop = (): void => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const answering = runAnswer(plan, answerIo, stopped);
    const simulateIo = captureIo();
    let simulation: Simulation | string | undefined;
    try {
      simulation = await startSimulation(
        { protocol: 'pylontech-485-inverter', port: pty.b, addresses: '2', profile: 'voltronic' },
        simulateIo,
      );
      assert.ok(typeof simulation !== 'string', String(simulation));
      const readings = (): InverterReading[] =>
        simulateIo.out
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as InverterReading);
      await until(
        () => readings().some((r) => r.cvl !== undefined && r.problems.length === 0),
        6000,
        'a clean reading',
      );
      const r = readings().find((x) => x.cvl !== undefined && x.problems.length === 0)!;
      assert.deepEqual([r.cvl, r.ccl, r.dcl, r.voltage, r.current], [56.8, 60, -80, 52.1, -7.5]);
      assert.ok(Math.abs((r.soc ?? NaN) - 55) < 0.01, `soc ${r.soc}`);
      assert.match(answerIo.out, /ADR 2 0x4F → RTN 0x00\n/);
      assert.match(answerIo.out, /ADR 2 0x92 → RTN 0x00\n/);
    } finally {
      if (simulation && typeof simulation !== 'string') await simulation.close();
      stop();
      assert.equal(await answering, 0);
    }
    assert.match(answerIo.err, /\d+ polls, \d+ answered, 0 error answers, 0 bad frames/);
  });

  it('refuses an unknown protocol, a missing port and a bank that is not JSON', () => {
    assert.match(String(answerPlan({ protocol: 'x', port: '/dev/null' }, '{}', 0)), /--protocol must be one of/);
    assert.match(String(answerPlan({ protocol: 'pylontech-485' }, '{}', 0)), /--port/);
    assert.match(String(answerPlan({ protocol: 'pylontech-485', port: '/dev/x' }, 'nope', 0)), /not JSON/);
    assert.match(String(answerPlan({ protocol: 'pylontech-485', port: '/dev/x' }, '{"cvl":1}', 0)), /^bank: /);
  });
});
