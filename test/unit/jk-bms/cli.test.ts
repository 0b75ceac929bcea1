/**
 * `cellsafe decode --protocol jk-nw|jk-pb|jk02`, run in-process: a PackState for every pack-data
 * vector, exit 1 with {"error"} for a rejected frame or a frame that carries no pack state.
 */
import { strict as assert } from 'node:assert';
import { main } from '../../../src/cli/cellsafe';
import { SIMULATORS } from '../../../src/cli/simulators';
import { validatePackState } from '../../../src/core/pack-state';
import { withCrc } from '../../../src/transport/modbus-rtu';
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
  for (const v of JK_VECTORS) {
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

  describe('a JK02_24S frame (firmware < 11)', () => {
    const cold = JK_VECTORS.find((x) => x.id === 'ble-jk02-24s-b1a20s15p-fw10.07-cellinfo-13s-cold')!;
    const frame = Buffer.from(cold.hex, 'hex');
    const ack = withCrc(Buffer.from([1, 0x10, 0x16, 0x20, 0x00, 0x01]));

    it('--protocol jk02 prints its cells, voltage, current, SOC and temperatures in the 24S layout', async () => {
      const { code, out } = await run(['--protocol', 'jk02', cold.hex]);
      assert.equal(code, 0, String(out.error));
      assert.deepEqual(out.cells, cold.expected.cellVoltages);
      assert.equal((out.cells as number[]).length, 13);
      assert.equal(out.voltage, 42.786);
      assert.equal(out.current, 0);
      assert.equal(out.soc, 47);
      assert.deepEqual(out.temperatures, [-3.1, -2.9]);
      assert.equal(out.mosTemperature, 0.5);
      assert.equal((out.extra as Record<string, unknown>).layout, 'JK02_24S');
    });

    it('--protocol jk-pb without an acknowledgement: rejected, pointing at jk02', async () => {
      const { code, out } = await run(['--protocol', 'jk-pb', cold.hex]);
      assert.equal(code, 1);
      assert.match(String(out.error), /acknowledgement.*--protocol jk02/);
    });

    it('--protocol jk-pb with an acknowledgement: rejected as implausible in the PB layout, never printed', async () => {
      const { code, out } = await run(['--protocol', 'jk-pb', Buffer.concat([frame, ack]).toString('hex')]);
      assert.equal(code, 1);
      assert.match(String(out.error), /^implausible: pack voltage 0\.056 V does not match the cell sum/);
      assert.match(String(out.error), /JK02_24S/);
      assert.equal(out.voltage, undefined);
    });
  });

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
