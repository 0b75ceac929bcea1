/**
 * The polled BMS protocols the bus benchmarks and the fault suite drive: simulator, usual baud rate
 * and the node's own pure reader (one poll of one pack → PackState), so the bus sees exactly the
 * transactions the node makes.
 */
import type { PackState } from '../../src/core/pack-state';
import { readPack as readJk } from '../../src/nodes/jk-bms/reader';
import { createJkPbSimulator } from '../../src/nodes/jk-bms/simulator';
import { readPack as readSeplos } from '../../src/nodes/seplos/reader';
import { createSeplosV2Simulator } from '../../src/nodes/seplos/simulator';
import type { SerialBusApi } from '../../src/transport/bus-api';
import type { SimulatorFactory } from '../../src/transport/simulator-api';

export interface PolledProtocol {
  protocol: 'jk-pb' | 'seplos-v2';
  baudRate: number;
  factory: SimulatorFactory;
  readPack(bus: SerialBusApi, address: number, now: () => number): Promise<PackState>;
}

export const SEPLOS_V2: PolledProtocol = {
  protocol: 'seplos-v2',
  baudRate: 19200,
  factory: createSeplosV2Simulator,
  readPack: (bus, address, now) => readSeplos(bus, 'v2', address, `P${address}`, now, {}),
};

/** JK PB bank with the node's default read method (FC 0x03 of the live block). */
export const JK_PB: PolledProtocol = {
  protocol: 'jk-pb',
  baudRate: 115200,
  factory: createJkPbSimulator,
  readPack: (bus, address, now) =>
    readJk(bus, { protocol: 'pb', method: 'fc03', invertCurrent: false }, address, `P${address}`, now),
};

export const POLLED: PolledProtocol[] = [JK_PB, SEPLOS_V2];
