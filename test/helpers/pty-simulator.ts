/**
 * The hooks of a runtime-over-pty suite: skip without socat; per test a fresh Node-RED test
 * server and pty pair (end `a` for the code under test, end `b` for the simulated device); after
 * each test everything is stopped, the device first so nothing writes into a closed pty.
 * Call it inside `describe`.
 */
import helper from 'node-red-node-test-helper';
import type { SimulatorFactory, SimulatorOptions } from '../../src/transport/simulator-api';
import { runSimulatorOnSerialPort, type SimulatorRun } from '../../src/transport/simulator-runner';
import { createPtyPair, socatAvailable, type PtyPair } from './pty';

export interface DeviceSpec {
  baudRate: number;
  factory: SimulatorFactory;
  options: SimulatorOptions;
}

export interface PtySimulator {
  /** The pty pair of the running test. */
  readonly pty: PtyPair;
  /** The simulated device on end `b`, once started. */
  readonly device: SimulatorRun;
  /** Starts (or, after an unplug, restarts) the simulated device on end `b`. */
  startDevice(spec: DeviceSpec): Promise<SimulatorRun>;
}

/** `device`: started before each test; without it the test starts its own with startDevice(). */
export function withPtySimulator(device?: DeviceSpec): PtySimulator {
  let pty: PtyPair | undefined;
  let run: SimulatorRun | undefined;
  const suite: PtySimulator = {
    get pty() {
      if (!pty) throw new Error('no pty pair outside a test');
      return pty;
    },
    get device() {
      if (!run) throw new Error('no simulated device started');
      return run;
    },
    async startDevice(spec) {
      run = await runSimulatorOnSerialPort({ path: suite.pty.b, ...spec });
      return run;
    },
  };
  before(function () {
    if (!socatAvailable()) this.skip();
  });
  beforeEach(async () => {
    await helper.startServer();
    pty = await createPtyPair();
    if (device) await suite.startDevice(device);
  });
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    await run?.close().catch(() => undefined);
    run = undefined;
    await pty?.stop();
    pty = undefined;
  });
  return suite;
}
