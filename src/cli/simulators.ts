/** Every device simulator `cellsafe simulate` can run, by protocol name. */
import { JK_SIMULATORS } from '../nodes/jk-bms/simulator';
import { PYLON_INVERTER_SIMULATORS } from '../nodes/pylontech-485/inverter-simulator';
import { SEPLOS_SIMULATORS } from '../nodes/seplos/simulator';
import { SMARTBMS_SIMULATORS } from '../nodes/smartbms/simulator';
import { createEchoSimulator } from '../transport/echo-simulator';
import type { SimulatorFactory } from '../transport/simulator-api';

export const SIMULATORS: Record<string, SimulatorFactory> = {
  echo: createEchoSimulator,
  ...SEPLOS_SIMULATORS,
  ...SMARTBMS_SIMULATORS,
  ...JK_SIMULATORS,
  ...PYLON_INVERTER_SIMULATORS,
};
