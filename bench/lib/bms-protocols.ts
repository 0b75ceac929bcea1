/**
 * The polled BMS protocols the bus benchmarks and the fault suite drive: simulator, usual baud rate
 * and the node's own pure reader (one poll of one pack → PackState), so the bus sees exactly the
 * transactions the node makes.
 */
import type { PackState } from '../../src/core/pack-state';
import { readPack as readSeplos } from '../../src/nodes/seplos/seplos-reader';
import { createSeplosV2Simulator } from '../../src/nodes/seplos/simulator';
import type { SerialBusApi } from '../../src/transport/bus-api';
import type { SimulatorFactory } from '../../src/transport/simulator-api';

export interface PolledProtocol {
  protocol: 'jk-pb' | 'seplos-v2';
  baudRate: number;
  factory: SimulatorFactory;
  readPack(bus: Pick<SerialBusApi, 'transact'>, address: number, now: () => number): Promise<PackState>;
}

export const SEPLOS_V2: PolledProtocol = {
  protocol: 'seplos-v2',
  baudRate: 19200,
  factory: createSeplosV2Simulator,
  readPack: (bus, address, now) => readSeplos(bus, 'v2', address, `P${address}`, now, {}),
};

export const POLLED: PolledProtocol[] = [SEPLOS_V2];
