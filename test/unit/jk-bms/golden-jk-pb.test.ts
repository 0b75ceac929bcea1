/**
 * One JK PB Modbus answer annotated field by field: FC 0x03 read of the live block (0x1200, 120
 * registers) from a PB2A16S20P on firmware 15.41, idle (vector pb-modbus-fc03-0x1200x120-pb2a16s20p-fw15.41
 * in test/fixtures/vectors/jk-bms.json). Modbus registers are big-endian and u32 values high word first;
 * the data offsets are those of the JK02 cell-info block. Rows without a decoded field are kept whole
 * so the frame stays byte for byte. The sweep of every vector is in vectors.test.ts. Layout:
 * docs/protocols/jk-bms.md.
 */
import { strict as assert } from 'node:assert';
import type { LiveReading } from '../../../src/nodes/jk-bms/jk-blocks';
import { decodeReadAnswer, parseReadRequest, type ReadRequest } from '../../../src/nodes/jk-bms/protocol-jk-pb';
import { loadVectors } from '../../helpers/fixtures';
import { type AnnotatedFrame, frameBytes, frameHex } from '../../helpers/golden';

const REQUEST: AnnotatedFrame = [
  ['01', 'address 1'],
  ['03', 'function 0x03, read holding registers'],
  ['12 00', 'start register 0x1200, live block'],
  ['00 78', 'quantity 120 registers'],
  ['40 90', 'CRC-16/Modbus, low byte first'],
];

const ANSWER: AnnotatedFrame = [
  ['01', '        address 1'],
  ['03', '        function 0x03'],
  ['F0', '        byte count 240'],
  ['0C6F 0C6F 0C6F 0C6F 0C6F 0C6F 0C6F 0C6F', '  0-15  cells 1-8, u16 mV: 3183 each'],
  ['0C6F 0C6F 0C6F 0C6F 0C6F 0C6F 0C6F 0C6F', ' 16-31  cells 9-16: 3183 each'],
  ['0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000', ' 32-63  cells 17-32: none'],
  ['00 00 FF FF', ' 64-67  enabled cells, u32 mask 0x0000FFFF → 16 cells'],
  ['0C 6F', ' 68-69  average cell voltage: 3183 mV'],
  ['00 00', ' 70-71  cell delta: 0 mV'],
  ['00', ' 72     highest cell index 0'],
  ['00', ' 73     lowest cell index 0'],
  ['003E 0042 004C 004E 005C 0063 0072 0078', ' 74-89  wire resistances 1-8, u16 mΩ: 62 66 76 78 92 99 114 120'],
  ['0066 0054 005B 004C 0049 0046 0043 003B', ' 90-105 wire resistances 9-16: 102 84 91 76 73 70 67 59'],
  ['0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000', '106-137 resistances 17-32'],
  ['00 E7', '138-139 MOS temperature, s16 × 0.1 °C: 231 → 23.1 °C'],
  ['00 00 00 00', '140-143 wire resistance alarms: none'],
  ['00 00 C6 EB', '144-147 pack voltage, u32 mV: 50923 → 50.923 V'],
  ['00 00 00 00', '148-151 power: 0 W'],
  ['00 00 00 00', '152-155 current, s32 mA: 0 A'],
  ['00 D8', '156-157 temperature 1: 216 → 21.6 °C'],
  ['00 D8', '158-159 temperature 2: 216 → 21.6 °C'],
  ['00 00 00 00', '160-163 alarm bits: none'],
  ['00 00', '164-165 balance current: 0'],
  ['00', '166     balancer idle'],
  ['3B', '167     SoC 59 %'],
  ['00 02 CE E9', '168-171 remaining capacity, s32 mAh: 184041 → 184.041 Ah'],
  ['00 04 CA 90', '172-175 full charge capacity: 314000 → 314.000 Ah'],
  ['00 00 00 00', '176-179 cycles: 0'],
  ['00 00 61 38', '180-183 total cycled capacity: 24888 → 24.888 Ah'],
  ['64', '184     SoH 100 %'],
  ['00', '185     precharge off'],
  ['00 00', '186-187 user alarm 0'],
  ['00 BA A7 B0', '188-191 run time, u32 s: 12232624 s'],
  ['01', '192     charge FET on'],
  ['01', '193     discharge FET on'],
  ['00 00', '194-195 user alarm 2: 0'],
  ['0000 0000 0000 0000 0000 0000', '196-207 not decoded'],
  ['FF', '208     temperature sensors present, mask 0xFF'],
  ['00', '209     heater off'],
  ['0100 0000 03BD 0000 0000 403F 2760 0000 0000', '210-227 not decoded'],
  ['13 E4', '228-229 pack voltage (second reading), u16 × 0.01 V: 5092 → 50.92 V'],
  ['0000 0001 0101 0006 0000', '230-239 not decoded'],
  ['CB 8E', '        CRC-16/Modbus, low byte first'],
];

function request(): ReadRequest {
  const parsed = parseReadRequest(frameBytes(REQUEST));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  return parsed.value;
}

function live(): LiveReading {
  const decoded = decodeReadAnswer(frameBytes(ANSWER), request());
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.reason);
  assert.equal(decoded.value.block, 'live');
  return (decoded.value as { live: LiveReading }).live;
}

describe('jk-pb golden frame (FC 0x03 live block, 16 cells, idle)', () => {
  it('the annotated bytes are the captured request and answer', () => {
    const vector = loadVectors<{ id: string; hex: string; request: string }>('jk-bms').find(
      (v) => v.id === 'pb-modbus-fc03-0x1200x120-pb2a16s20p-fw15.41',
    )!;
    assert.equal(frameHex(REQUEST), vector.request.toUpperCase());
    assert.equal(frameHex(ANSWER), vector.hex.toUpperCase());
  });

  it('request: address 1 reads 120 registers from 0x1200; a wrong CRC in the answer is refused', () => {
    assert.deepEqual(request(), { address: 1, start: 0x1200, quantity: 120 });
    const broken = frameBytes(ANSWER);
    broken[broken.length - 1] ^= 1;
    assert.equal(decodeReadAnswer(broken, request()).ok, false);
  });

  it('data 0-73: 16 cells of 3.183 V by the mask, average 3.183 V, delta 0', () => {
    const l = live();
    assert.deepEqual(l.cellVoltages, Array(16).fill(3.183));
    assert.equal(l.enabledCellsMask, 0xffff);
    assert.deepEqual([l.averageCellVoltageReported, l.deltaCellVoltageReported], [3.183, 0]);
  });

  it('data 74-105: wire resistances 59…120 mΩ', () => {
    assert.deepEqual(
      live().cellResistancesMilliOhm,
      [62, 66, 76, 78, 92, 99, 114, 120, 102, 84, 91, 76, 73, 70, 67, 59],
    );
  });

  it('data 138-167: 50.923 V, 0 A, MOS 23.1 °C, T1 and T2 21.6 °C, no alarm, SoC 59 %', () => {
    const l = live();
    assert.deepEqual([l.packVoltage, l.current, l.alarmsRaw, l.soc], [50.923, 0, 0, 59]);
    assert.deepEqual([l.temperatures.mos, l.temperatures.t1, l.temperatures.t2], [23.1, 21.6, 21.6]);
  });

  it('data 168-209: 184.041 of 314 Ah, 0 cycles, SoH 100 %, both FETs on, heater off', () => {
    const l = live();
    assert.deepEqual([l.remainingCapacityAh, l.fullChargeCapacityAh, l.cycles, l.soh], [184.041, 314, 0, 100]);
    assert.deepEqual([l.chargeFetOn, l.dischargeFetOn, l.heatingOn], [true, true, false]);
  });
});
