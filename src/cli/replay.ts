/**
 * `cellsafe replay --config rules.json < packs.jsonl > bank.jsonl`: runs the bms-rules engine over a
 * recorded or synthetic time series and prints one BankState per input line, so a configuration can be
 * tried against a recorded day. Input lines: `{"time": ms, "pack": PackState}`, `{"time": ms, "tick": true}`,
 * and also `{"time": ms, "command": ...}` / `{"time": ms, "current": A}` as the node accepts them.
 * A line's `time` is when the PackState was received; the PackState's own `time` is when it was measured,
 * and the engine dates the sample by the older of the two (docs/rules.md, "Data age").
 */
import { readFile } from 'node:fs/promises';
import { validatePackState } from '../core/pack-state';
import { type Result, fail, ok } from '../core/result';
import { resolveConfig } from '../nodes/bms-rules/config';
import { parseCommand } from '../nodes/bms-rules/commands';
import type { EngineState, StepInput } from '../nodes/bms-rules/engine';
import { createState, step } from '../nodes/bms-rules/engine';
import type { CliCommand } from './command';
import { parseArgs } from './command';

/** One input line: the engine input and the time it arrived. */
export interface ReplayLine {
  time: number;
  input: StepInput;
}

/** One input line → the engine input and its time, or a reason. */
export function parseReplayLine(line: string): Result<ReplayLine> {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return fail('not JSON');
  }
  if (typeof o !== 'object' || o === null) return fail('a line must be a JSON object');
  const { time, pack, tick, command, current } = o as Record<string, unknown>;
  if (typeof time !== 'number' || !Number.isFinite(time)) return fail('time must be a number (ms since epoch)');
  if (pack !== undefined) {
    const v = validatePackState(pack);
    return v.ok ? ok({ time, input: { packs: [v.value] } }) : fail(`pack: ${v.reason}`);
  }
  if (tick === true) return ok({ time, input: {} });
  if (command !== undefined) {
    const c = parseCommand(command);
    return c.ok ? ok({ time, input: { command: c.value } }) : fail(c.reason);
  }
  if (typeof current === 'number' && Number.isFinite(current)) return ok({ time, input: { extCurrent: current } });
  return fail('a line needs "pack", "tick": true, "command" or "current"');
}

const FLUSH_LINES = 500;

export const replayCommand: CliCommand = {
  name: 'replay',
  summary: 'run the bms-rules engine over a pack time series (jsonl), one BankState per line',
  usage: 'cellsafe replay [--config rules.json] < packs.jsonl > bank.jsonl',
  async run(args, io) {
    const { options } = parseArgs(args);
    let user: unknown = {};
    if (options.config) {
      try {
        user = JSON.parse(await readFile(options.config, 'utf8'));
      } catch (err) {
        io.stderr(`cellsafe replay: cannot read --config: ${(err as Error).message}\n`);
        return 2;
      }
    }
    const cfg = resolveConfig(user);
    if (!cfg.ok) {
      io.stderr(`cellsafe replay: ${cfg.reason}\n`);
      return 2;
    }
    let state: EngineState | undefined;
    let lastTime = -Infinity;
    let n = 0,
      errors = 0;
    let out: string[] = [];
    for await (const raw of io.stdinLines()) {
      n++;
      const line = raw.trim();
      if (line === '') continue;
      const p = parseReplayLine(line);
      if (!p.ok || p.value.time < lastTime) {
        errors++;
        out.push(JSON.stringify({ error: p.ok ? 'time goes backwards' : p.reason, line: n }));
      } else {
        lastTime = p.value.time;
        state ??= createState(cfg.value, p.value.time);
        out.push(JSON.stringify(step(state, p.value.input, p.value.time).bank));
      }
      if (out.length >= FLUSH_LINES) {
        io.stdout(out.join('\n') + '\n');
        out = [];
      }
    }
    if (out.length) io.stdout(out.join('\n') + '\n');
    if (errors) io.stderr(`cellsafe replay: ${errors} bad line(s)\n`);
    return errors ? 1 : 0;
  },
};
