/**
 * Random fault sequences over the whole chain (pipeline.ts), with invariants checked after every
 * rules step and every transmitted CAN cycle:
 *  - no crash and no unhandled rejection;
 *  - every output number finite, on the bank and in the decoded CAN frames;
 *  - CCL/DCL never above what the packs that answered within offlineSec allow (Σ of their limits;
 *    BLIND may hold blindFrac of the configured total until its grace ends, docs/rules.md#modes);
 *  - CVL never above the highest charge target (balance voltage), and at most the float voltage in
 *    FAILSAFE/BLIND and from the step that sees a cell at or above cellHighCut;
 *  - a pack state with a cell at or above cellHighCut gives CCL = 0 in the same step, and CCL stays 0
 *    for cellHighReleaseSec after the last such state (the latch clears only after that dwell; a
 *    redeploy or restart starts the rules afresh);
 *  - the CAN frames never carry more than the bank they were encoded from;
 *  - FAILSAFE (CCL = DCL = 0) once no pack has answered for staleSec + blindGraceSec;
 *  - NORMAL with every pack online within RECOVERY_MS after all faults clear.
 * The same seed replays the same sequence exactly (simulated time, seeded PRNG).
 */
import type { InverterProtocol } from '../../src/transport/can-inverter-api';
import type { PolledProtocol } from './bms-protocols';
import { Pipeline, type PipelineOptions, type StepEvent, type TransmitEvent } from './pipeline';
import { Rng } from './rng';
import { StepClock } from './step-clock';

export const RECOVERY_MS = 200_000;
/** Slack for the 1 s tick and the poll interval on time-based checks. */
const SLACK_MS = 2_000;

export type FaultOp =
  | 'silent'
  | 'garbage'
  | 'truncated'
  | 'badChecksum'
  | 'runner'
  | 'clearPack'
  | 'allSilent'
  | 'unplug'
  | 'replug'
  | 'redeploy'
  | 'restart'
  | 'recover';

const OPS: Array<[FaultOp, number]> = [
  ['silent', 3],
  ['garbage', 2],
  ['truncated', 2],
  ['badChecksum', 2],
  ['runner', 2],
  ['clearPack', 3],
  ['allSilent', 1],
  ['unplug', 1],
  ['replug', 1],
  ['redeploy', 1],
  ['restart', 1],
  ['recover', 2],
];

export interface FaultRunOptions {
  seed: number;
  bms: PolledProtocol;
  inverter: InverterProtocol;
  packs: number;
  /** Simulated duration of the sequence. */
  durationMs: number;
  wireTime?: boolean;
  /** Longest quiet time between two operations. */
  maxGapMs?: number;
  /** Stop at the first violation (the soak) or collect up to 20 (tests show them all). */
  stopAtFirst?: boolean;
  /** Called every simulated hour (progress, resource sampling). */
  onHour?: (hour: number, p: Pipeline) => void;
  tamper?: PipelineOptions['tamper'];
}

export interface FaultRunResult {
  seed: number;
  violations: string[];
  ops: number;
  recoveries: number;
  simulatedMs: number;
  counters: Pipeline['counters'];
  /** The last operations before the end or the first violation, for the failure message. */
  history: string[];
  /** How often each operation ran (coverage). */
  opCounts: Partial<Record<FaultOp, number>>;
}

export async function runFaults(o: FaultRunOptions): Promise<FaultRunResult> {
  const rng = new Rng(o.seed);
  const clock = new StepClock();
  const p = new Pipeline({
    bms: o.bms,
    inverter: o.inverter,
    packs: o.packs,
    clock,
    wireTime: o.wireTime,
    tamper: o.tamper,
  });
  const cfg = p.cfg;
  const start = clock.now();
  const violations: string[] = [];
  const history: string[] = [];
  const t = (): string => `t+${((clock.now() - start) / 1000).toFixed(1)}s`;
  const fail = (what: string): void => {
    if (violations.length < 20) violations.push(`${t()} ${what}`);
  };
  const lsb = o.inverter.ranges().ccl.lsb;
  // CVL is quantised down to cvlLsbV; the float cap allows that much rounding on the way.
  const vFloat = cfg.cellsSeries * cfg.vCellFloat + cfg.voltageDropV + cfg.cvlLsbV;
  const cvlMax = cfg.cellsSeries * Math.max(cfg.vCellAbsorb, cfg.vCellBalance) + cfg.voltageDropV + cfg.cvlLsbV;
  const limitOf = (dir: 'maxChargeA' | 'maxDischargeA', packs: number[]): number =>
    Math.min(dir === 'maxChargeA' ? cfg.systemMaxChargeA : cfg.systemMaxDischargeA, packs.length * cfg.packs[0][dir]);

  const onUnhandled = (reason: unknown): void =>
    fail(`unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
  process.on('unhandledRejection', onUnhandled);

  let latchedUntil = -Infinity;
  p.onStep = ({ now, bank, fed }: StepEvent) => {
    for (const k of ['cvl', 'ccl', 'dcl', 'dvl', 'soc', 'soh', 'voltage', 'current', 'power'] as const) {
      if (!Number.isFinite(bank[k])) fail(`bank.${k} = ${bank[k]}`);
    }
    for (const k of ['min', 'max', 'avg'] as const)
      if (!Number.isFinite(bank.temperature[k])) fail(`bank.temperature.${k} not finite`);
    if (bank.ccl < 0 || bank.dcl < 0) fail(`negative limit ccl ${bank.ccl} dcl ${bank.dcl}`);
    const fresh = p.addresses.filter((a) => now - (p.lastOk.get(a) ?? -Infinity) <= cfg.offlineSec * 1000 + SLACK_MS);
    const allowC =
      bank.mode === 'blind' ? cfg.blindFrac * limitOf('maxChargeA', p.addresses) : limitOf('maxChargeA', fresh);
    const allowD =
      bank.mode === 'blind' ? cfg.blindFrac * limitOf('maxDischargeA', p.addresses) : limitOf('maxDischargeA', fresh);
    if (bank.ccl > allowC + 1e-6)
      fail(`CCL ${bank.ccl} A above what ${fresh.length} answering packs allow (${allowC} A, mode ${bank.mode})`);
    if (bank.dcl > allowD + 1e-6)
      fail(`DCL ${bank.dcl} A above what ${fresh.length} answering packs allow (${allowD} A, mode ${bank.mode})`);
    const over = fed !== undefined && Math.max(...fed.cells) >= cfg.cellHighCut;
    if (over && bank.ccl !== 0)
      fail(`${fed.id} cell ${Math.max(...fed.cells)} V ≥ cut ${cfg.cellHighCut} V but CCL = ${bank.ccl} A`);
    if (over) latchedUntil = now + cfg.cellHighReleaseSec * 1000;
    else if (now < latchedUntil && bank.ccl !== 0)
      fail(`CCL ${bank.ccl} A within ${cfg.cellHighReleaseSec} s of a cell over the cut`);
    if (bank.cvl > cvlMax + 1e-6) fail(`CVL ${bank.cvl} V above the highest target ${cvlMax} V`);
    if ((over || bank.mode === 'failsafe' || bank.mode === 'blind') && bank.cvl > vFloat + 1e-6) {
      fail(`CVL ${bank.cvl} V above float ${vFloat} V (mode ${bank.mode}${over ? `, ${fed.id} over the cut` : ''})`);
    }
    const lastAnswer = Math.max(start, ...p.lastOk.values());
    if (
      now - lastAnswer >= (cfg.staleSec + cfg.blindGraceSec) * 1000 + SLACK_MS &&
      (bank.mode !== 'failsafe' || bank.ccl !== 0 || bank.dcl !== 0)
    ) {
      fail(
        `blind for ${((now - lastAnswer) / 1000).toFixed(0)} s but mode ${bank.mode}, CCL ${bank.ccl}, DCL ${bank.dcl}`,
      );
    }
  };
  p.onTransmit = ({ view, sentCcl, sentDcl }: TransmitEvent) => {
    for (const k of ['cvl', 'ccl', 'dcl', 'soc', 'voltage', 'current'] as const) {
      const v = view[k];
      if (v !== undefined && !Number.isFinite(v)) fail(`CAN ${k} = ${v}`);
    }
    if ((view.ccl ?? 0) > sentCcl + lsb / 2) fail(`CAN CCL ${view.ccl} above the bank's ${sentCcl}`);
    if ((view.dcl ?? 0) > sentDcl + lsb / 2) fail(`CAN DCL ${view.dcl} above the bank's ${sentDcl}`);
  };

  const pickOp = (): FaultOp => {
    let r = rng.next() * OPS.reduce((a, [, w]) => a + w, 0);
    for (const [op, w] of OPS) if ((r -= w) < 0) return op;
    return 'recover';
  };
  const clearAll = (): void => {
    for (const a of p.addresses) {
      p.pack(a).faults = {};
      p.pack(a).model.cellOffsets.clear();
    }
    p.replug();
  };

  let ops = 0,
    recoveries = 0,
    hour = 0;
  const opCounts: Partial<Record<FaultOp, number>> = {};
  const end = start + o.durationMs;
  p.start();
  try {
    await clock.runFor(60_000); // initial deploy settles (INIT) before faults start
    while (clock.now() < end && !(o.stopAtFirst && violations.length)) {
      const op = pickOp();
      const a = rng.pick(p.addresses);
      ops++;
      opCounts[op] = (opCounts[op] ?? 0) + 1;
      history.push(
        `${t()} ${op}${['silent', 'garbage', 'truncated', 'badChecksum', 'runner', 'clearPack'].includes(op) ? ` P${a}` : ''}`,
      );
      if (history.length > 30) history.shift();
      const pk = p.pack(a);
      switch (op) {
        case 'silent':
          pk.faults.silent = true;
          break;
        case 'garbage':
          pk.faults.garbage = true;
          break;
        case 'truncated':
          pk.faults.truncated = true;
          break;
        case 'badChecksum':
          pk.faults.badChecksum = true;
          break;
        // +0.3 V stays below the simulated BMS's own over-voltage cut (its charge FET stays on, the taper
        // table already gives 0); +0.4 V opens the FET, so only the rules' latch can stop the others charging.
        case 'runner':
          pk.model.cellOffsets.set(rng.int(0, 15), rng.pick([0.3, 0.4]));
          break;
        case 'clearPack':
          pk.faults = {};
          pk.model.cellOffsets.clear();
          break;
        case 'allSilent':
          for (const x of p.addresses) p.pack(x).faults.silent = true;
          break;
        case 'unplug':
          await p.unplug();
          break;
        case 'replug':
          p.replug();
          break;
        case 'redeploy':
          latchedUntil = -Infinity;
          await p.redeploy();
          break;
        case 'restart':
          latchedUntil = -Infinity;
          await p.restart();
          break;
        case 'recover': {
          clearAll();
          await clock.runFor(RECOVERY_MS);
          const b = p.last;
          if (!b || b.mode !== 'normal' || b.packs.online !== p.addresses.length) {
            fail(
              `not recovered ${RECOVERY_MS / 1000} s after all faults cleared: mode ${b?.mode}, online ${b?.packs.online}/${p.addresses.length}`,
            );
          } else recoveries++;
          break;
        }
      }
      await clock.runFor(rng.int(1_000, o.maxGapMs ?? 120_000));
      while (o.onHour && clock.now() - start >= (hour + 1) * 3_600_000) o.onHour(++hour, p);
    }
    // Every run ends with a clean recovery, so the last state is always checked too.
    if (!(o.stopAtFirst && violations.length)) {
      clearAll();
      await clock.runFor(RECOVERY_MS);
      const b = p.last;
      if (!b || b.mode !== 'normal' || b.packs.online !== p.addresses.length) {
        fail(`not recovered at the end: mode ${b?.mode}, online ${b?.packs.online}/${p.addresses.length}`);
      } else recoveries++;
    }
  } catch (e) {
    fail(`crash: ${e instanceof Error ? e.stack : String(e)}`);
  } finally {
    await p.stop();
    await clock.runFor(1_000);
    process.removeListener('unhandledRejection', onUnhandled);
  }
  return {
    seed: o.seed,
    violations,
    ops,
    recoveries,
    simulatedMs: clock.now() - start,
    counters: { ...p.counters },
    history,
    opCounts,
  };
}
