/**
 * The settings a simulated JK pack holds: named values (core/pack-settings.ts) per simulated pack,
 * served in the NW read-all answer and the PB settings block, and changed by NW item writes and PB
 * FC 0x10 writes that pass the same range check the node applies (out of range: PB answers Modbus
 * exception 3, as a real PB does; NW stays silent).
 */
import type { PackSettingValues } from '../../core/pack-settings';
import { checkRequestedFields } from '../../core/settings-limits';
import { exceptionAnswer, writeAnswer, type ModbusRequest } from '../../transport/modbus-rtu';
import type { SimulatedPack } from '../../transport/simulator-api';
import { BlockView, SETTINGS_FIELDS, fieldValue } from './jk-blocks';
import { JK_LIMITS, JK_NW_LIMITS, nwSettingNameOf, pbSettingNameOf, toProtocolKeys } from './jk-settings';
import { NUMERIC, NW_ITEM_LENGTHS, encodeNwWriteAnswer } from './protocol-jk-nw';
import { PB_BLOCKS } from './protocol-jk-pb';

/** Factory settings of a simulated LiFePO4 pack (cell count and capacity come from its model). */
export const SIM_SETTINGS: Readonly<PackSettingValues> = {
  cellOvpV: 3.65,
  cellOvprV: 3.6,
  cellUvpV: 2.5,
  cellUvprV: 2.65,
  balanceTriggerV: 0.01,
  balanceStartV: 3.4,
  maxBalanceA: 2,
  maxChargeA: 100,
  chargeDelayS: 30,
  maxDischargeA: 150,
  dischargeDelayS: 30,
  chargeOtpC: 60,
  chargeOtprC: 50,
  chargeUtpC: -20,
  chargeUtprC: -10,
  dischargeOtpC: 70,
  dischargeOtprC: 60,
  dischargeUtpC: -20,
  dischargeUtprC: -10,
  mosOtpC: 80,
  mosOtprC: 70,
};

const stores = new WeakMap<SimulatedPack, PackSettingValues>();

/** The pack's current settings (created from SIM_SETTINGS and its model on first use). */
export function simulatedJkSettings(pack: SimulatedPack): PackSettingValues {
  let settings = stores.get(pack);
  if (!settings) {
    settings = { ...SIM_SETTINGS, cellCount: pack.model.cells.length, capacityAh: pack.model.capacityAh };
    stores.set(pack, settings);
  }
  return settings;
}

/** What the simulated BMS protects at: cell OVP, cell UVP and the charge over-temperature. */
export interface ProtectionLimits {
  cellOvpV: number;
  cellUvpV: number;
  overTemperatureC: number;
}

export function protectionLimits(pack: SimulatedPack): ProtectionLimits {
  const s = simulatedJkSettings(pack);
  return {
    cellOvpV: s.cellOvpV ?? SIM_SETTINGS.cellOvpV!,
    cellUvpV: s.cellUvpV ?? SIM_SETTINGS.cellUvpV!,
    overTemperatureC: s.chargeOtpC ?? SIM_SETTINGS.chargeOtpC!,
  };
}

/** The pack's settings by the protocol's keys, for the NW or PB encoders. */
export function simulatedSettingValues(pack: SimulatedPack, protocol: 'nw' | 'pb'): Record<string, number> {
  return toProtocolKeys(simulatedJkSettings(pack), protocol);
}

/**
 * An FC 0x10 write of one named setting in the PB settings block: the ACK, exception 3 when the
 * value is out of range, or undefined when the register is not a named setting (switches and
 * triggers are answered elsewhere).
 */
export function pbSettingWrite(pack: SimulatedPack, req: ModbusRequest): Buffer | undefined {
  const offset = req.start - PB_BLOCKS.settings;
  const spec = SETTINGS_FIELDS.find((f) => f.off === offset && !f.bool && (f.type === 'u32' || f.type === 'i32'));
  const name = spec && pbSettingNameOf(spec.key);
  if (!spec || !name || !req.data) return undefined;
  if (req.quantity !== 2) return exceptionAnswer(req.address, 0x10, 3);
  const raw = spec.type === 'i32' ? req.data.readInt32BE(0) : req.data.readUInt32BE(0);
  const checked = checkRequestedFields({ [name]: fieldValue(spec, raw) }, JK_LIMITS);
  if (!checked.ok) return exceptionAnswer(req.address, 0x10, 3);
  Object.assign(simulatedJkSettings(pack), checked.value);
  return writeAnswer(req.address, req.start, req.quantity);
}

/**
 * An NW write frame of one named setting: the confirming answer, or undefined (no answer) when the
 * item is not a named setting, its length is wrong or the value is out of range.
 */
export function nwSettingWrite(pack: SimulatedPack, frame: Buffer): Buffer | undefined {
  const id = frame[11];
  const spec = NUMERIC[id];
  const name = spec && nwSettingNameOf(spec.key);
  const value = frame.subarray(12, frame.length - 9);
  if (!spec || !name || value.length !== NW_ITEM_LENGTHS[id]) return undefined;
  const raw = new BlockView(value, 0, false).read(0, spec.type)!;
  const checked = checkRequestedFields({ [name]: fieldValue(spec, raw) }, JK_NW_LIMITS);
  if (!checked.ok) return undefined;
  Object.assign(simulatedJkSettings(pack), checked.value);
  return encodeNwWriteAnswer(id, value);
}
