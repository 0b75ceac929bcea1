/**
 * A plain Node-RED process on a user directory of its own, started with a chosen Node.js binary and
 * Node-RED install (4.1 from the dev dependencies, or 5 on Node 24), plus what the palette-install tests
 * need from it: upload a module tarball as the palette manager does, list node sets, deploy, and listen
 * to what the editor would show (debug messages, node statuses).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import WebSocket from 'ws';
import { freePort, type FlowNode } from './node-red-process';
import { userEnv } from './package-tarball';

export interface NodeSet {
  module: string;
  version: string;
  types: string[];
  enabled: boolean;
  err?: string;
}

export interface NodeRedRuntime {
  url: string;
  output(): string;
  /** POST /nodes with the tarball, as the palette manager's "upload module tgz file" does. */
  uploadModule(tarball: string): Promise<void>;
  nodeSets(): Promise<NodeSet[]>;
  deploy(flow: FlowNode[]): Promise<void>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function writeSettings(userDir: string, port: number): string {
  const file = path.join(userDir, 'settings.js');
  fs.writeFileSync(
    file,
    [
      'module.exports = {',
      `  uiHost: '127.0.0.1',`,
      `  uiPort: ${port},`,
      `  flowFile: 'flows.json',`,
      '  credentialSecret: false,',
      "  logging: { console: { level: 'info', metrics: false, audit: false } },",
      '  editorTheme: { tours: false, projects: { enabled: false } },',
      '  telemetry: { enabled: false },',
      '};',
      '',
    ].join('\n'),
  );
  return file;
}

/** Starts `node redJs` on `userDir` and waits until the admin API answers. */
export async function startNodeRedRuntime(options: {
  node: string;
  redJs: string;
  userDir: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
}): Promise<NodeRedRuntime> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const settings = writeSettings(options.userDir, port);
  const child = spawn(options.node, [options.redJs, '--userDir', options.userDir, '--settings', settings], {
    cwd: options.userDir,
    env: options.env ?? userEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));

  const end = Date.now() + options.timeoutMs;
  while (!/Started flows|Server now running/.test(out)) {
    if (child.exitCode !== null || Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`Node-RED did not start within ${options.timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const headers = { 'Node-RED-API-Version': 'v1' };
  return {
    url,
    output: () => out,
    async uploadModule(tarball) {
      const form = new FormData();
      form.append('tarball', new Blob([fs.readFileSync(tarball)]), path.basename(tarball));
      const r = await fetch(`${url}/nodes`, { method: 'POST', body: form, headers });
      if (!r.ok) throw new Error(`palette install failed: ${r.status} ${await r.text()}\n${out}`);
    },
    async nodeSets() {
      const r = await fetch(`${url}/nodes`, { headers: { ...headers, Accept: 'application/json' } });
      return (await r.json()) as NodeSet[];
    },
    async deploy(flow) {
      const r = await fetch(`${url}/flows`, {
        method: 'POST',
        body: JSON.stringify(flow),
        headers: { ...headers, 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      });
      if (!r.ok) throw new Error(`deploy failed: ${r.status} ${await r.text()}`);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const stopped = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
      ]);
      if (!stopped) child.kill('SIGKILL');
    },
  };
}

export interface EditorMessage {
  topic: string;
  data: Record<string, unknown>;
}

/** What the editor receives over its comms websocket: debug messages and node statuses. */
export class EditorComms {
  readonly messages: EditorMessage[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      for (const m of JSON.parse(String(raw)) as EditorMessage[]) this.messages.push(m);
    });
  }

  static async connect(url: string): Promise<EditorComms> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/comms`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('error', () => undefined);
    for (const topic of ['debug', 'status/#']) ws.send(JSON.stringify({ subscribe: topic }));
    return new EditorComms(ws);
  }

  /** Objects a debug node (by name) published, parsed from the sidebar's JSON. */
  debugObjects(name: string): Array<Record<string, unknown>> {
    return this.messages
      .filter((m) => m.topic === 'debug' && m.data.name === name && String(m.data.format).startsWith('Object'))
      .map((m) => JSON.parse(String(m.data.msg)) as Record<string, unknown>);
  }

  /** The last status the editor was sent for a node. */
  status(nodeId: string): { fill?: string; shape?: string; text?: string } | undefined {
    const last = this.messages.filter((m) => m.topic === `status/${nodeId}`).at(-1);
    return last?.data as { fill?: string; shape?: string; text?: string } | undefined;
  }

  close(): void {
    this.ws.close();
  }
}

export async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
