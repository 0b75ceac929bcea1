/**
 * The input of an inverter node: msg.payload as a BankState (bms-rules output) or a minimal
 * hand-built object, completed by toBankState (bank-completion.ts). This adds what only a node input
 * needs: a hint when a PackState is wired straight in, reasons that name msg.payload, no trust
 * in a bank that was already stale when it arrived (or whose time is ahead of this host's clock), and an error for a hand-built object that
 * could never be sent (no measured voltage). A bms-rules bank in INIT is no error: the transmitter
 * waits for a valid one. Pure.
 */
import type { BankState } from '../../core/pack-state';
import { ageProblem } from '../../core/data-age';
import type { Result } from '../../core/result';
import { toBankState } from './bank-completion';
import { wireClaimProblem } from './wire-values';

export function bankFromPayload(payload: unknown, now: number, staleSec: number): Result<BankState> {
  const p = payload as { kind?: unknown } | null;
  if (p !== null && typeof p === 'object' && p.kind === 'pack') {
    return {
      ok: false,
      reason: 'msg.payload is a PackState: feed packs through bms-rules, which computes the bank limits',
    };
  }
  const checked = toBankState(payload, now);
  if (!checked.ok) return { ok: false, reason: `msg.payload: ${checked.reason}` };
  const nothingToSay = p?.kind === 'bank' ? undefined : wireClaimProblem(checked.value);
  if (nothingToSay) return { ok: false, reason: `msg.payload: ${nothingToSay}; nothing is sent for it` };
  const tooOld = ageProblem(checked.value.time, now, staleSec);
  if (tooOld) return { ok: false, reason: `msg.payload.time ${tooOld}; not sent to the inverter` };
  return checked;
}
