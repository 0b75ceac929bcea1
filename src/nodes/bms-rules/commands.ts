/**
 * Operator commands (`msg.topic` = "command"): force bulk / force float / reset latch / exclude or
 * include a pack for maintenance. Accepts a bare name or `{ command, pack }`.
 */
import type { Result } from '../../core/result';
import type { Command } from './engine';

const SIMPLE = ['forceBulk', 'forceFloat', 'resetLatch'] as const;
const PER_PACK = ['exclude', 'include'] as const;

export function parseCommand(v: unknown): Result<Command> {
  const o = typeof v === 'string' ? { command: v } : v;
  if (typeof o !== 'object' || o === null)
    return { ok: false, reason: 'bms-rules: a command is a name or { command, pack }' };
  const { command, pack } = o as { command?: unknown; pack?: unknown };
  if ((SIMPLE as readonly unknown[]).includes(command)) return { ok: true, value: { command } as Command };
  if ((PER_PACK as readonly unknown[]).includes(command)) {
    if (typeof pack !== 'string' || pack === '')
      return { ok: false, reason: `bms-rules: "${String(command)}" needs the pack id in "pack"` };
    return { ok: true, value: { command, pack } as Command };
  }
  return { ok: false, reason: `bms-rules: command must be one of ${[...SIMPLE, ...PER_PACK].join(', ')}` };
}
