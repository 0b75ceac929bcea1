/**
 * A real Node-RED process started exactly as `npm start` does (scripts/start.js, with its port and
 * user directory from the environment), plus the two ways tests talk to it: the admin HTTP API
 * (deploy a flow, list node types) and the editor's comms websocket (what debug nodes publish).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import WebSocket from 'ws';
import { REPO_ROOT } from './fixtures';

/** The demo user directory of the tests that need the dashboard (git-ignored). */
export const dashboardUserDir = path.join(REPO_ROOT, 'test-output', 'demo-with-dashboard');

/** A flow node as it appears in a flow file. */
export interface FlowNode {
  id: string;
  type: string;
  z?: string;
  name?: string;
  wires?: string[][];
  [k: string]: unknown;
}

export interface DebugMessage {
  id: string;
  name: string;
  topic?: string;
  msg: unknown;
  received: number;
}

export interface NodeRedProcess {
  port: number;
  url: string;
  userDir: string;
  /** Dashboard page URL as start.js announced it, when the demo has the dashboard. */
  dashboardUrl?: string;
  /** Everything Node-RED and start.js printed so far. */
  output(): string;
  deploy(flow: FlowNode[]): Promise<void>;
  /** Node types the running Node-RED has registered, with the module of each. */
  types(): Promise<Map<string, string>>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

// start.js runs in its own process group with Node-RED and npm: signals go to the whole group,
// so nothing is orphaned even when start.js itself has to be killed.
const live = new Set<ChildProcess>();
const signalGroup = (p: ChildProcess, sig: NodeJS.Signals) => {
  try {
    process.kill(-p.pid!, sig);
  } catch {
    /* gone */
  }
};
process.on('exit', () => {
  for (const p of live) signalGroup(p, 'SIGKILL');
});

/**
 * Runs scripts/start.js. With `dashboard` the demo links the dashboard and loads the quick start
 * with its dashboard; waits until Node-RED announces the URLs. `keepFlows` starts with the flow and
 * context the user directory already has (a restart), instead of reloading the example flow.
 */
export async function startNodeRed(opts: {
  userDir: string;
  dashboard: boolean;
  timeoutMs: number;
  keepFlows?: boolean;
}): Promise<NodeRedProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  fs.mkdirSync(opts.userDir, { recursive: true });
  const args = [path.join(REPO_ROOT, 'scripts', 'start.js'), ...(opts.keepFlows ? [] : ['--reset'])];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      CELLSAFE_PORT: String(port),
      CELLSAFE_USER_DIR: opts.userDir,
      CELLSAFE_DASHBOARD: opts.dashboard ? '1' : '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  live.add(child);
  let out = '';
  child.stdout!.on('data', (d) => {
    out += String(d);
  });
  child.stderr!.on('data', (d) => {
    out += String(d);
  });
  const exited = new Promise<void>((r) =>
    child.once('exit', () => {
      live.delete(child);
      r();
    }),
  );

  const ready = opts.dashboard ? new RegExp(`Editor: ${url}/ +Dashboard: (\\S+)`) : new RegExp(`Editor: ${url}/`);
  const end = Date.now() + opts.timeoutMs;
  let m: RegExpMatchArray | null;
  while (!(m = out.match(ready))) {
    if (child.exitCode !== null || Date.now() > end) {
      signalGroup(child, 'SIGKILL');
      throw new Error(
        `Node-RED did not announce ${opts.dashboard ? 'the dashboard' : 'the editor'} within ${opts.timeoutMs} ms:\n${out}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const headers = { 'Node-RED-API-Version': 'v1' };
  return {
    port,
    url,
    userDir: opts.userDir,
    dashboardUrl: m[1],
    output: () => out,
    async deploy(flow) {
      const r = await fetch(`${url}/flows`, {
        method: 'POST',
        body: JSON.stringify(flow),
        headers: { ...headers, 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      });
      if (!r.ok) throw new Error(`deploy failed: ${r.status} ${await r.text()}`);
    },
    async types() {
      const r = await fetch(`${url}/nodes`, { headers: { ...headers, Accept: 'application/json' } });
      const sets = (await r.json()) as Array<{ module: string; types: string[]; enabled: boolean }>;
      return new Map(sets.filter((s) => s.enabled).flatMap((s) => s.types.map((t) => [t, s.module] as const)));
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
      signalGroup(child, 'SIGKILL');
    },
  };
}

/** Collects what the flow's debug nodes publish to the editor (their sidebar messages). */
export class DebugListener {
  readonly messages: DebugMessage[] = [];
  private readonly ws: WebSocket;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      for (const { topic, data: d } of JSON.parse(String(data)) as Array<{
        topic: string;
        data: Record<string, unknown>;
      }>) {
        if (topic !== 'debug') continue;
        let msg: unknown = d.msg;
        if (!String(d.format).startsWith('string')) {
          try {
            msg = JSON.parse(String(d.msg));
          } catch {
            /* keep the text */
          }
        }
        this.messages.push({
          id: String(d.id),
          name: String(d.name ?? ''),
          topic: d.topic as string | undefined,
          msg,
          received: Date.now(),
        });
      }
    });
  }

  static async connect(url: string): Promise<DebugListener> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/comms`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('error', () => undefined);
    ws.send(JSON.stringify({ subscribe: 'debug' }));
    return new DebugListener(ws);
  }

  close(): void {
    this.ws.close();
  }
}
