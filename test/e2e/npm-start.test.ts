/**
 * The README's quick start: `npm start` builds, prepares a demo user directory with this package
 * and the quick-start flow, and serves the editor within 60 s.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');

async function get(url: string): Promise<{ status: number; body: string }> {
  const r = await fetch(url, { headers: { 'Node-RED-API-Version': 'v2', Accept: 'application/json' } });
  return { status: r.status, body: await r.text() };
}

describe('npm start', function () {
  this.timeout(90000);
  let child: ChildProcess | undefined;
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellsafe-demo-'));
  const port = 18000 + (process.pid % 1000);

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('serves the editor with the quick-start flow and this package loaded within 60 s', async () => {
    const started = Date.now();
    child = spawn('npm', ['start'], {
      cwd: root, env: { ...process.env, CELLSAFE_PORT: String(port), CELLSAFE_USER_DIR: userDir }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => { output += String(d); });
    child.stderr!.on('data', (d) => { output += String(d); });
    while (!output.includes(`Editor: http://127.0.0.1:${port}/`)) {
      assert.ok(Date.now() - started < 60000, `no editor URL within 60 s:\n${output}`);
      assert.equal(child.exitCode, null, `npm start exited:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const editor = await get(`http://127.0.0.1:${port}/`);
    assert.equal(editor.status, 200);
    assert.ok(Date.now() - started < 60000);
    const flows = JSON.parse((await get(`http://127.0.0.1:${port}/flows`)).body);
    const example = JSON.parse(fs.readFileSync(path.join(root, 'examples', '01 - Quick start (simulated).json'), 'utf8'));
    assert.deepEqual(flows.flows.map((n: { id: string }) => n.id).sort(), example.map((n: { id: string }) => n.id).sort());
    const nodes = JSON.parse((await get(`http://127.0.0.1:${port}/nodes`)).body) as Array<{ module: string; types: string[]; err?: string }>;
    const ours = nodes.filter((n) => n.module === '@cellsafe/node-red-bms');
    assert.ok(ours.length > 0, 'package installed in the demo user directory');
    for (const set of ours) assert.equal(set.err, undefined, `${set.types.join(',')}: ${set.err}`);
    assert.doesNotMatch(output, /Waiting for missing types/);
  });
});
