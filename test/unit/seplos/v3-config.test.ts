/**
 * Seplos V3 identification, settings (SPA), function switches (SFA) and calendar (SCA): the decoders
 * field by field against the vendor's documented raw values and a real VIA capture, their rejections,
 * and the simulator's answers to every read of the documented detection and poll sequences.
 */
import { strict as assert } from 'node:assert';
import { SimClock } from '../../../src/core/clock';
import { answerFramer, parseAnswer, readRequest, writeMultipleRequest } from '../../../src/transport/modbus-rtu';
import { takeFrame } from '../../../src/transport/framer';
import * as v3 from '../../../src/nodes/seplos/protocol-seplos-v3';
import {
  CONFIG_BLOCKS,
  SETTING_NAMES,
  SWITCH_NAME_LIST,
  decodeCalendar,
  decodeFunctionSwitches,
  decodeSettings,
  encodeCalendar,
  encodeFunctionSwitches,
  encodeSettings,
} from '../../../src/nodes/seplos/protocol-seplos-v3-settings';
import { SIM_LIMITS, createSeplosV3Simulator } from '../../../src/nodes/seplos/simulator';
import { identitySummary } from '../../../src/nodes/seplos/reader';
import { loadVectors } from '../../helpers/fixtures';

interface Vector {
  protocol: string;
  raw: string;
  start_address?: string;
}

function simulator(addresses = [1], epochMs = 0) {
  const clock = new SimClock(epochMs);
  let wire = Buffer.alloc(0);
  const sim = createSeplosV3Simulator(
    { addresses, cells: 16, capacityAh: 200 },
    {
      clock,
      send: (d) => {
        wire = Buffer.concat([wire, d]);
      },
    },
  );
  const ask = (request: Buffer): Buffer => {
    wire = Buffer.alloc(0);
    sim.receive(request);
    clock.advance(50);
    return wire;
  };
  /** The answer to one read: its data, or the reason it is not a normal answer. */
  const read = (id: number, fn: number, start: number, quantity: number) => {
    const frame = takeFrame(ask(readRequest(id, fn, start, quantity)), answerFramer(id, fn)).frame;
    assert.ok(frame, `an answer to ${fn} 0x${start.toString(16)} × ${quantity}`);
    return parseAnswer(Buffer.from(frame), id, fn);
  };
  const data = (id: number, fn: number, start: number, quantity: number): Buffer => {
    const a = read(id, fn, start, quantity);
    assert.ok(a.ok, a.ok ? '' : a.reason);
    return a.data;
  };
  return { sim, clock, ask, read, data };
}

/** A 0x6A-register SPA image with the given raw words at their register addresses. */
function spaWith(words: Record<number, number>): Buffer {
  const data = Buffer.alloc(0x6a * 2);
  data.writeUInt16BE(4, 0);
  data.writeUInt16BE(16, 2);
  for (const [reg, raw] of Object.entries(words)) data.writeUInt16BE(raw, (Number(reg) - 0x1300) * 2);
  return data;
}

describe('Seplos V3 identification', () => {
  const via = loadVectors<Vector>('seplos').find((v) => v.protocol === 'seplos-v3' && v.start_address === '0x1700')!;
  const viaData = (): Buffer => {
    const answer = parseAnswer(Buffer.from(via.raw, 'hex'), 0, 0x04);
    assert.ok(answer.ok);
    return answer.data;
  };

  it('a real VIA capture: manufacturer, model, firmware 1.5, serial', () => {
    const id = v3.decodeIdentification(viaData());
    assert.ok(id.ok, id.ok ? '' : id.reason);
    assert.equal(id.value.manufacturer, v3.V3_MANUFACTURER);
    assert.equal(id.value.deviceName, 'SG16S200A-SP57B-A');
    assert.equal(id.value.firmware, '15');
    assert.equal(id.value.firmwareVersion, '1.5');
    assert.equal(id.value.bmsSerial, 'SP57B-A2506120022');
    assert.equal(id.value.packSerial, '');
  });

  it('the fields read one by one (as peers do) from the same capture', () => {
    const data = viaData();
    const field = (name: keyof typeof v3.VIA_FIELDS): string => {
      const { start, quantity } = v3.VIA_FIELDS[name];
      const offset = (start - 0x1700) * 2;
      const text = v3.decodeRegisterText(data.subarray(offset, offset + quantity * 2));
      assert.ok(text.ok);
      return text.value;
    };
    assert.equal(field('manufacturer'), 'XZH-ElecTech Co.,Ltd');
    assert.equal(field('deviceName'), 'SG16S200A-SP57B-A');
    assert.equal(field('firmware'), '15');
    assert.equal(field('bmsSerial'), 'SP57B-A2506120022');
  });

  it('rejects with a reason: odd text reads, short or empty VIA blocks; odd firmware text is kept', () => {
    const odd = v3.decodeRegisterText(Buffer.from('XZH'));
    assert.match(odd.ok ? '' : odd.reason, /whole registers \(got 3 bytes\)/);
    const empty = v3.decodeIdentification(Buffer.alloc(0x33 * 2));
    assert.match(empty.ok ? '' : empty.reason, /no manufacturer and no device name/);
    const short = v3.decodeIdentification(Buffer.alloc(10));
    assert.match(short.ok ? '' : short.reason, /VIA too short/);
    assert.equal(v3.firmwareVersion('1A'), '1A');
    assert.equal(v3.firmwareVersion('21'), '2.1');
  });

  it('status summary: one model and firmware, a count when packs differ, nothing before identification', () => {
    assert.equal(identitySummary([]), '');
    assert.equal(identitySummary([{ identityError: 'x' }]), '');
    assert.equal(
      identitySummary([
        { model: 'A', firmware: '1.5' },
        { model: 'A', firmware: '1.5' },
      ]),
      'A fw 1.5',
    );
    assert.equal(
      identitySummary([
        { model: 'A', firmware: '1.5' },
        { model: 'A', firmware: '1.6' },
      ]),
      '2 models',
    );
  });
});

describe('Seplos V3 settings (SPA)', () => {
  it('register layout: 104 named settings at the documented addresses', () => {
    assert.equal(SETTING_NAMES.length, 0x68);
    const at = (name: string): number => 0x1300 + SETTING_NAMES.indexOf(name);
    assert.equal(at('cellsInSeries'), 0x1301);
    assert.equal(at('packOverVoltageProtectionV'), 0x1305);
    assert.equal(at('packUnderVoltageProtectionV'), 0x1309);
    assert.equal(at('cellOverVoltageProtectionV'), 0x130d);
    assert.equal(at('cellUnderVoltageProtectionV'), 0x1311);
    assert.equal(at('chargeOverCurrentRecoveryA'), 0x1315);
    assert.equal(at('shortCircuitProtectionA'), 0x1321);
    assert.equal(at('chargeHighTemperatureAlarmRecoveryC'), 0x132f);
    assert.equal(at('dischargeUnderTemperatureProtectionC'), 0x133e);
    assert.equal(at('ambientUnderTemperatureProtectionC'), 0x1346);
    assert.equal(at('powerOverTemperatureProtectionC'), 0x134a);
    assert.equal(at('ratedCapacityAh'), 0x1358);
    assert.equal(at('remainingCapacityAh'), 0x135a);
    assert.equal(at('chargeRequestVoltageV'), 0x1365);
    assert.equal(at('dischargeRequestCurrentA'), 0x1367);
  });

  it("decodes the vendor document's example raw values in their units", () => {
    const s = decodeSettings(
      spaWith({
        0x1305: 0x1680, // 57.60 V
        0x130d: 0x0e42, // 3.650 V
        0x1311: 0x0a8c, // 2.700 V
        0x1317: 0x006e, // 110 A
        0x131d: 0xff92, // −110 A
        0x131a: 0x012c, // 300 ms
        0x132a: 0x05dc, // 1500 mA
        0x1332: 0x0cd1, // 328.1 K = 55.0 °C
        0x1336: 0x0a47, // 263.1 K = −10.0 °C
        0x1353: 0x03c0, // 96.0 %
        0x1358: 0x4e20, // 200.00 Ah
        0x1367: 0xffb0, // −80 A
      }),
    );
    assert.ok(s.ok, s.ok ? '' : s.reason);
    const v = s.value;
    assert.equal(v.temperatureSensors, 4);
    assert.equal(v.cellsInSeries, 16);
    assert.equal(v.packOverVoltageProtectionV, 57.6);
    assert.equal(v.cellOverVoltageProtectionV, 3.65);
    assert.equal(v.cellUnderVoltageProtectionV, 2.7);
    assert.equal(v.chargeOverCurrentProtectionA, 110);
    assert.equal(v.dischargeOverCurrentProtectionA, -110);
    assert.equal(v.chargeOverCurrent2DelayMs, 300);
    assert.equal(v.floatLockCurrentA, 1.5);
    assert.equal(v.chargeOverTemperatureProtectionC, 55);
    assert.equal(v.chargeUnderTemperatureProtectionC, -10);
    assert.equal(v.topUpChargeSocPercent, 96);
    assert.equal(v.ratedCapacityAh, 200);
    assert.equal(v.dischargeRequestCurrentA, -80);
  });

  it('rejects with a reason: wrong length, cells out of 1–16, more than 8 sensors', () => {
    const reason = (data: Buffer): string => {
      const r = decodeSettings(data);
      return r.ok ? '' : r.reason;
    };
    assert.match(reason(Buffer.alloc(0x69 * 2)), /SPA must be 212 bytes \(got 210\)/);
    assert.match(reason(spaWith({ 0x1301: 0 })), /cells in series 0 out of range/);
    assert.match(reason(spaWith({ 0x1301: 17 })), /cells in series 17 out of range/);
    assert.match(reason(spaWith({ 0x1300: 9 })), /temperature sensors 9 out of range/);
  });

  it('encode then decode gives back every setting (at register resolution)', () => {
    const values = Object.fromEntries(SETTING_NAMES.map((name, i) => [name, name === 'cellsInSeries' ? 15 : i % 30]));
    values.dischargeOverCurrentProtectionA = -150;
    values.chargeUnderTemperatureProtectionC = -12.5;
    const back = decodeSettings(encodeSettings(values));
    assert.ok(back.ok);
    assert.deepEqual(back.value, values);
  });
});

describe('Seplos V3 function switches (SFA) and calendar (SCA)', () => {
  it('switch names sit at the documented coils', () => {
    const coil = (name: string): number => {
      const bytes = encodeFunctionSwitches([name]);
      const byte = bytes.findIndex((b) => b !== 0);
      return 0x1400 + byte * 8 + Math.log2(bytes[byte]);
    };
    assert.equal(coil('cellHighVoltageAlarm'), 0x1400);
    assert.equal(coil('packOverVoltageProtection'), 0x1405);
    assert.equal(coil('chargeHighTemperatureAlarm'), 0x1408);
    assert.equal(coil('powerOverTemperatureProtection'), 0x1415);
    assert.equal(coil('bluetooth'), 0x1418);
    assert.equal(coil('chargeOverCurrentAlarm'), 0x1420);
    assert.equal(coil('shortCircuitLockout'), 0x1428);
    assert.equal(coil('lowSocAlarm'), 0x1430);
    assert.equal(coil('lowSocProtection'), 0x1435);
    assert.equal(coil('balancing'), 0x1438);
    assert.equal(coil('buzzerAndLights'), 0x1440);
    assert.equal(coil('ntcFailureDetection'), 0x1448);
    assert.equal(coil('aerosolAlarmFailureDetection'), 0x144f);
  });

  it('decodes the enabled switches in coil order; rejects a wrong length', () => {
    const sw = decodeFunctionSwitches(Buffer.from([0x22, 0, 0, 0x01, 0, 0, 0, 0, 0, 0x80]));
    assert.ok(sw.ok);
    assert.deepEqual(sw.value.enabled, [
      'cellOverVoltageProtection',
      'packOverVoltageProtection',
      'bluetooth',
      'aerosolAlarmFailureDetection',
    ]);
    const all = decodeFunctionSwitches(encodeFunctionSwitches(SWITCH_NAME_LIST));
    assert.ok(all.ok);
    assert.deepEqual(all.value.enabled, SWITCH_NAME_LIST);
    const bad = decodeFunctionSwitches(Buffer.alloc(9));
    assert.match(bad.ok ? '' : bad.reason, /SFA must be 10 bytes \(got 9\)/);
  });

  it('calendar: year low byte first, then month, day, hour, minute, second', () => {
    const bytes = encodeCalendar(Date.UTC(2025, 5, 14, 12, 34, 56));
    assert.deepEqual([...bytes], [0xe9, 0x07, 6, 14, 12, 34, 56, 0]);
    const c = decodeCalendar(bytes);
    assert.ok(c.ok);
    assert.equal(c.value.text, '2025-06-14 12:34:56');
    assert.deepEqual([c.value.year, c.value.month, c.value.day], [2025, 6, 14]);
  });

  it('calendar rejects a wrong length and out-of-range fields with a reason', () => {
    const reason = (bytes: number[]): string => {
      const r = decodeCalendar(Buffer.from(bytes));
      return r.ok ? '' : r.reason;
    };
    assert.match(reason([0xe9, 0x07, 6, 14]), /must be 8 bytes/);
    assert.match(reason([0xe9, 0x07, 13, 14, 0, 0, 0, 0]), /month 13 out of range 1–12/);
    assert.match(reason([0xe9, 0x07, 6, 0, 0, 0, 0, 0]), /day 0 out of range/);
    assert.match(reason([0xe9, 0x07, 6, 14, 24, 0, 0, 0]), /hour 24 out of range/);
    assert.match(reason([0, 0, 6, 14, 0, 0, 0, 0]), /year 0 out of range/);
  });
});

describe('Seplos V3 simulator: the reads of the detection and poll sequences', () => {
  const FC_IN = 0x04;
  const FC_COILS = 0x01;

  it('answers the documented detection request 00 04 17 00 00 0A 74 68 with the manufacturer text', () => {
    const h = simulator([0]);
    const answer = h.ask(Buffer.from('00041700000A7468', 'hex'));
    const parsed = parseAnswer(answer, 0, FC_IN);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
    assert.equal(parsed.data.toString('latin1'), 'XZH-ElecTech Co.,Ltd');
  });

  it('identification read field by field (dbus-serialbattery order) and as the whole VIA block', () => {
    const h = simulator([3]);
    const text = (start: number, quantity: number): string => {
      const t = v3.decodeRegisterText(h.data(3, FC_IN, start, quantity));
      assert.ok(t.ok);
      return t.value;
    };
    assert.equal(text(0x1700, 10), 'XZH-ElecTech Co.,Ltd');
    assert.equal(text(0x170a, 10), 'SIM16S200A-V3');
    assert.equal(text(0x1715, 15), 'SIMV3-BMS-0003');
    assert.equal(text(0x1714, 1), '15');
    assert.equal(text(0x1724, 15), 'SIMV3-PACK-0003');
    const id = v3.decodeIdentification(h.data(3, FC_IN, 0x1700, 0x33));
    assert.ok(id.ok);
    assert.deepEqual(
      [id.value.manufacturer, id.value.deviceName, id.value.firmwareVersion, id.value.bmsSerial],
      ['XZH-ElecTech Co.,Ltd', 'SIM16S200A-V3', '1.5', 'SIMV3-BMS-0003'],
    );
  });

  it('every read of the peer and CellSafe poll sequences is a normal answer of the requested size', () => {
    const h = simulator([1]);
    const reads: Array<[number, number, number]> = [
      [FC_IN, 0x1300, 0x6a], // SPA (dbus-serialbattery, every poll)
      [FC_IN, 0x1000, 0x12], // PIA × 18 (peer, CellSafe, bank master)
      [FC_IN, 0x1000, 0x11], // PIA × 17 (vendor app)
      [FC_IN, 0x1100, 0x1a], // PIB
      [FC_IN, 0x1500, 0x04], // SCA calendar
      [FC_COILS, 0x1200, 0x90], // PIC
      [FC_COILS, 0x1400, 0x50], // SFA
      [FC_IN, 0x1700, 0x33], // VIA (CellSafe identity, vendor app)
    ];
    for (const [fn, start, quantity] of reads) {
      const data = h.data(1, fn, start, quantity);
      assert.equal(data.length, fn === FC_COILS ? quantity / 8 : quantity * 2, `0x${start.toString(16)}`);
    }
  });

  it('ranges outside its blocks raise exception 2, partial coil bytes too; writes exception 1', () => {
    const h = simulator([1]);
    const outside: Array<[number, number, number]> = [
      [FC_IN, 0x1000, 0x13],
      [FC_IN, 0x1300, 0x6b],
      [FC_IN, 0x1500, 0x05],
      [FC_IN, 0x1510, 0x01],
      [FC_IN, 0x16ff, 0x02],
      [FC_IN, 0x1700, 0x34],
      [FC_COILS, 0x1200, 0x09],
      [FC_COILS, 0x1204, 0x08],
      [FC_COILS, 0x1400, 0x58],
      [FC_IN, 0x1200, 0x01],
    ];
    for (const [fn, start, quantity] of outside) {
      const a = h.read(1, fn, start, quantity);
      assert.equal(a.ok ? undefined : a.exception, 2, `0x${start.toString(16)} × ${quantity}`);
    }
    const write = parseAnswer(h.ask(writeMultipleRequest(1, 0x1510, Buffer.from([0x55, 0xaa]))), 1, 0x10);
    assert.equal(write.ok ? undefined : write.exception, 1);
  });

  it('SPA is consistent with the pack: counts, capacity, thresholds around its present values', () => {
    const h = simulator([1]);
    const model = h.sim.packs.get(1)!.model;
    const spa = decodeSettings(h.data(1, FC_IN, 0x1300, 0x6a));
    const pia = v3.decodePia(h.data(1, FC_IN, 0x1000, 0x12));
    const pib = v3.decodePib(h.data(1, FC_IN, 0x1100, 0x1a));
    assert.ok(spa.ok && pia.ok && pib.ok);
    const s = spa.value;
    assert.equal(s.cellsInSeries, model.cells.length);
    assert.equal(s.temperatureSensors, pib.value.cellTemperatures.length);
    assert.deepEqual([s.ratedCapacityAh, s.fullCapacityAh], [200, pia.value.fullAh]);
    assert.equal(s.remainingCapacityAh, pia.value.remainingAh);
    // Cell thresholds: the ones the simulated BMS protects at, in order, around the present cells.
    assert.equal(s.cellOverVoltageProtectionV, SIM_LIMITS.cellOverMv / 1000);
    assert.equal(s.cellHighVoltageAlarmV, SIM_LIMITS.cellHighWarnMv / 1000);
    assert.equal(s.cellLowVoltageAlarmV, SIM_LIMITS.cellLowWarnMv / 1000);
    assert.equal(s.cellUnderVoltageProtectionV, SIM_LIMITS.cellUnderMv / 1000);
    assert.ok(s.cellHighVoltageAlarmRecoveryV < s.cellHighVoltageAlarmV);
    assert.ok(s.cellHighVoltageAlarmV < s.cellOverVoltageProtectionV);
    assert.ok(s.cellOverVoltageRecoveryV < s.cellOverVoltageProtectionV);
    assert.ok(s.cellLowVoltageAlarmRecoveryV > s.cellLowVoltageAlarmV);
    assert.ok(s.cellLowVoltageAlarmV > s.cellUnderVoltageProtectionV);
    assert.ok(s.cellUnderVoltageRecoveryV > s.cellUnderVoltageProtectionV);
    assert.ok(s.cellUnderVoltageFailureV < s.cellUnderVoltageProtectionV);
    assert.ok(s.cellHighVoltageAlarmV > model.cellMax && s.cellLowVoltageAlarmV < model.cellMin);
    // Pack thresholds: cells × cell thresholds, around the pack voltage.
    for (const name of SETTING_NAMES.filter((n) => /^pack.*V$/.test(n))) {
      const cell = s[name.replace(/^pack/, 'cell')];
      assert.ok(Math.abs(s[name] - cell * 16) < 0.005, `${name} ${s[name]} = 16 × ${cell}`);
    }
    assert.ok(s.packHighVoltageAlarmV > pia.value.voltage && s.packLowVoltageAlarmV < pia.value.voltage);
    assert.ok(s.chargeRequestVoltageV <= s.packHighVoltageAlarmV);
    // Temperatures: under-protection < low alarm < present cells < high alarm < over-protection.
    const temps = pib.value.cellTemperatures;
    for (const family of ['charge', 'discharge', 'ambient']) {
      const t = (suffix: string): number => s[`${family}${suffix}`];
      assert.ok(t('UnderTemperatureProtectionC') < t('LowTemperatureAlarmC'), family);
      assert.ok(t('LowTemperatureAlarmC') < Math.min(...temps), family);
      assert.ok(Math.max(...temps) < t('HighTemperatureAlarmC'), family);
      assert.ok(t('HighTemperatureAlarmC') < t('OverTemperatureProtectionC'), family);
    }
    assert.equal(s.chargeOverTemperatureProtectionC, SIM_LIMITS.chargeOverC);
    assert.equal(s.dischargeOverTemperatureProtectionC, SIM_LIMITS.dischargeOverC);
    // Currents: the BMS's recommended limits; discharge thresholds negative and beyond them.
    assert.equal(s.chargeRequestCurrentA, pia.value.maxChargeCurrent);
    assert.equal(s.dischargeRequestCurrentA, -pia.value.maxDischargeCurrent);
    assert.ok(s.chargeOverCurrentAlarmA < s.chargeOverCurrentProtectionA);
    assert.ok(s.chargeOverCurrentProtectionA < s.chargeOverCurrent2ProtectionA);
    assert.ok(s.dischargeOverCurrentAlarmA < -pia.value.maxDischargeCurrent);
    assert.ok(s.dischargeOverCurrentProtectionA < s.dischargeOverCurrentAlarmA);
    assert.ok(s.shortCircuitProtectionA < s.dischargeOverCurrent2ProtectionA);
  });

  it('the protections it reports in PIC fire at the thresholds its SPA reports', () => {
    const h = simulator([1]);
    const model = h.sim.packs.get(1)!.model;
    const spa = decodeSettings(h.data(1, FC_IN, 0x1300, 0x6a));
    assert.ok(spa.ok);
    const flagsWithCell0At = (volts: number): string[] => {
      model.cellOffsets.set(0, 0);
      model.update(h.clock.now());
      model.cellOffsets.set(0, volts - model.cells[0]);
      const pic = v3.decodePic(h.data(1, FC_COILS, 0x1200, 0x90));
      assert.ok(pic.ok);
      return pic.value.flags;
    };
    const ovp = spa.value.cellOverVoltageProtectionV;
    assert.ok(flagsWithCell0At(ovp + 0.001).includes('cellOverVoltageProtection'));
    assert.ok(!flagsWithCell0At(ovp).includes('cellOverVoltageProtection'));
    const uvp = spa.value.cellUnderVoltageProtectionV;
    assert.ok(flagsWithCell0At(uvp - 0.001).includes('cellUnderVoltageProtection'));
    assert.ok(!flagsWithCell0At(uvp).includes('cellUnderVoltageProtection'));
  });

  it('SFA: protections and failure detection enabled, balancing as the model has it; SCA: the clock', () => {
    const h = simulator([1], Date.UTC(2025, 5, 14, 12, 34, 56));
    const switches = (): string[] => {
      const sw = decodeFunctionSwitches(h.data(1, FC_COILS, 0x1400, 0x50));
      assert.ok(sw.ok);
      return sw.value.enabled;
    };
    const enabled = switches();
    for (const name of SWITCH_NAME_LIST.filter((n) => /Protection$|Alarm$|Detection$/.test(n))) {
      assert.ok(enabled.includes(name), name);
    }
    assert.ok(enabled.includes('balancing') && !enabled.includes('cellHeating'));
    h.sim.packs.get(1)!.model.balancerEnabled = false;
    assert.ok(!switches().includes('balancing'));
    const calendar = decodeCalendar(h.data(1, FC_IN, 0x1500, 4));
    assert.ok(calendar.ok);
    assert.match(calendar.value.text, /^2025-06-14 12:34:56$/);
    assert.deepEqual(CONFIG_BLOCKS.sca, { fn: FC_IN, start: 0x1500, quantity: 4 });
  });
});
