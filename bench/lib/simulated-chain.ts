import type { PackState } from '../../src/core/pack-state';
import { PROTOCOLS } from '../../src/nodes/inverter-can/protocols';
import { JK_PB } from '../../test/helpers/bms-protocols';
import { Pipeline } from '../../test/helpers/pipeline';
import type { StepClock } from '../../test/helpers/step-clock';
import { PACKS, RULES_OVERRIDES } from './runtime-chain';

/** The latency benches' chain without Node-RED: JK PB packs on the wire, Pylontech CAN out, simulated time. */
export function simulatedChain(
  clock: StepClock,
  pollIntervalMs: number,
  nearLimit?: (pack: PackState) => boolean,
): Pipeline {
  return new Pipeline({
    bms: JK_PB,
    inverter: PROTOCOLS.pylontech,
    packs: PACKS,
    clock,
    wireTime: true,
    pollIntervalMs,
    rules: RULES_OVERRIDES,
    nearLimit,
  });
}
