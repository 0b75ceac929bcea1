/**
 * Acceptance 1: every vector in test/fixtures/vectors/seplos.json decodes to its expected values; error
 * answers and exceptions come out as rejections.
 */
import { strict as assert } from 'node:assert';
import { parseAnswer } from '../../../src/transport/modbus-rtu';
import * as v2 from '../../../src/nodes/seplos/protocol-seplos-v2';
import * as v2Payload from '../../../src/nodes/seplos/seplos-v2-payload';
import * as v2PackState from '../../../src/nodes/seplos/seplos-v2-pack-state';
import * as v3 from '../../../src/nodes/seplos/protocol-seplos-v3';
import { validatePackState } from '../../../src/core/pack-state';
import { SEPLOS_VECTORS } from '../../helpers/seplos-vectors';

const VECTORS = SEPLOS_VECTORS;

const hexNum = (s: unknown): number => parseInt(String(s), 16);
const near = (actual: number | undefined, expected: unknown, tol: number, what: string): void => {
  assert.equal(typeof actual, 'number', `${what} missing`);
  assert.ok(Math.abs((actual as number) - (expected as number)) <= tol, `${what}: ${actual} vs ${String(expected)}`);
};
const nearAll = (actual: number[], expected: unknown, tol: number, what: string): void => {
  const e = expected as number[];
  assert.equal(actual.length, e.length, `${what} length`);
  e.forEach((x, i) => near(actual[i], x, tol, `${what}[${i}]`));
};
const ctx = { id: 'seplos-0', address: 0, time: 1 };

function checkTelemetry(t: v2Payload.V2Telemetry, e: Record<string, unknown>): void {
  assert.equal(t.dataFlag, e.data_flag);
  assert.equal(t.commandGroup, e.command_group);
  assert.equal(t.cellsMv.length, e.cell_count);
  assert.deepEqual(t.cellsMv, e.cell_voltages_mV);
  assert.equal(t.temperaturesRaw.length, e.temperature_count);
  assert.deepEqual(t.temperaturesRaw, e.temperatures_raw_0p1K);
  nearAll(t.cellTemperatures, e.cell_temperatures_C, 0.1, 'cell temperatures');
  near(t.ambientTemperature, e.ambient_temperature_C, 0.1, 'ambient');
  near(t.powerTemperature, e.power_temperature_C, 0.1, 'power temperature');
  near(t.current, e.current_A, 1e-9, 'current');
  near(t.voltage, e.pack_voltage_V, 1e-9, 'voltage');
  near(t.remainingAh, e.residual_capacity_Ah, 1e-9, 'residual');
  assert.equal(t.customCount, e.custom_count);
  near(t.fullAh, e.full_capacity_Ah, 1e-9, 'full');
  near(t.soc, e.soc_pct, 1e-9, 'soc');
  near(t.designAh, e.rated_capacity_Ah, 1e-9, 'rated');
  assert.equal(t.cycles, e.cycles);
  near(t.soh, e.soh_pct, 1e-9, 'soh');
  near(t.portVoltage, e.port_voltage_V, 1e-9, 'port voltage');
  assert.deepEqual(t.reservedWordsHex, e.reserved_words_hex);
  assert.equal(Math.min(...t.cellsMv), e.min_cell_mV);
  assert.equal(Math.max(...t.cellsMv), e.max_cell_mV);
}

function checkAlarms(a: v2Payload.V2AlarmInfo, e: Record<string, unknown>): void {
  assert.equal(a.dataFlag, e.data_flag);
  assert.equal(a.commandGroup, e.command_group);
  assert.equal(a.cellLimitStates.length, e.cell_count);
  assert.deepEqual(a.cellLimitStates, e.cell_limit_states);
  assert.equal(a.temperatureLimitStates.length, e.temperature_count);
  assert.deepEqual(a.temperatureLimitStates, e.temperature_limit_states);
  assert.equal(a.currentLimitState, e.current_limit_state);
  assert.equal(a.packVoltageLimitState, e.pack_voltage_limit_state);
  assert.equal(a.customCount, e.custom_count);
  assert.deepEqual(a.events, e.alarm_event_1_to_6);
  assert.equal(a.switchState, e.switch_state);
  const s = v2PackState.decodeStatus(a.events, a.switchState, a.event7, a.event8);
  assert.equal(s.dischargeFetOn, e.discharge_fet_on);
  assert.equal(s.chargeFetOn, e.charge_fet_on);
  assert.equal((a.switchState & 4) !== 0, e.current_limiter_on);
  assert.equal((a.switchState & 8) !== 0, e.heater_on);
  assert.equal(a.balancingBitmap, e.balancing_bitmap);
  assert.equal(a.systemState, e.system_state);
  assert.equal(a.disconnectionBitmap, e.disconnection_bitmap);
  assert.equal(a.event7, e.alarm_event_7);
  assert.equal(a.event8, e.alarm_event_8);
  assert.deepEqual(a.trailingBytes, e.trailing_bytes);
}

describe('seplos vectors (test/fixtures/vectors/seplos.json)', () => {
  it('holds the 27 captured vectors', () => {
    assert.equal(VECTORS.length, 27);
    assert.equal(VECTORS.filter((v) => v.protocol === 'seplos-v2').length, 17);
  });

  const telemetryByChk = new Map<string, v2Payload.V2Telemetry>();

  for (const v of VECTORS.filter((x) => x.protocol === 'seplos-v2')) {
    const e = v.expected;
    it(`V2 ${v.direction} ${v.command} ${String(e.chksum)}: ${v.note.slice(0, 60)}`, () => {
      const parsed = v2.parseFrame(v.raw);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
      const f = parsed.value;
      assert.equal(f.ver, hexNum(e.ver));
      assert.equal(f.adr, e.adr);
      assert.equal(f.cid1, hexNum(e.cid1));
      assert.equal(f.lenid, e.lenid);
      assert.equal(e.lchksum_ok, true);
      assert.equal(f.chksum, e.chksum);
      // Encoding the decoded fields gives back the exact frame (builder and checksums agree).
      assert.equal(v2.encodeFrame(f.adr, f.code, f.info), v.raw);
      if (v.direction === 'request') {
        assert.equal(f.code, hexNum(e.cid2));
        assert.equal(f.info.toString('hex').toUpperCase(), e.info_hex);
        assert.equal(v2.buildRequest(f.adr, f.code).toString('latin1'), v.raw);
        return;
      }
      assert.equal(f.code, hexNum(e.rtn_or_cid2));
      assert.equal(f.info.length, e.info_bytes);
      const cmd = hexNum(v.command);
      if (f.code !== 0 && f.code !== v2.CID2.intraPack) {
        const rc = v2.checkReturnCode(f);
        assert.equal(rc.ok, false);
        assert.match(rc.ok ? '' : rc.reason, /RTN 0x04 \(command not supported\)/);
        return;
      }
      if (cmd === v2.CID2.telemetry) {
        const t = v2Payload.decodeTelemetry(f.info);
        assert.ok(t.ok, t.ok ? '' : t.reason);
        checkTelemetry(t.value, e);
        telemetryByChk.set(`${f.adr}:${String(e.cell_count)}:${v.source}`, t.value);
      } else if (cmd === v2.CID2.alarms) {
        const a = v2Payload.decodeAlarms(f.info);
        assert.ok(a.ok, a.ok ? '' : a.reason);
        checkAlarms(a.value, e);
      } else if (cmd === v2.CID2.parameters) {
        const p = v2Payload.decodeParameters(f.info);
        assert.ok(p.ok, p.ok ? '' : p.reason);
        const x = p.value;
        assert.equal(x.firstByte, e.first_byte);
        assert.equal(x.u16Raw.length, e.u16_param_count);
        assert.equal(x.u8Raw.length, e.u8_param_count);
        assert.equal(x.functionSwitchBytesHex.length / 2, e.switch_byte_count);
        near(x.values.cellHighVoltageAlarmV, e.p00_cell_high_voltage_alarm_V, 1e-9, 'p00');
        near(x.values.cellOverVoltageProtectionV, e.p04_cell_overvoltage_protection_V, 1e-9, 'p04');
        near(x.values.cellUnderVoltageProtectionV, e.p06_cell_undervoltage_protection_V, 1e-9, 'p06');
        near(x.values.packOverVoltageProtectionV, e.p0E_pack_overvoltage_protection_V, 1e-9, 'p0E');
        near(x.values.packUnderVoltageProtectionV, e.p10_pack_undervoltage_protection_V, 1e-9, 'p10');
        near(x.values.chargeHighTempAlarmC, e.p14_charge_high_temp_alarm_C, 0.1, 'p14');
        near(x.values.chargeOverCurrentProtectionA, e.p36_charge_overcurrent_protection_A, 1e-9, 'p36');
        near(x.values.dischargeOverCurrentProtectionA, e.p37_discharge_overcurrent_protection_A, 1e-9, 'p37');
        near(x.values.ratedCapacityAh, e.p3A_rated_capacity_Ah, 1e-9, 'p3A');
        assert.equal(x.values.cellsInSeries, e.p41_cells_in_series);
        assert.equal(x.functionSwitchBytesHex, e.function_switch_bytes_hex);
        assert.equal(x.deviceName, e.device_name);
      } else if (cmd === v2.CID2.deviceInfo) {
        const d = v2Payload.decodeDeviceInfo(f.info);
        assert.ok(d.ok, d.ok ? '' : d.reason);
        assert.equal(d.value.deviceName, e.device_name);
        assert.equal(d.value.firmwareMajor, e.firmware_major);
        assert.equal(d.value.firmwareMinor, e.firmware_minor);
        assert.equal(d.value.manufacturer, e.manufacturer_or_can_protocol);
      } else if (cmd === v2.CID2.intraPack) {
        const r = v2Payload.decodeIntraPack(f.info);
        assert.ok(r.ok, r.ok ? '' : r.reason);
        const p = r.value;
        assert.equal(p.recordFlag, e.record_flag);
        assert.equal(p.highestCellMv, e.highest_cell_mV);
        assert.equal(p.lowestCellMv, e.lowest_cell_mV);
        near(p.highestCellTemperature, e.highest_cell_temperature_C, 0.1, 'highest T');
        near(p.lowestCellTemperature, e.lowest_cell_temperature_C, 0.1, 'lowest T');
        near(p.current, e.current_A, 1e-9, 'current');
        near(p.voltage, e.pack_voltage_V, 1e-9, 'voltage');
        near(p.remainingAh, e.residual_capacity_Ah, 1e-9, 'residual');
        near(p.fullAh, e.full_capacity_Ah, 1e-9, 'full');
        near(p.soc, e.soc_pct, 1e-9, 'soc');
        near(p.portVoltage, e.port_voltage_V, 1e-9, 'port');
        assert.deepEqual(p.events, e.alarm_event_1_to_6);
        assert.equal(p.switchState, e.switch_state);
        assert.equal(p.event7, e.alarm_event_7);
        assert.equal(p.event8, e.alarm_event_8);
        assert.equal(p.systemState, e.system_state);
        const ps = v2PackState.intraPackToPackState(p, { ...ctx, address: 1 });
        assert.ok(validatePackState(ps).ok);
        assert.equal(ps.chargeAllowed, true);
      } else {
        assert.equal(cmd, v2.CID2.protocolVersion);
        assert.equal(f.info.length, 0);
      }
    });
  }

  it('V2 telemetry + alarms of the same pack map to a valid PackState', () => {
    const pick = (cmd: string, src: string): v2.V2Frame => {
      const v = VECTORS.find((x) => x.command === cmd && x.source === src && x.direction === 'response')!;
      const f = v2.parseFrame(v.raw);
      assert.ok(f.ok);
      return f.value;
    };
    const src = 'shining-man/bsc_fw/src/devices/SeplosBms.cpp';
    const t = v2Payload.decodeTelemetry(pick('0x42', src).info);
    const a = v2Payload.decodeAlarms(pick('0x44', src).info);
    assert.ok(t.ok && a.ok);
    const p = v2PackState.toPackState(t.value, a.value, ctx);
    const checked = validatePackState(p);
    assert.ok(checked.ok, checked.ok ? '' : checked.reason);
    assert.equal(p.cells.length, 16);
    assert.equal(p.cells[0], 3.264);
    assert.equal(p.voltage, 52.26);
    assert.equal(p.current, -6.41);
    assert.equal(p.soc, 51.5);
    assert.deepEqual(p.temperatures, [19.6, 19.9, 19.9, 19.8]);
    assert.equal(p.ambientTemperature, 23.5);
    assert.equal(p.mosTemperature, 20.9);
    assert.equal(p.chargeAllowed, true);
    assert.equal(p.dischargeAllowed, true);
    assert.deepEqual(p.alarms, {});
    assert.equal(p.extra?.systemState, 'discharging');
  });

  for (const v of VECTORS.filter((x) => x.protocol === 'seplos-v3')) {
    const e = v.expected;
    it(`V3 ${v.start_address} id ${String(e.slave_id)} fn ${String(e.function)}: ${v.note.slice(0, 50)}`, () => {
      const frame = Buffer.from(v.raw, 'hex');
      assert.equal(frame.subarray(-2).toString('hex').toUpperCase(), e.crc_hex_wire_order);
      const fn = hexNum(v.command);
      const start = hexNum(v.start_address);
      if (v.request_raw) {
        const req = Buffer.from(v.request_raw, 'hex');
        assert.equal(req.readUInt16BE(2), start);
        const block = Object.values(v3.BLOCKS).find((b) => b.start === start);
        if (block && req.readUInt16BE(4) === block.quantity) {
          assert.deepEqual(v3.buildBlockRequest(req[0], block), req);
        }
      }
      if (e.exception) {
        const r = v3.parseBlockAnswer(frame, e.slave_id as number, v3.BLOCKS.pic);
        assert.equal(r.ok, false);
        assert.match(r.ok ? '' : r.reason, /exception 2/);
        const raw = parseAnswer(frame, e.slave_id as number, fn);
        assert.equal(raw.ok ? undefined : raw.exception, e.exception_code);
        return;
      }
      const a = parseAnswer(frame, e.slave_id as number, fn);
      assert.ok(a.ok, a.ok ? '' : a.reason);
      assert.equal(frame[1], hexNum(e.function));
      assert.equal(a.data.length, e.byte_count);
      if (e.registers) {
        const regs: number[] = [];
        for (let i = 0; i < a.data.length; i += 2) regs.push(a.data.readUInt16BE(i));
        assert.deepEqual(regs, e.registers);
        assert.equal(regs.length, e.register_count);
      }
      if (start === 0x1000) {
        const r = v3.decodePia(a.data);
        assert.ok(r.ok, r.ok ? '' : r.reason);
        const p = r.value;
        near(p.voltage, e.pack_voltage_V, 1e-9, 'voltage');
        near(p.current, e.current_A, 1e-9, 'current');
        near(p.remainingAh, e.remaining_capacity_Ah, 1e-9, 'remaining');
        near(p.fullAh, e.total_capacity_Ah, 1e-9, 'total');
        assert.equal(p.dischargedRaw, e.total_discharge_capacity_raw);
        near(p.soc, e.soc_pct, 1e-9, 'soc');
        near(p.soh, e.soh_pct, 1e-9, 'soh');
        assert.equal(p.cycles, e.cycles);
        assert.equal(p.avgCellMv, e.avg_cell_mV);
        near(p.avgCellTemperature, e.avg_cell_temperature_C, 0.1, 'avg T');
        assert.equal(p.maxCellMv, e.max_cell_mV);
        assert.equal(p.minCellMv, e.min_cell_mV);
        near(p.maxCellTemperature, e.max_cell_temperature_C, 0.1, 'max T');
        near(p.minCellTemperature, e.min_cell_temperature_C, 0.1, 'min T');
        assert.equal(p.reg100E, e.reg_100E_raw);
        assert.equal(p.maxDischargeCurrent, e.max_discharge_current_A);
        assert.equal(p.maxChargeCurrent, e.max_charge_current_A);
        assert.equal(p.reg1011, e.reg_1011_raw);
        assert.ok(v3.parseBlockAnswer(frame, e.slave_id as number, v3.BLOCKS.pia).ok);
      } else if (start === 0x1100) {
        const r = v3.decodePib(a.data);
        assert.ok(r.ok, r.ok ? '' : r.reason);
        assert.deepEqual(r.value.cellsMv, e.cell_voltages_mV);
        nearAll(r.value.cellTemperatures, e.cell_temperatures_C, 0.1, 'cell T');
        assert.deepEqual(r.value.cellTemperatures5to8Raw, e.cell_temperatures_5_8_raw);
        near(r.value.ambientTemperature, e.ambient_temperature_C, 0.1, 'ambient');
        near(r.value.powerTemperature, e.power_temperature_C, 0.1, 'power');
      } else if (start === 0x1200) {
        const r = v3.decodePic(a.data);
        assert.ok(r.ok, r.ok ? '' : r.reason);
        const p = r.value;
        assert.equal(a.data.toString('hex').toUpperCase(), e.coil_bytes_hex);
        assert.equal(p.cellLowVoltageBitmap, e.cell_low_voltage_bitmap);
        assert.equal(p.cellHighVoltageBitmap, e.cell_high_voltage_bitmap);
        assert.equal(p.cellTempLowBitmap, e.cell_temp_low_bitmap);
        assert.equal(p.cellTempHighBitmap, e.cell_temp_high_bitmap);
        assert.equal(p.balancingBitmap, e.balancing_bitmap);
        assert.equal(p.systemState, e.system_state);
        for (const [i, key] of [
          [9, 'voltage_events'],
          [10, 'cell_temperature_events'],
          [11, 'ambient_power_temperature_events'],
          [12, 'current_events_1'],
          [13, 'current_events_2'],
          [14, 'capacity_events'],
          [16, 'battery_state_code'],
          [17, 'hard_fault_events'],
        ] as const)
          assert.equal(p.bytes[i], e[key], key);
        assert.equal(p.fetState, e.fet_state);
        assert.equal(p.dischargeFetOn, e.discharge_fet_on);
        assert.equal(p.chargeFetOn, e.charge_fet_on);
      } else if (start === 0x1700) {
        const r = v3.decodeVia(a.data);
        assert.ok(r.ok, r.ok ? '' : r.reason);
        assert.equal(r.value.manufacturer, e.factory_name);
        assert.equal(r.value.deviceName, e.device_name);
        assert.equal(r.value.firmware, e.firmware_ascii);
        assert.equal(r.value.bmsSerial, e.bms_serial);
      }
    });
  }

  it('V3 PIA + PIB + PIC of slave 2 map to a valid PackState', () => {
    const data = (start: string): Buffer => {
      const v = VECTORS.find(
        (x) => x.protocol === 'seplos-v3' && x.start_address === start && x.expected.slave_id === 2,
      )!;
      const a = parseAnswer(Buffer.from(v.raw, 'hex'), 2, hexNum(v.command));
      assert.ok(a.ok);
      return a.data;
    };
    const a = v3.decodePia(data('0x1000'));
    const b = v3.decodePib(data('0x1100'));
    const c = v3.decodePic(data('0x1200'));
    assert.ok(a.ok && b.ok && c.ok);
    const p = v3.toPackState(a.value, b.value, c.value, { id: 'bank-2', address: 2, time: 5 });
    const checked = validatePackState(p);
    assert.ok(checked.ok, checked.ok ? '' : checked.reason);
    assert.equal(p.voltage, 52.37);
    assert.equal(p.current, -6.09);
    assert.equal(p.soc, 68.1);
    assert.equal(p.cells.length, 16);
    assert.equal(p.cells[15], 3.278);
    assert.deepEqual(p.temperatures, [17.7, 16.9, 17.1, 17.1]);
    assert.deepEqual(p.limits, { ccl: 130, dcl: 130 });
    assert.equal(p.chargeAllowed, true);
    assert.equal(p.dischargeAllowed, true);
  });
});
