/**
 * One JK NW (JK-B "4E57" RS485/TTL protocol) answer annotated item by item: a JK-B2A24S20P on
 * firmware 10.07 with 13 cells, idle (vector nw-b2a24s20p-fw10.07-13s-idle in
 * test/fixtures/vectors/jk-bms.json). The body is a list of items, each an id byte and a value of
 * the id's fixed length (big-endian); the cell item carries its own length. Settings items the node
 * does not use are grouped. The sweep of every vector is in vectors.test.ts. Layout:
 * docs/protocols/jk-bms.md.
 */
import { strict as assert } from 'node:assert';
import { decodeNw, type NwReading } from '../../../src/nodes/jk-bms/protocol-jk-nw';
import { loadVectors } from '../../helpers/fixtures';
import { type AnnotatedFrame, frameBytes, frameHex } from '../../helpers/golden';

const FRAME: AnnotatedFrame = [
  ['4E 57', 'start "NW"'],
  ['01 18', 'length 280: every byte after the start'],
  ['00 00 00 00', 'terminal id'],
  ['06', 'command 6, read all'],
  ['00', 'frame source 0, BMS'],
  ['01', 'transport type 1, answer'],
  ['79 27', 'item 0x79 cell voltages, 39 bytes = 13 × (cell number, u16 mV)'],
  ['01 0FFC 02 0FCF 03 0FFD 04 0FFC 05 0FFC 06 0FFA 07 0FF7', 'cells 1-7: 4092 4047 4093 4092 4092 4090 4087 mV'],
  ['08 0FFE 09 0FFE 0A 0FFC 0B 0FF7 0C 0FF7 0D 0FFD', 'cells 8-13: 4094 4094 4092 4087 4087 4093 mV'],
  ['80 0016', 'item 0x80 MOS temperature: 22 °C'],
  ['81 0013', 'item 0x81 temperature 1: 19 °C'],
  ['82 0013', 'item 0x82 temperature 2: 19 °C'],
  ['83 14C1', 'item 0x83 pack voltage, u16 × 0.01 V: 5313 → 53.13 V'],
  ['84 0000', 'item 0x84 current, raw 0 → 0 A'],
  ['85 5E', 'item 0x85 SoC 94 %'],
  ['86 02', 'item 0x86 temperature sensors: 2'],
  ['87 0000', 'item 0x87 cycles: 0'],
  ['89 00000000', 'item 0x89 total cycled capacity: 0 Ah'],
  ['8A 000D', 'item 0x8A cell count reported: 13'],
  ['8B 0000', 'item 0x8B warning word: none'],
  ['8C 0004', 'item 0x8C status word 0x0004: balancer on (bit 2); charge (bit 0) and discharge (bit 1) FETs off'],
  ['8E 1554 8F 0EBA', 'items 0x8E/0x8F pack over/under-voltage protection, 0.01 V: 54.60 V, 37.70 V'],
  ['90 1068', 'item 0x90 cell over-voltage protection, mV: 4200 → 4.2 V'],
  ['91 1004 92 0005', 'items 0x91/0x92 cell over-voltage recovery 4100 mV, delay 5 s'],
  ['93 0B54', 'item 0x93 cell under-voltage protection: 2900 → 2.9 V'],
  [
    '94 0C80 95 0005 96 012C',
    'items 0x94-0x96 cell under-voltage recovery 3200 mV, delay 5 s; difference protection 300 mV',
  ],
  [
    '97 0096 98 012C 99 0019 9A 001E',
    'items 0x97-0x9A discharge over-current 150 A, delay 300 s; charge 25 A, delay 30 s',
  ],
  ['9B 0CE4 9C 000A 9D 01', 'items 0x9B-0x9D balance start 3300 mV, trigger difference 10 mV; balancer switch on'],
  ['9E 005A 9F 0046 A0 0064 A1 0064 A2 0014', 'items 0x9E-0xA2 MOS 90/70 °C, box 100/100 °C, difference 20 °C'],
  ['A3 0046 A4 0046', 'items 0xA3/0xA4 charge and discharge over-temperature protection: 70 °C, 70 °C'],
  ['A5 FFEC A6 FFF6', 'items 0xA5/0xA6 charge under-temperature protection, s16: −20 °C; recovery −10 °C'],
  ['A7 FFEC A8 FFF6', 'items 0xA7/0xA8 discharge under-temperature protection −20 °C; recovery −10 °C'],
  ['A9 0D', 'item 0xA9 cell count setting: 13'],
  ['AA 00000005', 'item 0xAA nominal capacity: 5 Ah'],
  ['AB 00 AC 00', 'items 0xAB/0xAC charge and discharge switches: off'],
  ['AD 042E AE 01 AF 01', 'items 0xAD-0xAF current calibration 1070 mA, board address 1, battery type 1'],
  ['B0 000A B1 14', 'items 0xB0/0xB1 sleep wait 10 s, low-SoC alarm 20 %'],
  ['B2 31323334353600000000', 'item 0xB2 parameter password (never decoded)'],
  ['B3 00', 'item 0xB3 dedicated charger switch: off'],
  ['B4 496E707574205573', 'item 0xB4 device id "Input Us"'],
  ['B5 32323034', 'item 0xB5 manufacturing date "2204"'],
  ['B6 00000000', 'item 0xB6 run time: 0 min'],
  ['B7 31302E58575F5331302E30375F5F5F', 'item 0xB7 software version "10.XW_S10.07___"'],
  ['B8 00', 'item 0xB8 start current calibration: 0'],
  ['B9 00000000', 'item 0xB9 actual capacity: 0 Ah'],
  ['BA 496E707574205573657264614A4B2D4232413234533135 50', 'item 0xBA manufacturer id "Input UserdaJK-B2A24S15P"'],
  ['C0 01', 'item 0xC0 protocol version 1'],
  ['00 00 00 00', 'record number 0'],
  ['68', 'end marker 0x68'],
  ['00 00 54 4E', 'checksum: sum of every byte before it, 16 bits (21582)'],
];

function reading(): NwReading {
  const decoded = decodeNw(frameBytes(FRAME));
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.reason);
  return decoded.value;
}

describe('jk-nw golden frame (13 cells, idle)', () => {
  it('the annotated bytes are the captured frame, 282 bytes', () => {
    const vector = loadVectors<{ id: string; hex: string }>('jk-bms').find(
      (v) => v.id === 'nw-b2a24s20p-fw10.07-13s-idle',
    )!;
    assert.equal(frameHex(FRAME), vector.hex.toUpperCase());
    assert.equal(frameBytes(FRAME).length, 282);
  });

  it('envelope: length 280, command 6, source 0, answer, checksum 21582; a wrong checksum is refused', () => {
    const r = reading();
    assert.deepEqual(
      [r.lengthField, r.command, r.frameSource, r.transportType, r.checksum, r.checksumValid],
      [280, 6, 0, 1, 21582, true],
    );
    const broken = frameBytes(FRAME);
    broken[broken.length - 1] ^= 1;
    assert.equal(decodeNw(broken).ok, false);
  });

  it('item 0x79: 13 cells, 4.047…4.094 V', () => {
    const r = reading();
    assert.equal(r.cellCount, 13);
    assert.deepEqual(
      r.cellVoltages,
      [4.092, 4.047, 4.093, 4.092, 4.092, 4.09, 4.087, 4.094, 4.094, 4.092, 4.087, 4.087, 4.093],
    );
  });

  it('items 0x80-0x8C: 22/19/19 °C, 53.13 V, 0 A, SoC 94 %, balancer on, FETs off', () => {
    const r = reading();
    assert.deepEqual(r.temperatures, { mos: 22, t1: 19, t2: 19 });
    assert.deepEqual([r.packVoltage, r.current, r.soc, r.warningsRaw, r.statusRaw], [53.13, 0, 94, 0, 4]);
    assert.equal(r.cellCountSetting, 13);
    assert.deepEqual([r.balancerOn, r.chargeFetOn, r.dischargeFetOn], [true, false, false]);
  });

  it('settings and identity items: 4.2/2.9 V cell limits, 70/−20 °C charge limits, 5 Ah, firmware 10.07, protocol 1', () => {
    const r = reading();
    assert.deepEqual(
      [r.cellOvpV, r.cellUvpV, r.chargeOverTempProtectionC, r.chargeUnderTempProtectionC],
      [4.2, 2.9, 70, -20],
    );
    assert.deepEqual([r.nominalCapacityAh, r.boardAddress, r.batteryType], [5, 1, 1]);
    assert.deepEqual(
      [r.softwareVersion, r.deviceId, r.manufacturerId, r.protocolVersion],
      ['10.XW_S10.07___', 'Input Us', 'Input UserdaJK-B2A24S15P', 1],
    );
  });
});
