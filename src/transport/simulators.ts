/**
 * Device simulators by protocol name, for the bms-serial-bus "simulator" port option. Transport knows
 * no BMS protocol: each BMS node module registers its simulators when Node-RED loads it (before any
 * flow starts); the echo device is built in. `cellsafe simulate` has its own list (src/cli/simulators.ts).
 */
import { createEchoSimulator } from './echo-simulator';
import type { SimulatorFactory } from './simulator-api';

const factories = new Map<string, SimulatorFactory>([['echo', createEchoSimulator]]);

export function registerSimulators(simulators: Record<string, SimulatorFactory>): void {
  for (const [protocol, factory] of Object.entries(simulators)) factories.set(protocol, factory);
}

export function simulatorFactory(protocol: string): SimulatorFactory | undefined {
  return factories.get(protocol);
}

export function simulatorProtocols(): string[] {
  return [...factories.keys()];
}
