/**
 * `npm run soak -- --seed N [--runs K] [--hours H] [--packs P] [--protocol seplos-v2|jk-pb]`: the long
 * fault-injection run. Runs seeds N … N+K-1 (default: one random seed), each H simulated hours
 * (default 24) with P packs (default 16) and a fault every 1 s–5 min, stops a run at its first violation and prints the seed with
 * the operations that led there and the command that replays it. Exit code 1 if any run failed.
 */
import { POLLED } from '../test/helpers/bms-protocols';
import { soak } from './soak';

function num(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} needs a non-negative integer`);
  return n;
}

async function main(): Promise<void> {
  const first = num('--seed', Math.floor(Math.random() * 2 ** 31));
  const runs = num('--runs', 1);
  const hours = num('--hours', 24);
  const packs = num('--packs', 16);
  const i = process.argv.indexOf('--protocol');
  const name = i >= 0 ? process.argv[i + 1] : 'seplos-v2';
  const bms = POLLED.find((p) => p.protocol === name);
  if (!bms) throw new Error(`--protocol must be one of ${POLLED.map((p) => p.protocol).join(', ')}`);
  const failed: number[] = [];
  for (let seed = first; seed < first + runs; seed++) {
    console.log(`soak: seed ${seed}, ${hours} h simulated, ${packs} ${bms.protocol} packs`);
    const s = await soak({
      seed,
      hours,
      packs,
      bms,
      maxGapMs: 5 * 60_000,
      stopAtFirst: true,
      progress: (line) => console.log(`  seed ${seed} ${line}`),
    });
    const r = s.run;
    if (r.violations.length) {
      failed.push(seed);
      console.log(`FAILED seed ${seed} at ${r.violations[0]}`);
      console.log(r.violations.map((v) => `  ${v}`).join('\n'));
      console.log('  last operations:');
      console.log(r.history.map((h) => `    ${h}`).join('\n'));
      console.log(
        `  replay: npm run soak -- --seed ${seed} --hours ${hours} --packs ${packs} --protocol ${bms.protocol}`,
      );
    } else {
      console.log(
        `passed seed ${seed}: ${r.ops} faults, ${r.recoveries} recoveries, heap ${s.start.heapMB.toFixed(1)} → ` +
          `${s.end.heapMB.toFixed(1)} MB, fds ${s.start.fds} → ${s.end.fds}, event-loop p99 ${s.eventLoopP99Ms.toFixed(1)} ms, ${s.realSec.toFixed(0)} s`,
      );
    }
  }
  if (failed.length) {
    console.log(`soak: ${failed.length} of ${runs} failed; seeds: ${failed.join(' ')}`);
    process.exitCode = 1;
  } else console.log(`soak: all ${runs} passed`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
