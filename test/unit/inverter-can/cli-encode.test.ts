/** `cellsafe encode`: one transmit cycle as [{id, data}] from a BankState on stdin. */
import * as assert from 'node:assert/strict';
import { main } from '../../../src/cli/cellsafe';
import type { CliIo } from '../../../src/cli/command';
import { PROTOCOLS } from '../../../src/nodes/inverter-can/protocols';
import { baseBank } from './bank-arbitrary';
import { VECTORS, toFrames } from './vectors';

async function run(args: string[], stdin: string): Promise<{ code: number; out: string }> {
  let out = '';
  const io: CliIo = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      out += t;
    },
    readStdin: async () => stdin,
    stdinLines: () => {
      throw new Error('not used');
    },
  };
  const code = await main(['encode', ...args], io);
  return { code, out };
}

describe('cellsafe encode', () => {
  it('prints the frames of one cycle as [{id, data}] hex', async () => {
    const { code, out } = await run(['--protocol', 'pylontech', '--profile', 'deye'], JSON.stringify(baseBank()));
    assert.equal(code, 0);
    const frames = JSON.parse(out) as { id: string; data: string }[];
    assert.deepEqual(
      frames.map((f) => f.id),
      ['0x351', '0x355', '0x356', '0x359', '0x35C', '0x35E'],
    );
    const view = PROTOCOLS.pylontech.decode(toFrames(frames));
    assert.equal(view.cvl, 55.2);
    assert.equal(view.fields.manufacturer, 'PYLON');
  });

  it('reproduces the synthetic Pylon vector from a hand-built bank', async () => {
    const v = VECTORS.find((x) => x.protocol === 'pylon' && x.scenario?.startsWith('charging near full'));
    assert.ok(v);
    const bank = {
      cvl: 56,
      ccl: 100,
      dcl: 150,
      dvl: 47,
      soc: 97,
      soh: 99,
      voltage: 55.42,
      current: 38.6,
      temperature: 27.4,
      packs: { total: 2, online: 2, stale: 0, offline: 0, blockingCharge: 0, blockingDischarge: 0 },
      alarms: { cellOverVoltage: 'warn' },
    };
    const { code, out } = await run(['--protocol', 'pylontech'], JSON.stringify(bank));
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(out), v.frames);
  });

  it('fails with a JSON error and exit 1 on bad input', async () => {
    for (const [args, stdin, pattern] of [
      [['--protocol', 'nope'], '{}', /unknown protocol/],
      [['--protocol', 'victron', '--profile', '1M'], '{}', /unknown victron profile/],
      [['--protocol', 'sma'], 'not json', /not JSON/],
      [['--protocol', 'growatt'], '{"cvl": 55}', /ccl/],
    ] as const) {
      const { code, out } = await run([...args], stdin);
      assert.equal(code, 1);
      assert.match((JSON.parse(out) as { error: string }).error, pattern);
    }
  });

  it('is listed in the cellsafe help', async () => {
    let out = '';
    await main(['--help'], {
      stdout: (t) => {
        out += t;
      },
      stderr: () => {},
      readStdin: async () => '',
      stdinLines: () => {
        throw new Error();
      },
    });
    assert.match(out, /encode .*inverter CAN frames/);
  });
});
