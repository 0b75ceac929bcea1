/**
 * Seplos settings over a pty pair at 19200 in the real Node-RED runtime: V2 (0x47) and V3 (SPA +
 * SFA) read at start, one `settings` message per pack on output 2, every field equal to the
 * simulator's own value (named here independently of the node's mapping), then in `extra.settings`.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import busNode = require('../../src/nodes/bms-serial-bus/bms-serial-bus');
import seplosNode = require('../../src/nodes/seplos/seplos-bms');
import type { PackSettings } from '../../src/core/pack-settings';
import type { PackState } from '../../src/core/pack-state';
import {
  createSeplosV2Simulator,
  createSeplosV3Simulator,
  readModel,
  simulatedSettings,
} from '../../src/nodes/seplos/simulator';
import { v2SimParameters } from '../../src/nodes/seplos/simulator-settings';
import type { DeviceSimulator } from '../../src/transport/simulator-api';
import { getNode, type TestNode } from '../helpers/node-red';
import { withPtySimulator } from '../helpers/pty-simulator';
import { until } from '../helpers/runtime';

helper.init(require.resolve('node-red'));

const BAUD = 19200;
type Event = { topic: string; payload: { kind: string; address: number; settings?: PackSettings } };

function flow(path: string, node: Record<string, unknown>) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'bus', type: 'bms-serial-bus', portType: 'serial', path, baudRate: BAUD, timeoutMs: 500 },
    { id: 's', z: 'tab', type: 'seplos-bms', bus: 'bus', interval: 1, wires: [['out'], ['events']], ...node },
    { id: 'events', z: 'tab', type: 'helper' },
    { id: 'out', z: 'tab', type: 'helper' },
  ];
}

/** What the simulated V2 pack holds, by 0x47 name → the settings it must become. */
function v2Expected(): Record<string, number> {
  const p = v2SimParameters(16);
  return {
    cellCount: p.cellsInSeries,
    capacityAh: p.ratedCapacityAh,
    cellOvpV: p.cellOverVoltageProtectionV,
    cellOvprV: p.cellOverVoltageRecoveryV,
    cellUvpV: p.cellUnderVoltageProtectionV,
    cellUvprV: p.cellUnderVoltageRecoveryV,
    balanceTriggerV: p.balancingStartDifferenceMv / 1000,
    balanceStartV: p.balancingStartVoltageV,
    maxChargeA: p.chargeOverCurrentProtectionA,
    chargeDelayS: p.chargeOverCurrentDelayS,
    maxDischargeA: -p.dischargeOverCurrentProtectionA,
    dischargeDelayS: p.dischargeOverCurrentDelayS,
    chargeOtpC: p.chargeOverTempProtectionC,
    chargeOtprC: p.chargeOverTempRecoveryC,
    chargeUtpC: p.chargeUnderTempProtectionC,
    chargeUtprC: p.chargeUnderTempRecoveryC,
    dischargeOtpC: p.dischargeOverTempProtectionC,
    dischargeOtprC: p.dischargeOverTempRecoveryC,
    dischargeUtpC: p.dischargeUnderTempProtectionC,
    dischargeUtprC: p.dischargeUnderTempRecoveryC,
    mosOtpC: p.powerOverTempProtectionC,
    mosOtprC: p.powerOverTempRecoveryC,
  };
}

/** What the simulated V3 pack's SPA holds → the settings it must become. */
function v3Expected(sim: DeviceSimulator, address: number): Record<string, number> {
  const spa = simulatedSettings(readModel(sim.packs.get(address)!.model, Date.now()));
  return {
    cellCount: spa.cellsInSeries,
    capacityAh: spa.ratedCapacityAh,
    cellOvpV: spa.cellOverVoltageProtectionV,
    cellOvprV: spa.cellOverVoltageRecoveryV,
    cellUvpV: spa.cellUnderVoltageProtectionV,
    cellUvprV: spa.cellUnderVoltageRecoveryV,
    balanceTriggerV: spa.balancingStartDifferenceV,
    balanceStartV: spa.balancingStartVoltageV,
    maxChargeA: spa.chargeOverCurrentProtectionA,
    chargeDelayS: spa.chargeOverCurrentDelayS,
    maxDischargeA: -spa.dischargeOverCurrentProtectionA,
    dischargeDelayS: spa.dischargeOverCurrentDelayS,
    chargeOtpC: spa.chargeOverTemperatureProtectionC,
    chargeOtprC: spa.chargeOverTemperatureRecoveryC,
    chargeUtpC: spa.chargeUnderTemperatureProtectionC,
    chargeUtprC: spa.chargeUnderTemperatureRecoveryC,
    dischargeOtpC: spa.dischargeOverTemperatureProtectionC,
    dischargeOtprC: spa.dischargeOverTemperatureRecoveryC,
    dischargeUtpC: spa.dischargeUnderTemperatureProtectionC,
    dischargeUtprC: spa.dischargeUnderTemperatureRecoveryC,
    mosOtpC: spa.powerOverTemperatureProtectionC,
    mosOtprC: spa.powerOverTemperatureRecoveryC,
  };
}

/** Registers with a 1 A or 0.1 unit decode with float noise: equal to the register's resolution. */
function assertSettings(read: PackSettings, expected: Record<string, number>, what: string): void {
  for (const [name, value] of Object.entries(expected)) {
    const got = read[name as keyof PackSettings];
    assert.equal(typeof got, 'number', `${what} ${name} present`);
    assert.ok(Math.abs((got as number) - value) < 1e-6, `${what} ${name}: ${String(got)} vs ${value}`);
  }
}

describe('Seplos settings over a pty pair at 19200 baud', function () {
  this.timeout(30000);
  const rig = withPtySimulator();

  const cases = [
    { generation: 'v2', factory: createSeplosV2Simulator },
    { generation: 'v3', factory: createSeplosV3Simulator },
  ];
  for (const { generation, factory } of cases) {
    it(`${generation}: one settings message per pack at start, every field equal to the simulator's, then in extra.settings`, async () => {
      const device = await rig.startDevice({ baudRate: BAUD, factory, options: { addresses: [1, 2], cells: 16 } });
      await helper.load([busNode, seplosNode], flow(rig.pty.a, { generation, addresses: '1,2', name: 'p' }));
      const events: Event[] = [];
      const packs: Array<{ payload: PackState }> = [];
      getNode<TestNode<Event>>('events').on('input', (m) => events.push(m));
      getNode<TestNode<{ payload: PackState }>>('out').on('input', (m) => packs.push(m));
      const settingsOf = (a: number) => events.filter((e) => e.payload.kind === 'settings' && e.payload.address === a);
      await until(() => settingsOf(1).length === 1 && settingsOf(2).length === 1, 15000, 'settings of both packs');
      for (const address of [1, 2]) {
        const read = settingsOf(address)[0].payload.settings!;
        assert.equal(read.protocol, `seplos-${generation}`);
        const expected = generation === 'v2' ? v2Expected() : v3Expected(device.simulator, address);
        assertSettings(read, expected, `${generation} pack ${address}`);
        assert.equal(read.switches.cellOverVoltageProtection, true);
      }
      const before = packs.length;
      await until(() => packs.length >= before + 2, 5000, 'a cycle after the settings');
      for (const m of packs.slice(before)) assert.ok(m.payload.extra?.settings, 'extra.settings');
      assert.equal(events.filter((e) => e.payload.kind === 'communication').length, 0, 'no pack missed a poll');
    });
  }
});
