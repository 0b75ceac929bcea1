import type { StepClock } from '../../test/helpers/step-clock';

/** Advances simulated time in 10 ms steps until `test` holds or `ms` have passed; returns `test()`. */
export async function stepUntil(clock: StepClock, test: () => boolean, ms: number): Promise<boolean> {
  const end = clock.now() + ms;
  while (!test() && clock.now() < end) await clock.runFor(10);
  return test();
}
