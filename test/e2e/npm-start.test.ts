/**
 * The README's quick start: `npm start` builds, prepares a demo user directory with this package
 * and the dashboard linked in, loads the quick start with its dashboard, and serves the editor and
 * the dashboard with data flowing within 60 s.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugListener } from '../helpers/node-red-process';
import { REPO_ROOT, loadExample } from '../helpers/fixtures';

/** GET, retried while the server comes up. */
async function get(url: string): Promise<{ status: number; body: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await fetch(url, { headers: { 'Node-RED-API-Version': 'v2', Accept: 'application/json' } });
      return { status: r.status, body: await r.text() };
    } catch (e) {
      if (attempt > 50) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const ids = (flow: Array<{ id: string }>) => flow.map((n) => n.id).sort();

describe('npm start', function () {
  this.timeout(90000);
  let child: ChildProcess | undefined;
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellsafe-demo-'));
  const port = 18000 + (process.pid % 1000);
  let started = 0;
  let output = '';

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('serves the editor with the quick-start flow and this package loaded within 60 s', async () => {
    started = Date.now();
    child = spawn('npm', ['start'], {
      cwd: REPO_ROOT,
      env: { ...process.env, CELLSAFE_PORT: String(port), CELLSAFE_USER_DIR: userDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => {
      output += String(d);
    });
    child.stderr!.on('data', (d) => {
      output += String(d);
    });
    while (!output.includes(`Editor: http://127.0.0.1:${port}/`)) {
      assert.ok(Date.now() - started < 60000, `no editor URL within 60 s:\n${output}`);
      assert.equal(child.exitCode, null, `npm start exited:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const editor = await get(`http://127.0.0.1:${port}/`);
    assert.equal(editor.status, 200);
    assert.ok(Date.now() - started < 60000);
    const flows = JSON.parse((await get(`http://127.0.0.1:${port}/flows`)).body);
    // The quick start with its dashboard: example 06 has every node type of example 01 plus the dashboard's.
    const loaded = ids(flows.flows);
    assert.deepEqual(loaded, ids(loadExample('06 - Dashboard (needs @flowfuse node-red-dashboard)')));
    const types = new Set(flows.flows.map((n: { type: string }) => n.type));
    for (const n of loadExample('01 - Quick start (simulated)'))
      assert.ok(types.has(n.type), `quick-start node type ${n.type}`);
    const nodes = JSON.parse((await get(`http://127.0.0.1:${port}/nodes`)).body) as Array<{
      module: string;
      types: string[];
      err?: string;
    }>;
    const ours = nodes.filter((n) => n.module === '@cellsafe/node-red-bms');
    assert.ok(ours.length > 0, 'package installed in the demo user directory');
    for (const set of ours) assert.equal(set.err, undefined, `${set.types.join(',')}: ${set.err}`);
    assert.doesNotMatch(output, /Waiting for missing types/);
  });

  it('then serves the dashboard with the quick start plus its dashboard, data flowing, within 60 s', async () => {
    const dashboard = `http://127.0.0.1:${port}/dashboard/battery`;
    while (!output.includes(`Dashboard: ${dashboard}`)) {
      assert.ok(Date.now() - started < 60000, `no dashboard URL within 60 s:\n${output}`);
      assert.equal(child!.exitCode, null, `npm start exited:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal((await get(dashboard)).status, 200);
    const flows = JSON.parse((await get(`http://127.0.0.1:${port}/flows`)).body);
    assert.deepEqual(ids(flows.flows), ids(loadExample('06 - Dashboard (needs @flowfuse node-red-dashboard)')));
    const debug = await DebugListener.connect(`http://127.0.0.1:${port}`);
    try {
      while (
        !debug.messages.some((m) => m.name === 'pack states') ||
        !debug.messages.some((m) => m.name === 'bank state')
      ) {
        assert.ok(Date.now() - started < 60000, 'pack and bank states in the debug sidebar within 60 s');
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      debug.close();
    }
    console.log(`    editor, dashboard and data ${((Date.now() - started) / 1000).toFixed(1)} s after npm start`);
    assert.doesNotMatch(output, /Waiting for missing types/);
  });
});
