/**
 * Acceptance 4: `cellsafe replay` over a synthetic 24 h jsonl at 1 s resolution (86,400 lines, 3 packs)
 * finishes, and its output matches the engine called directly, line by line. The CLI runs as a child
 * process (the real command, stdin → stdout) while this process runs the engine, in parallel.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { once } from 'node:events';
import { resolveConfig } from '../../../src/nodes/bms-rules/config';
import type { RulesBankState } from '../../../src/nodes/bms-rules/engine';
import { createState, step } from '../../../src/nodes/bms-rules/engine';
import { parseReplayLine } from '../../../src/cli/replay';
import { main } from '../../../src/cli/cellsafe';
import { IDS, pack, T0 } from './fixtures';
import { REPO_ROOT } from '../../helpers/fixtures';

const LINES = 86_400;
const RULES = {
  packs: IDS.map((id) => ({ id, capacityAh: 280, maxChargeA: 100, maxDischargeA: 100 })),
  bankName: 'day',
};

/** A day: charge in the sun, discharge at night; each second one pack answers (round robin) or a tick; pack 3 silent 05:00–05:10. */
function line(i: number): string {
  const t = T0 + i * 1000;
  if (i % 10 === 9) return JSON.stringify({ time: t, tick: true });
  const id = IDS[i % 3];
  if (id === 'P3' && i >= 5 * 3600 && i < 5 * 3600 + 600) return JSON.stringify({ time: t, tick: true });
  const h = i / 3600;
  const sun = Math.max(0, Math.sin(((h - 6) / 12) * Math.PI));
  const current = sun > 0 ? 90 * sun : -25;
  const cell = 3.22 + 0.25 * sun + 0.01 * Math.sin(i / 97) + (id === 'P2' ? 0.004 : 0);
  return JSON.stringify({
    time: t,
    pack: pack(id, t, {
      cell: Number(cell.toFixed(3)),
      current: current / 3,
      soc: 30 + 60 * sun,
      temp: 18 + 8 * sun,
      jitter: i,
    }),
  });
}

describe('cellsafe replay (acceptance 4)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cellsafe-replay-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('24 h at 1 s (86,400 lines, 3 packs): finishes and matches the engine called directly', async () => {
    const input = path.join(dir, 'packs.jsonl');
    const output = path.join(dir, 'bank.jsonl');
    const cfgFile = path.join(dir, 'rules.json');
    writeFileSync(cfgFile, JSON.stringify(RULES));
    const lines = Array.from({ length: LINES }, (_, i) => line(i));
    writeFileSync(input, lines.join('\n') + '\n');

    const started = Date.now();
    // files as stdin/stdout: the child never waits for this (busy) process
    const fdIn = openSync(input, 'r'),
      fdOut = openSync(output, 'w');
    const child = spawn(
      process.execPath,
      ['--require', 'tsx/cjs', path.join(REPO_ROOT, 'src/cli/cellsafe.ts'), 'replay', '--config', cfgFile],
      { cwd: REPO_ROOT, stdio: [fdIn, fdOut, 'pipe'] },
    );
    closeSync(fdIn);
    closeSync(fdOut);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = once(child, 'close');

    // the engine called directly, meanwhile
    const cfg = resolveConfig(RULES);
    assert.ok(cfg.ok);
    const state = createState(cfg.value, T0);
    const expected: string[] = [];
    const modes = new Set<string>();
    for (let i = 0; i < LINES; i++) {
      const p = parseReplayLine(lines[i]);
      assert.ok(p.ok);
      const { bank } = step(state, p.value.input, p.value.time);
      modes.add(bank.mode).add(bank.chargeState);
      expected.push(JSON.stringify(bank));
    }
    const [code] = (await exited) as [number];
    assert.equal(code, 0, stderr);
    let n = 0;
    for await (const got of readline.createInterface({ input: createReadStream(output), crlfDelay: Infinity })) {
      if (got !== expected[n])
        assert.fail(`line ${n + 1} differs:\n${got.slice(0, 300)}\n${expected[n].slice(0, 300)}`);
      n++;
    }
    assert.equal(n, LINES);
    // the day went through the interesting states
    for (const s of ['normal', 'degraded', 'bulk', 'absorb'])
      assert.ok(modes.has(s), `never ${s}: ${[...modes].join(', ')}`);
    assert.ok(Date.now() - started < 60_000, `took ${Date.now() - started} ms`);
  });

  it('lines whose pack time is older than their line time: that pack never counts and is reported as old', async () => {
    /** 5 min of 1 s lines, the three packs each second; P3 measured `p3LagMs` before its line time */
    const run = async (p3LagMs: number): Promise<RulesBankState[]> => {
      const lines: string[] = [];
      for (let i = 0; i < 300; i++) {
        const t = T0 + i * 1000;
        for (const id of IDS)
          lines.push(JSON.stringify({ time: t, pack: pack(id, id === 'P3' ? t - p3LagMs : t, { jitter: i }) }));
      }
      let out = '';
      const code = await main(['replay', '--config', path.join(dir, 'age.json')], {
        stdout: (t) => {
          out += t;
        },
        stderr: () => undefined,
        readStdin: async () => lines.join('\n'),
        stdinLines: async function* () {
          yield* lines;
        },
      });
      assert.equal(code, 0);
      return out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as RulesBankState);
    };
    writeFileSync(path.join(dir, 'age.json'), JSON.stringify(RULES));
    const onTime = (await run(0)).at(-1)!;
    assert.equal(onTime.mode, 'normal');
    assert.equal(onTime.packs.online, 3);
    const banks = await run(15 * 60_000);
    assert.ok(banks.every((b) => b.packStates.P3.status === 'offline' && b.packStates.P3.ccl === 0));
    // from P3's first line on (the third of each second)
    assert.ok(banks.slice(2).every((b) => b.warnings.includes('old:P3:900s')));
    const last = banks.at(-1)!;
    assert.equal(last.mode, 'degraded');
    assert.equal(last.packs.online, 2);
    assert.equal(last.packStates.P3.delaySec, 900);
    assert.equal(last.alarms.packOffline, 'warn');
    assert.ok(last.ccl < onTime.ccl && last.ccl <= 180);
  });

  it('reports bad lines and keeps going; exit code 1', async () => {
    const lines = [
      line(0),
      'not json',
      JSON.stringify({ time: T0 + 2000, pack: { kind: 'pack' } }),
      JSON.stringify({ time: T0 + 3000, tick: true }),
      JSON.stringify({ time: T0, tick: true }),
    ];
    let out = '',
      err = '';
    const code = await main(['replay'], {
      stdout: (t) => {
        out += t;
      },
      stderr: (t) => {
        err += t;
      },
      readStdin: async () => lines.join('\n'),
      stdinLines: async function* () {
        yield* lines;
      },
    });
    const res = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(code, 1);
    assert.equal(res.length, 5);
    assert.equal(res[0].kind, 'bank');
    assert.deepEqual(res[1], { error: 'not JSON', line: 2 });
    assert.match(res[2].error, /^pack: id must be a non-empty string/);
    assert.equal(res[3].kind, 'bank');
    assert.deepEqual(res[4], { error: 'time goes backwards', line: 5 });
    assert.match(err, /3 bad line/);
  });

  it('rejects an invalid configuration with exit code 2', async () => {
    const f = path.join(dir, 'bad.json');
    writeFileSync(f, JSON.stringify({ vCellAbsorb: 9, typo: 1 }));
    let err = '';
    const code = await main(['replay', '--config', f], {
      stdout: () => undefined,
      stderr: (t) => {
        err += t;
      },
      readStdin: async () => '',
      stdinLines: async function* () {
        /* empty */
      },
    });
    assert.equal(code, 2);
    assert.match(err, /unknown parameter "typo"/);
  });
});
