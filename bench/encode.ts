/**
 * 1b. Encode throughput per inverter protocol: BankState → the CAN frame set of one transmit cycle,
 * on one core. Reported as frames/s and as cycles/s (one cycle = every frame the inverter needs).
 */
import { performance } from 'node:perf_hooks';
import { PROTOCOLS } from '../src/nodes/inverter-can/protocols';
import { sampleBank } from './lib/bank';
import type { SectionResult } from './lib/section';
import { sig } from './lib/stats';

const RUNS = 5;

export async function runEncode(quick = false): Promise<SectionResult> {
  const figures: SectionResult['figures'] = [];
  const detail: Record<string, unknown> = {};
  const banks = Array.from({ length: 64 }, (_, k) => sampleBank(k));
  for (const protocol of Object.values(PROTOCOLS)) {
    for (let i = 0; i < 2000; i++) protocol.encode(banks[i % banks.length]);
    const runs = Array.from({ length: RUNS }, () => {
      let cycles = 0,
        frames = 0;
      const start = performance.now();
      let end = start;
      while (end - start < (quick ? 100 : 400)) {
        for (let i = 0; i < 200; i++) frames += protocol.encode(banks[(cycles + i) % banks.length]).length;
        cycles += 200;
        end = performance.now();
      }
      const s = (end - start) / 1000;
      return { fps: frames / s, cps: cycles / s, framesPerCycle: frames / cycles };
    }).sort((a, b) => a.fps - b.fps);
    const best = runs[RUNS - 1];
    detail[protocol.name] = { runs };
    figures.push({
      name: `${protocol.name} encode`,
      value: Math.round(best.fps),
      unit: 'frames/s',
      note: `${sig(best.cps, 3)} cycles/s of ${best.framesPerCycle} frames (default profile); median run ${Math.round(runs[2].fps).toLocaleString('en')} frames/s`,
    });
  }
  return {
    id: 'encode',
    title: 'Encode throughput per inverter protocol',
    method:
      'Each registered inverter protocol encodes 64 varied BankStates in a tight loop on one core (default profile); ' +
      'a cycle is the full frame set of one transmit period. Best of 5 timed runs (median in the note). The issue sets no ' +
      'target for encoding.',
    figures,
    detail,
  };
}
