/**
 * Registry of device simulators by protocol name: the bms-serial-bus "simulator" port option and
 * `cellsafe simulate` look protocols up here. Each protocol adds its factory on one line.
 */
import { createEchoSimulator } from './echo-simulator';
import type { SimulatorFactory } from './simulator-api';

export const SIMULATORS: Record<string, SimulatorFactory> = {
  echo: createEchoSimulator,
};

export function simulatorProtocols(): string[] {
  return Object.keys(SIMULATORS);
}
