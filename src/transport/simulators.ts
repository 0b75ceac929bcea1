/**
 * Registry of device simulators by protocol name: the bms-serial-bus "simulator" port option and
 * `cellsafe simulate` look protocols up here. Each protocol adds its factory on one line.
 */
import { createEchoSimulator } from './echo-simulator';
import { createSmartBmsSimulator } from '../nodes/smartbms/simulator';
import type { SimulatorFactory } from './simulator-api';
import { createSeplosV2Simulator, createSeplosV3Simulator } from '../nodes/seplos/simulator';
import { createJkNwSimulator, createJkPbSimulator } from '../nodes/jk-bms/simulator';

export const SIMULATORS: Record<string, SimulatorFactory> = {
  echo: createEchoSimulator,
  'seplos-v2': createSeplosV2Simulator,
  'seplos-v3': createSeplosV3Simulator,
  smartbms: createSmartBmsSimulator,
  'jk-nw': createJkNwSimulator,
  'jk-pb': createJkPbSimulator,
};

export function simulatorProtocols(): string[] {
  return Object.keys(SIMULATORS);
}
