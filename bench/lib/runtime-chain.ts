/**
 * The reaction-latency chains in the real Node-RED runtime (node-red-node-test-helper): bms-serial-bus
 * with the in-process JK PB simulator (wire time at 115200 baud) → jk-bms (FC 0x03 poll) → bms-rules →
 * pylontech-can (frames as messages) → a helper node that the bench watches for CCL/DCL in 0x351.
 */
import { PROTOCOLS } from '../../src/nodes/inverter-can/protocols';
import type { CanFrame } from '../../src/transport/can-frame';

export const PACKS = 5;
/** Fast release after each event, so events follow each other quickly; cuts and tables stay the defaults. */
export const RULES_OVERRIDES = { cellHighReleaseSec: 1, cellLowReleaseSec: 1, incHoldSec: 1 };

interface FrameMsg {
  payload: CanFrame;
}
export type HelperNode = { on(e: 'input', f: (m: FrameMsg) => void): void };

/** Resolves with performance.now() when a 0x351 frame whose `limit` satisfies `test` arrives, or undefined after `ms`. */
export function nextLimit(
  out: HelperNode,
  limit: 'ccl' | 'dcl',
  test: (amps: number) => boolean,
  ms: number,
): Promise<number | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      resolve(undefined);
    }, ms);
    out.on('input', (m) => {
      if (done || m.payload.id !== 0x351) return;
      const amps = PROTOCOLS.pylontech.decode([m.payload])[limit];
      if (amps !== undefined && test(amps)) {
        done = true;
        clearTimeout(timer);
        resolve(performance.now());
      }
    });
  });
}

/** Chain `k`: its own bus, BMS node, rules and encoder. `intervalS` undefined = the jk-bms default. */
export function chainFlow(k: number, intervalS: number | undefined): object[] {
  return [
    {
      id: `bus${k}`,
      type: 'bms-serial-bus',
      portType: 'simulator',
      simProtocol: 'jk-pb',
      simAddresses: `1-${PACKS}`,
      simCells: 16,
      simProfile: '',
      simWireTime: true,
      baudRate: 115200,
      timeoutMs: 300,
    },
    {
      id: `jk${k}`,
      z: 'tab',
      type: 'jk-bms',
      bus: `bus${k}`,
      protocol: 'pb',
      method: 'fc03',
      addresses: `1-${PACKS}`,
      ...(intervalS === undefined ? {} : { interval: intervalS }),
      idPrefix: `c${k}p`,
      wires: [[`rules${k}`], []],
    },
    {
      id: `rules${k}`,
      z: 'tab',
      type: 'bms-rules',
      bankName: `bank${k}`,
      telemetry: false,
      rules: RULES_OVERRIDES,
      packs: Array.from({ length: PACKS }, (_, i) => ({
        id: `c${k}p-${i + 1}`,
        capacityAh: 280,
        maxChargeA: 100,
        maxDischargeA: 100,
      })),
      wires: [[`inv${k}`], [], [], [], []],
    },
    { id: `inv${k}`, z: 'tab', type: 'pylontech-can', wires: [[`out${k}`]] },
    { id: `out${k}`, z: 'tab', type: 'helper' },
  ];
}
