/**
 * One JK02 cell-info frame (JK02_32S layout, 300 bytes, little-endian) annotated field by field: a
 * PB2A16S20P on firmware 19.27, discharging (vector ble-jk02-32s-pb2a16s20p-fw19.27-cellinfo-discharging
 * in test/fixtures/vectors/jk-bms.json). The JK PB answers its RS485 trigger with the same frame. Rows
 * without a decoded field are kept whole so the frame stays byte for byte. The sweep of every vector is
 * in vectors.test.ts. Layout: docs/protocols/jk-bms.md#jk02-cell-info.
 */
import { strict as assert } from 'node:assert';
import type { LiveReading } from '../../../src/nodes/jk-bms/jk-blocks';
import { decodeJk02 } from '../../../src/nodes/jk-bms/protocol-jk02';
import { loadVectors } from '../../helpers/fixtures';
import { type AnnotatedFrame, frameBytes, frameHex } from '../../helpers/golden';

const FRAME: AnnotatedFrame = [
  ['55 AA EB 90', '  0-3   header'],
  ['02', '  4     frame type 0x02, cell info'],
  ['17', '  5     frame counter 23'],
  ['350D 310D 2F0D 310D 310D 310D 310D 320D', '  6-21  cells 1-8, u16 mV: 3381 3377 3375 3377 3377 3377 3377 3378'],
  ['2F0D 2E0D 310D 2F0D 310D 320D 2F0D 310D', ' 22-37  cells 9-16: 3375 3374 3377 3375 3377 3378 3375 3377'],
  ['0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000', ' 38-69  cells 17-32: none'],
  ['FF FF 00 00', ' 70-73  enabled cells, u32 mask 0x0000FFFF → 16 cells'],
  ['31 0D', ' 74-75  average cell voltage: 3377 mV'],
  ['06 00', ' 76-77  cell delta: 6 mV'],
  ['00', ' 78     highest cell index 0 (cell 1)'],
  ['09', ' 79     lowest cell index 9 (cell 10)'],
  ['3C00 4000 4C00 4E00 5300 5900 6800 6500', ' 80-95  wire resistances 1-8, u16 mΩ: 60 64 76 78 83 89 104 101'],
  ['6900 6500 5700 5000 5400 5000 4700 3E00', ' 96-111 wire resistances 9-16: 105 101 87 80 84 80 71 62'],
  ['0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000', '112-143 resistances 17-32'],
  ['80 00', '144-145 MOS temperature, s16 × 0.1 °C: 128 → 12.8 °C'],
  ['00 00 00 00', '146-149 wire resistance alarms: none'],
  ['0C D3 00 00', '150-153 pack voltage, u32 mV: 54028 → 54.028 V'],
  ['6E 99 00 00', '154-157 power, u32 mW: 39278 → 39.278 W'],
  ['29 FD FF FF', '158-161 current, s32 mA: 0xFFFFFD29 = −727 → −0.727 A (discharging)'],
  ['77 00', '162-163 temperature 1: 119 → 11.9 °C'],
  ['7F 00', '164-165 temperature 2: 127 → 12.7 °C'],
  ['00 00 00 00', '166-169 alarm bits: none'],
  ['00 00', '170-171 balance current: 0 mA'],
  ['00', '172     balancer idle'],
  ['64', '173     SoC 100 %'],
  ['42 C6 04 00', '174-177 remaining capacity, s32 mAh: 312898 → 312.898 Ah'],
  ['90 CA 04 00', '178-181 full charge capacity: 314000 → 314.000 Ah'],
  ['05 00 00 00', '182-185 cycles: 5'],
  ['4A 92 18 00', '186-189 total cycled capacity: 1610314 → 1610.314 Ah'],
  ['64', '190     SoH 100 %'],
  ['00', '191     precharge off'],
  ['00 00', '192-193 user alarm 0'],
  ['BC 12 37 00', '194-197 run time, u32 s: 3609276 s'],
  ['01', '198     charge FET on'],
  ['01', '199     discharge FET on'],
  ['00 00', '200-201 user alarm 2: 0'],
  ['0000 0000 0000 0000 0000 0000', '202-213 not decoded'],
  ['FF', '214     temperature sensors present, mask 0xFF'],
  ['00', '215     heater off'],
  ['0100 0000 8B23 0000 0600 5197 3F40 0000 0000', '216-233 not decoded'],
  ['1A 15', '234-235 pack voltage (second reading), u16 × 0.01 V: 5402 → 54.02 V'],
  ['00 00', '236-237 heater current 0'],
  ['0001 0101 0006 0000 2218 0E02 0000 0000', '238-253 not decoded'],
  ['80 00', '254-255 temperature 3: 128 → 12.8 °C'],
  ['7E 00', '256-257 temperature 4: 126 → 12.6 °C'],
  ['72 00', '258-259 temperature 5: 114 → 11.4 °C'],
  [
    '0000 1862 B10B 3E00 0000 8051 0100 0000 0103 8313 0200 0000 0000 00FE FF7F DD2F 0101 B0CF 0700 00',
    '260-298 not decoded',
  ],
  ['97', '299     checksum: sum of bytes 0-298, low 8 bits'],
];

function live(): LiveReading {
  const decoded = decodeJk02(frameBytes(FRAME), 'JK02_32S');
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.reason);
  assert.equal(decoded.value.type, 'cellInfo');
  return (decoded.value as { live: LiveReading }).live;
}

describe('jk02 golden frame (JK02_32S cell info, 16 cells, discharging)', () => {
  it('the annotated bytes are the captured frame, 300 bytes', () => {
    const vector = loadVectors<{ id: string; hex: string }>('jk-bms').find(
      (v) => v.id === 'ble-jk02-32s-pb2a16s20p-fw19.27-cellinfo-discharging',
    )!;
    assert.equal(frameHex(FRAME), vector.hex.toUpperCase());
    assert.equal(frameBytes(FRAME).length, 300);
  });

  it('bytes 0-5 and 299: header, type 2, counter 23; a wrong checksum is refused', () => {
    const decoded = decodeJk02(frameBytes(FRAME), 'JK02_32S');
    assert.ok(decoded.ok);
    assert.deepEqual([decoded.value.frameType, decoded.value.frameCounter], [2, 23]);
    const broken = frameBytes(FRAME);
    broken[299] ^= 1;
    assert.equal(decodeJk02(broken, 'JK02_32S').ok, false);
  });

  it('bytes 6-79: 16 cells by the mask, average 3.377 V, delta 6 mV', () => {
    const l = live();
    assert.deepEqual(
      l.cellVoltages,
      [3.381, 3.377, 3.375, 3.377, 3.377, 3.377, 3.377, 3.378, 3.375, 3.374, 3.377, 3.375, 3.377, 3.378, 3.375, 3.377],
    );
    assert.equal(l.enabledCellsMask, 0xffff);
    assert.deepEqual([l.averageCellVoltageReported, l.deltaCellVoltageReported], [3.377, 0.006]);
  });

  it('bytes 80-111: wire resistances 60…105 mΩ', () => {
    assert.deepEqual(
      live().cellResistancesMilliOhm,
      [60, 64, 76, 78, 83, 89, 104, 101, 105, 101, 87, 80, 84, 80, 71, 62],
    );
  });

  it('bytes 144-173: 54.028 V, −0.727 A (signed), MOS 12.8 °C, T1 11.9 °C, T2 12.7 °C, no alarm, SoC 100 %', () => {
    const l = live();
    assert.deepEqual([l.packVoltage, l.current, l.alarmsRaw, l.soc], [54.028, -0.727, 0, 100]);
    assert.deepEqual([l.temperatures.mos, l.temperatures.t1, l.temperatures.t2], [12.8, 11.9, 12.7]);
  });

  it('bytes 174-215: 312.898 of 314 Ah, 5 cycles, SoH 100 %, both FETs on, heater off', () => {
    const l = live();
    assert.deepEqual([l.remainingCapacityAh, l.fullChargeCapacityAh, l.cycles, l.soh], [312.898, 314, 5, 100]);
    assert.deepEqual([l.chargeFetOn, l.dischargeFetOn, l.heatingOn], [true, true, false]);
  });
});
