import { strict as assert } from 'node:assert';
import { main } from '../../src/cli/cellsafe';
import { captureIo } from '../helpers/cli-io';

describe('cellsafe CLI dispatch', () => {
  it('--help lists every subcommand', async () => {
    const io = captureIo();
    assert.equal(await main(['--help'], io), 0);
    for (const c of ['decode', 'simulate']) assert.match(io.out, new RegExp(`\\b${c}\\b`));
  });
  it('an unknown command exits 2 with the help on stderr', async () => {
    const io = captureIo();
    assert.equal(await main(['frobnicate'], io), 2);
    assert.match(io.err, /unknown command "frobnicate"/);
  });
  it('decode with an unknown protocol prints a JSON error and exits 1', async () => {
    const io = captureIo();
    assert.equal(await main(['decode', '--protocol', 'nope', 'aa'], io), 1);
    assert.match(JSON.parse(io.out).error, /unknown protocol "nope"/);
  });
  it('simulate refuses a missing port', async () => {
    const io = captureIo();
    assert.equal(await main(['simulate', '--protocol', 'echo'], io), 2);
    assert.match(io.err, /--port/);
  });
});
