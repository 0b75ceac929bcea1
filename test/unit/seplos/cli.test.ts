/**
 * `cellsafe decode --protocol seplos-v2|seplos-v3`: PackState JSON for data frames, exit 1 with
 * {"error"} for error answers, exceptions and broken checksums.
 */
import { strict as assert } from 'node:assert';
import { main } from '../../../src/cli/cellsafe';
import type { CliIo } from '../../../src/cli/command';
import { SEPLOS_VECTORS } from '../../helpers/seplos-vectors';

const VECTORS = SEPLOS_VECTORS;

async function run(args: string[]): Promise<{ code: number; out: Record<string, unknown> }> {
  let text = '';
  const io: CliIo = {
    stdout: (t) => {
      text += t;
    },
    stderr: () => undefined,
    readStdin: async () => '',
    stdinLines: () => [] as unknown as AsyncIterable<string>,
  };
  const code = await main(['decode', ...args], io);
  return { code, out: JSON.parse(text) as Record<string, unknown> };
}
const raw = (pred: (v: (typeof VECTORS)[number]) => boolean): string => VECTORS.find(pred)!.raw.replace(/\r$/, '');

describe('cellsafe decode seplos', () => {
  it('V2 0x42 + 0x44 frames → one PackState with the FET state', async () => {
    const src = 'shining-man/bsc_fw/src/devices/SeplosBms.cpp';
    const r = await run([
      '--protocol',
      'seplos-v2',
      raw((v) => v.source === src && v.command === '0x42'),
      raw((v) => v.source === src && v.command === '0x44'),
    ]);
    assert.equal(r.code, 0);
    assert.equal(r.out.voltage, 52.26);
    assert.equal(r.out.chargeAllowed, true);
  });

  it('V2 0x42 alone → measurements, charge/discharge not allowed (FET state unknown)', async () => {
    const r = await run(['--protocol', 'seplos-v2', raw((v) => v.command === '0x42' && v.expected.cell_count === 15)]);
    assert.equal(r.code, 0);
    assert.equal((r.out.cells as number[]).length, 15);
    assert.equal(r.out.chargeAllowed, false);
    assert.equal((r.out.extra as Record<string, unknown>).fetStateUnknown, true);
  });

  it('V2 error answer and broken checksum exit 1 with a reason', async () => {
    const e = await run(['--protocol', 'seplos-v2', raw((v) => v.command === '0x92')]);
    assert.equal(e.code, 1);
    assert.match(String(e.out.error), /RTN 0x04/);
    const good = raw((v) => v.command === '0x5A');
    const b = await run(['--protocol', 'seplos-v2', good.slice(0, -1) + (good.endsWith('8') ? '9' : '8')]);
    assert.equal(b.code, 1);
    assert.match(String(b.out.error), /CHKSUM/);
  });

  it('V3 PIA with --request, and PIA + PIB + PIC together', async () => {
    const pia = VECTORS.find((v) => v.start_address === '0x1000' && v.expected.slave_id === 2)!;
    const r = await run(['--protocol', 'seplos-v3', '--request', pia.request_raw!, pia.raw]);
    assert.equal(r.code, 0);
    assert.equal(r.out.voltage, 52.37);
    const frames = ['0x1000', '0x1100', '0x1200'].map(
      (s) => VECTORS.find((v) => v.start_address === s && v.expected.slave_id === 2)!.raw,
    );
    const all = await run(['--protocol', 'seplos-v3', ...frames]);
    assert.equal(all.code, 0);
    assert.equal((all.out.cells as number[]).length, 16);
    assert.equal(all.out.dischargeAllowed, true);
  });

  it('V3 exception answer exits 1', async () => {
    const ex = VECTORS.find((v) => v.expected.exception === true)!;
    const r = await run(['--protocol', 'seplos-v3', '--request', ex.request_raw!, ex.raw]);
    assert.equal(r.code, 1);
    assert.match(String(r.out.error), /exception 2/);
  });
});
