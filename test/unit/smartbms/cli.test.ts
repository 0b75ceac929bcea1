import { strict as assert } from 'node:assert';
import { main } from '../../../src/cli/cellsafe';
import type { CliIo } from '../../../src/cli/command';
import { SimClock } from '../../../src/core/clock';
import { validatePackState, type PackState } from '../../../src/core/pack-state';
import { createSmartBmsSimulator } from '../../../src/nodes/smartbms/simulator';
import { loadSmartBmsVectors } from './vectors';

async function run(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io: CliIo = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      out += t;
    },
    readStdin: async () => '',
    stdinLines: async function* () {
      /* no input */
    },
  };
  const code = await main(args, io);
  return { code, out };
}

describe('cellsafe decode --protocol smartbms', () => {
  const vectors = loadSmartBmsVectors();
  const hexOf = (id: string): string => vectors.find((v) => v.id === id)!.hex;

  it('prints the PackState of one frame (S5: discharging, V-min alarm, no discharge)', async () => {
    const { code, out } = await run(['decode', '--protocol', 'smartbms', hexOf('smartbms-S5')]);
    assert.equal(code, 0);
    const pack = JSON.parse(out) as PackState;
    assert.ok(validatePackState(pack).ok);
    assert.equal(pack.voltage, 48.8);
    assert.equal(pack.current, -12.375);
    assert.equal(pack.soc, 3);
    assert.equal(pack.chargeAllowed, true);
    assert.equal(pack.dischargeAllowed, false);
    assert.deepEqual(pack.alarms, { cellUnderVoltage: 'alarm' });
    assert.equal((pack.extra as Record<string, unknown>).current1, null);
    assert.equal((pack.extra as Record<string, unknown>).loadRelayClosed, false);
  });

  it('exits 1 with an error for the bad-checksum vector S7', async () => {
    const { code, out } = await run(['decode', '--protocol', 'smartbms', hexOf('smartbms-S7')]);
    assert.equal(code, 1);
    assert.match(JSON.parse(out).error, /checksum 0x59, computed 0x58/);
  });

  it('assembles a captured stream of frames into the full PackState', async () => {
    const clock = new SimClock();
    const sent: Buffer[] = [];
    const sim = createSmartBmsSimulator({ cells: 4 }, { clock, send: (d) => sent.push(d) });
    clock.advance(5000);
    const hex = sent.map((b) => b.toString('hex')).join(' ');
    const full = await run(['decode', '--protocol', 'smartbms', hex]);
    assert.equal(full.code, 0);
    const pack = JSON.parse(full.out) as PackState;
    assert.equal(pack.cells.length, 4);
    sim.pack.model.cells.forEach((v, i) => assert.ok(Math.abs(pack.cells[i] - v) <= 0.0025));
    const partial = await run([
      'decode',
      '--protocol',
      'smartbms',
      sent
        .slice(0, 2)
        .map((b) => b.toString('hex'))
        .join(''),
    ]);
    assert.equal(partial.code, 1);
    assert.match(JSON.parse(partial.out).error, /2 of 4 cells seen/);
  });
});
