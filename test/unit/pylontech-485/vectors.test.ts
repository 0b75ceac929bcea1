/**
 * Acceptance 4: every captured Pylontech RS485 answer in test/fixtures/vectors/pylontech-485.json
 * decodes (with the decoders the simulated inverter uses) to its expected values, and re-encoding the
 * decoded values reproduces the captured bytes exactly. The vendor example with a wrong CHKSUM and
 * the RTN 0x04 answer are rejected with a reason. Every captured request parses as a request.
 */
import { strict as assert } from 'node:assert';
import * as frames from '../../../src/nodes/pylontech-485/protocol-pylontech-485';
import * as pack from '../../../src/nodes/pylontech-485/protocol-pylontech-485-pack';
import * as system from '../../../src/nodes/pylontech-485/protocol-pylontech-485-system';
import type { Result } from '../../../src/core/result';
import { loadVectors } from '../../helpers/fixtures';

interface Vector {
  id: string;
  source: string;
  command: string;
  request: string;
  raw: string;
  note: string;
  expected: Record<string, unknown>;
}

type Expected = Record<string, unknown>;

const VECTORS = loadVectors<Vector>('pylontech-485');

const close = (actual: number, expected: unknown, what: string, tolerance = 1e-9): void => {
  assert.ok(Math.abs(actual - (expected as number)) <= tolerance, `${what}: ${actual} vs ${String(expected)}`);
};
const hexNumber = (text: unknown): number => parseInt(String(text), 16);

function value<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(result.reason);
  return result.value;
}

function checkAnalogBlock(block: pack.AnalogBlock, e: Expected): void {
  assert.deepEqual(block.cellsMv, e.cell_voltages_mV);
  assert.deepEqual(
    block.temperaturesC.map((c) => Math.round(c * 10) / 10),
    e.temperatures_C,
  );
  close(block.current, e.current_A, 'current');
  close(block.voltage, e.voltage_V, 'voltage');
  close(block.remainingAh, e.remaining_Ah, 'remaining Ah');
  close(block.totalAh, e.total_Ah, 'total Ah');
  assert.equal(block.cycles, e.cycles);
  assert.equal(block.userItems, e.user_defined_count);
  close((block.remainingAh / block.totalAh) * 100, e.soc_pct, 'soc', 0.01);
}

function checkAnalog(info: Buffer, e: Expected): Buffer {
  const answer = value(pack.decodeAnalog(info));
  assert.equal(answer.dataFlag, e.data_flag);
  if (Array.isArray(e.packs)) {
    assert.equal(answer.commandValue, e.pack_count);
    assert.equal(answer.packs.length, e.pack_count);
    answer.packs.forEach((block, i) => checkAnalogBlock(block, (e.packs as Expected[])[i]));
  } else {
    assert.equal(answer.commandValue, e.command_value);
    assert.equal(answer.packs.length, 1);
    checkAnalogBlock(answer.packs[0], e);
  }
  return pack.encodeAnalog(answer);
}

function checkAlarms(info: Buffer, e: Expected): Buffer {
  const answer = value(pack.decodeAlarms(info));
  const [block] = answer.packs;
  assert.equal(answer.packs.length, 1);
  assert.equal(answer.dataFlag, e.data_flag);
  assert.equal(answer.commandValue, e.command_value);
  assert.deepEqual(block.cellStates, e.cell_states);
  assert.deepEqual(block.temperatureStates, e.temperature_states);
  assert.equal(block.chargeCurrentState, e.charge_current_state);
  assert.equal(block.moduleVoltageState, e.module_voltage_state);
  assert.equal(block.dischargeCurrentState, e.discharge_current_state);
  assert.deepEqual(block.status, e.status_bytes);
  const status3 = e.status3 as Expected;
  assert.equal((block.status[2] & pack.STATUS3.effectiveCharge) !== 0, status3.effective_charge_current);
  const status2 = e.status2 as Expected;
  assert.equal((block.status[1] & pack.STATUS2.chargeMosfet) !== 0, status2.charge_mosfet_on);
  assert.deepEqual(answer.trailing, e.trailing_hex === undefined ? [] : [hexNumber(e.trailing_hex)]);
  return pack.encodeAlarms(answer);
}

function checkManagement(info: Buffer, e: Expected, withCommandValue: boolean): Buffer {
  const m = value(pack.decodeManagement(info, withCommandValue));
  if (withCommandValue) assert.equal(m.commandValue, e.command_value);
  close(m.cvl, e.charge_voltage_limit_V, 'cvl');
  close(m.dvl, e.discharge_voltage_limit_V, 'dvl');
  close(m.ccl, e.charge_current_limit_A, 'ccl');
  close(m.dcl, e.discharge_current_limit_A, 'dcl');
  assert.equal(m.status, e.status_byte);
  assert.equal(m.chargeEnable, e.charge_enable);
  assert.equal(m.dischargeEnable, e.discharge_enable);
  assert.equal(m.chargeImmediately1, e.charge_immediately_1);
  assert.equal(m.chargeImmediately2, e.charge_immediately_2);
  assert.equal(m.fullChargeRequest, e.full_charge_request);
  return pack.encodeManagement(m, m.commandValue);
}

function checkSystemParameters(info: Buffer, e: Expected): Buffer {
  const p = value(pack.decodeSystemParameters(info));
  assert.equal(p.dataFlag, e.data_flag);
  close(p.cellHighVoltage, e.cell_high_voltage_limit_V, 'cell high');
  close(p.cellLowVoltage, e.cell_low_voltage_limit_V, 'cell low');
  close(p.cellUnderVoltage, e.cell_under_voltage_limit_V, 'cell under');
  close(p.chargeHighTemperature, e.charge_high_temperature_limit_C, 'charge high T');
  close(p.chargeLowTemperature, e.charge_low_temperature_limit_C, 'charge low T');
  close(p.chargeCurrentLimit, e.charge_current_limit_A, 'charge current');
  close(p.moduleHighVoltage, e.module_high_voltage_limit_V, 'module high');
  close(p.moduleLowVoltage, e.module_low_voltage_limit_V, 'module low');
  close(p.moduleUnderVoltage, e.module_under_voltage_limit_V, 'module under');
  close(p.dischargeHighTemperature, e.discharge_high_temperature_limit_C, 'discharge high T');
  close(p.dischargeLowTemperature, e.discharge_low_temperature_limit_C, 'discharge low T');
  close(p.dischargeCurrentLimit, e.discharge_current_limit_A, 'discharge current');
  return pack.encodeSystemParameters(p);
}

function checkSystemAnalog(info: Buffer, e: Expected): Buffer {
  const s = value(system.decodeSystemAnalog(info));
  close(s.voltage, e.average_module_voltage_V, 'voltage');
  close(s.current, e.total_current_A, 'current');
  assert.equal(s.soc, e.soc_pct);
  assert.equal(s.averageCycles, e.average_cycles);
  assert.equal(s.maxCycles, e.max_cycles);
  assert.equal(s.averageSoh, e.average_soh_pct);
  assert.equal(s.minSoh, e.min_soh_pct);
  assert.equal(s.maxCellMv, e.max_cell_mV);
  assert.equal(s.maxCellId, hexNumber(e.max_cell_id_hex));
  assert.equal(s.minCellMv, e.min_cell_mV);
  assert.equal(s.minCellId, hexNumber(e.min_cell_id_hex));
  for (const [key, summary] of [
    ['cell', s.cellTemperature],
    ['mosfet', s.mosfetTemperature],
    ['bms', s.bmsTemperature],
  ] as const) {
    close(summary.avg, e[`${key}_temperature_avg_C`], `${key} avg`, 1e-6);
    close(summary.max, e[`${key}_temperature_max_C`], `${key} max`, 1e-6);
    close(summary.min, e[`${key}_temperature_min_C`], `${key} min`, 1e-6);
    assert.equal(summary.maxId, hexNumber(e[`${key}_temperature_max_id_hex`]));
    assert.equal(summary.minId, hexNumber(e[`${key}_temperature_min_id_hex`]));
  }
  return system.encodeSystemAnalog(s);
}

function checkIdentity(cid2: number, info: Buffer, e: Expected): Buffer {
  if (cid2 === frames.COMMAND.manufacturer) {
    const m = value(pack.decodeManufacturer(info));
    assert.equal(m.deviceName, e.device_name);
    assert.deepEqual(m.softwareVersion, e.software_version_bytes);
    assert.equal(m.manufacturer, e.manufacturer);
    return pack.encodeManufacturer(m);
  }
  if (cid2 === frames.COMMAND.serialNumber) {
    const s = value(pack.decodeSerialNumber(info));
    assert.equal(s.commandValue, e.command_value);
    assert.equal(s.serial, e.serial_number);
    return pack.encodeSerialNumber(s.commandValue, s.serial);
  }
  const f = value(pack.decodeFirmware(info));
  assert.equal(f.commandValue, e.command_value);
  assert.deepEqual(f.manufactureVersion, e.manufacture_version);
  assert.deepEqual(f.mainLineVersion, e.main_line_version);
  return pack.encodeFirmware(f);
}

/** Decodes the INFO as the command's answer, checks it against `expected`, returns the INFO re-encoded. */
function decodeAndReencode(cid2: number, info: Buffer, e: Expected): Buffer {
  switch (cid2) {
    case frames.COMMAND.protocolVersion:
      assert.equal(info.length, 0);
      return Buffer.alloc(0);
    case frames.COMMAND.analog:
      return checkAnalog(info, e);
    case frames.COMMAND.alarms:
      return checkAlarms(info, e);
    case frames.COMMAND.systemParameters:
      return checkSystemParameters(info, e);
    case frames.COMMAND.management:
      return checkManagement(info, e, true);
    case frames.COMMAND.systemManagement:
      return checkManagement(info, e, false);
    case frames.COMMAND.systemAnalog:
      return checkSystemAnalog(info, e);
    default:
      return checkIdentity(cid2, info, e);
  }
}

describe('pylontech-485 captured vectors', () => {
  it('holds the 20 documented entries', () => {
    assert.equal(VECTORS.length, 20);
  });

  for (const vector of VECTORS) {
    it(`${vector.id}: ${vector.note.slice(0, 70)}`, () => {
      const request = value(frames.parseRequest(vector.request));
      const cid2 = hexNumber(vector.command);
      assert.equal(request.cid2, vector.id.includes('rtn04') ? frames.COMMAND.systemParameters : cid2);
      const parsed = frames.parseAnswer(vector.raw);
      if (vector.id.includes('badchecksum')) {
        assert.ok(!parsed.ok && /CHKSUM mismatch \(got E1A2, expected E27A\)/.test(parsed.reason));
        return;
      }
      if (vector.id.includes('rtn04')) {
        assert.ok(!parsed.ok && /RTN 0x04 \(CID2 invalid\)/.test(parsed.reason));
        assert.equal(frames.encodeAnswer(2, frames.RTN.commandInvalid), vector.raw);
        return;
      }
      const frame = value(parsed);
      assert.equal(frame.ver, frames.PYLON_VERSION);
      assert.equal(frame.adr, vector.expected.adr);
      assert.equal(frame.info.length, vector.expected.info_bytes);
      const reencoded = decodeAndReencode(cid2, frame.info, vector.expected);
      assert.equal(frames.encodeAnswer(frame.adr, frames.RTN.normal, reencoded), vector.raw);
    });
  }

  it('builds the documented clean requests for ADR 2', () => {
    const expected: [number, string, number?][] = [
      [frames.COMMAND.protocolVersion, '~2002464F0000FD98\r'],
      [frames.COMMAND.manufacturer, '~200246510000FDAC\r'],
      [frames.COMMAND.analog, '~20024642E00202FD33\r'],
      [frames.COMMAND.analog, '~20024642E002FFFD09\r', frames.GROUP_COMMAND],
      [frames.COMMAND.alarms, '~20024644E00202FD31\r'],
      [frames.COMMAND.systemParameters, '~200246470000FDA7\r'],
      [frames.COMMAND.management, '~20024692E00202FD2E\r'],
      [frames.COMMAND.serialNumber, '~20024693E00202FD2D\r'],
      [frames.COMMAND.firmware, '~20024696E00202FD2A\r'],
      [frames.COMMAND.systemAnalog, '~200246610000FDAB\r'],
      [frames.COMMAND.systemAlarms, '~200246620000FDAA\r'],
      [frames.COMMAND.systemManagement, '~200246630000FDA9\r'],
    ];
    for (const [cid2, text, commandValue] of expected) {
      assert.equal(frames.buildRequest(2, cid2, commandValue).toString('latin1'), text);
    }
  });
});
