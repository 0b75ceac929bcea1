/**
 * `cellsafe decode --protocol jk-nw|jk-pb|jk02`, run in-process: a PackState for every pack-data
 * vector, exit 1 with {"error"} for a rejected frame or a frame that carries no pack state.
 */
import { strict as assert } from 'node:assert';
import { main } from '../../../src/cli/cellsafe';
import { SIMULATORS } from '../../../src/transport/simulators';
import { validatePackState } from '../../../src/core/pack-state';
import { JK_VECTORS } from './vectors.test';

async function run(args: string[]): Promise<{ code: number; out: Record<string, unknown> }> {
  let text = '';
  const code = await main(['decode', ...args], {
    stdout: (t) => {
      text += t;
    },
    stderr: (t) => {
      text += t;
    },
    readStdin: async () => '',
    stdinLines: async function* () {
      /* no input */
    },
  });
  return { code, out: JSON.parse(text) as Record<string, unknown> };
}

const protocolOf = (v: (typeof JK_VECTORS)[number]): string =>
  v.protocol === 'jk-b-nw' ? 'jk-nw' : v.protocol === 'jk02-ble' ? 'jk02' : 'jk-pb';

describe('cellsafe decode (JK)', () => {
  // The CLI reads JK02_32S frames only (the 24S layout needs to be configured, spec §4.2).
  for (const v of JK_VECTORS.filter((x) => !x.frame?.includes('24S'))) {
    const packData = v.expected.checksumValid !== false && v.expected.soc !== undefined;
    it(`${protocolOf(v)} ${v.id} → ${packData ? 'PackState' : 'error, exit 1'}`, async () => {
      const args = [
        '--protocol',
        protocolOf(v),
        ...(v.kind === 'fc03-response' ? ['--request', v.request!] : []),
        v.hex,
      ];
      const { code, out } = await run(args);
      if (!packData) {
        assert.equal(code, 1);
        assert.equal(typeof out.error, 'string');
        return;
      }
      assert.equal(code, 0, String(out.error));
      assert.ok(validatePackState(out).ok);
      assert.equal(out.soc, v.expected.soc);
      assert.deepEqual(out.cells, v.expected.cellVoltages);
    });
  }

  it('rejects text that is not hex', async () => {
    const { code, out } = await run(['--protocol', 'jk-pb', 'zz']);
    assert.equal(code, 1);
    assert.match(String(out.error), /hex/);
  });

  it('the simulators are registered for the bus and `cellsafe simulate`', () => {
    assert.equal(typeof SIMULATORS['jk-pb'], 'function');
    assert.equal(typeof SIMULATORS['jk-nw'], 'function');
  });
});
