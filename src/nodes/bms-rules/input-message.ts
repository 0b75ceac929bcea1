/**
 * What an input message means to the engine: a command (`topic` "command"), an external bank current
 * (`topic` "current"), a BMS node event (ignored: its effect arrives as missing or fresh PackStates), or
 * a PackState.
 */
import type { NodeMessage } from 'node-red';
import { validatePackState } from '../../core/pack-state';
import type { Command, StepInput } from './engine';
import { parseCommand } from './commands';

const BMS_EVENT_KINDS = new Set<unknown>(['communication', 'write', 'settings', 'settingsWrite']);

export type InputMeaning = { kind: 'step'; input: StepInput } | { kind: 'ignore' } | { kind: 'error'; error: Error };

export function inputOf(msg: NodeMessage & { topic?: string }): InputMeaning {
  const payload = msg.payload as { kind?: unknown } | undefined;
  if (msg.topic === 'command') {
    const command = parseCommand(msg.payload);
    if (!command.ok) return { kind: 'error', error: new Error(command.reason) };
    return { kind: 'step', input: { command: command.value as Command } };
  }
  if (msg.topic === 'current') {
    if (typeof msg.payload !== 'number' || !Number.isFinite(msg.payload))
      return {
        kind: 'error',
        error: new Error('bms-rules: topic "current" needs a finite number payload (A, + = charging)'),
      };
    return { kind: 'step', input: { extCurrent: msg.payload } };
  }
  // A BMS node's output 2 (events, settings, write results) may be wired in too; the settings that
  // matter arrive with each PackState in extra.settings.
  if (payload && typeof payload === 'object' && BMS_EVENT_KINDS.has(payload.kind)) return { kind: 'ignore' };
  const pack = validatePackState(msg.payload);
  if (!pack.ok) return { kind: 'error', error: new Error(`bms-rules: not a PackState: ${pack.reason}`) };
  return { kind: 'step', input: { packs: [pack.value] } };
}
