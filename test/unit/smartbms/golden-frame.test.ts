/**
 * One 123\SmartBMS frame (58 bytes, big-endian, no header) annotated byte by byte: vector smartbms-S4
 * in test/fixtures/vectors/smartbms.json (built from the data-out protocol's field definitions: charging,
 * two current sensors). The sweep of every vector is in protocol.test.ts. Layout:
 * docs/protocols/smartbms.md#frame-layout.
 */
import { strict as assert } from 'node:assert';
import { decodeFrame, type SmartBmsFrame } from '../../../src/nodes/smartbms/protocol-smartbms';
import { type AnnotatedFrame, frameBytes, frameHex } from '../../helpers/golden';
import { loadSmartBmsVectors } from './vectors';

const FRAME: AnnotatedFrame = [
  ['00 2B 40', ' 0-2  pack voltage, u24 × 0.005 V: 11072 → 55.36 V'],
  ['2B', '    3  sign of current 1: "+"'],
  ['00 CC', ' 4-5  current 1 (charge sensor), u16 × 0.125 A: 204 → 25.5 A'],
  ['2B', '    6  sign of current 2: "+"'],
  ['00 18', ' 7-8  current 2 (load sensor), u16 × 0.125 A: 24 → 3.0 A'],
  ['2B', '    9  sign of the battery current: "+" (charging)'],
  ['00 B4', '10-11 battery current I1 − I2, u16 × 0.125 A: 180 → 22.5 A'],
  ['02 B0', '12-13 lowest cell voltage, u16 × 0.005 V: 688 → 3.440 V'],
  ['09', '   14 … on cell 9'],
  ['02 B7', '15-16 highest cell voltage: 695 → 3.475 V'],
  ['04', '   17 … on cell 4'],
  ['01 2C', '18-19 lowest cell temperature, raw 300'],
  ['02', '   20 … on cell 2'],
  ['01 30', '21-22 highest cell temperature, raw 304'],
  ['10', '   23 … on cell 16'],
  ['04', '   24 rotating cell record: cell 4'],
  ['10', '   25 cell count: 16'],
  ['02 B7', '26-27 cell 4 voltage: 695 → 3.475 V'],
  ['01 2E', '28-29 cell 4 temperature, raw 302'],
  ['03', '   30 status 1: 0x03 = allowed to charge (bit 0) + allowed to discharge (bit 1)'],
  ['00 14 6E', '31-33 energy collected today, u24 Wh: 5230 Wh'],
  ['00 37 14', '34-36 energy stored, u24 Wh: 14100 Wh'],
  ['00 03 2C', '37-39 energy consumed today, u24 Wh: 812 Wh'],
  ['63', '   40 SoC: 99 %'],
  ['00 05 F5', '41-43 total energy collected, u24 kWh: 1525 kWh'],
  ['00 05 65', '44-46 total energy consumed, u24 kWh: 1381 kWh'],
  ['1F', '   47 rotating key + 25: 31 → key 6 (firmware version)'],
  ['33', '   48 … value 0x33 (firmware 3.3.x)'],
  ['00 8F', '49-50 capacity, u16 × 0.1 kWh: 143 → 14.3 kWh'],
  ['02 44', '51-52 V-min setting: 580 × 0.005 → 2.90 V'],
  ['02 DA', '53-54 V-max setting: 730 × 0.005 → 3.65 V'],
  ['02 B2', '55-56 V-balance setting: 690 × 0.005 → 3.45 V'],
  ['E5', '   57 checksum: sum of bytes 0-56, low 8 bits'],
];

function decoded(): SmartBmsFrame {
  const result = decodeFrame(frameBytes(FRAME));
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.value;
}

describe('smartbms golden frame (smartbms-S4)', () => {
  it('the annotated bytes are the vector, 58 bytes', () => {
    const vector = loadSmartBmsVectors().find((v) => v.id === 'smartbms-S4')!;
    assert.equal(frameHex(FRAME), vector.hex.toUpperCase());
    assert.equal(frameBytes(FRAME).length, 58);
  });

  it('bytes 0-11: 55.36 V; I1 +25.5 A, I2 +3.0 A, battery +22.5 A', () => {
    const f = decoded();
    assert.equal(f.packVoltage, 55.36);
    assert.deepEqual([f.current1, f.current2, f.batteryCurrent], [25.5, 3, 22.5]);
  });

  it('bytes 12-29: extremes 3.440 V (cell 9) / 3.475 V (cell 4), raw 300 (cell 2) / 304 (cell 16); cell 4 of 16', () => {
    const f = decoded();
    assert.deepEqual(
      [f.lowestCellVoltage, f.lowestCellVoltageCell, f.highestCellVoltage, f.highestCellVoltageCell],
      [3.44, 9, 3.475, 4],
    );
    assert.deepEqual(
      [f.lowestCellTempRaw, f.lowestCellTempCell, f.highestCellTempRaw, f.highestCellTempCell],
      [300, 2, 304, 16],
    );
    assert.deepEqual([f.cellInfoIndex, f.cellCount, f.cellInfoVoltage, f.cellInfoTempRaw], [4, 16, 3.475, 302]);
  });

  it('byte 30: status 0x03 allows charge and discharge, no alarm bit', () => {
    const f = decoded();
    assert.equal(f.allowedToCharge && f.allowedToDischarge, true);
    assert.equal(f.commError || f.vMinExceeded || f.vMaxExceeded || f.tMinExceeded || f.tMaxExceeded, false);
  });

  it('bytes 31-46: energies and SoC 99 %', () => {
    const f = decoded();
    assert.deepEqual(
      [f.todayEnergyCollectedWh, f.energyStoredWh, f.todayEnergyConsumedWh, f.soc],
      [5230, 14100, 812, 99],
    );
    assert.deepEqual([f.totalEnergyCollectedKWh, f.totalEnergyConsumedKWh], [1525, 1381]);
  });

  it('bytes 47-56: key 6 = 0x33; 14.3 kWh; settings 2.90 / 3.65 / 3.45 V', () => {
    const f = decoded();
    assert.deepEqual([f.frameKind, f.kvKey, f.kvValue], ['key-value', 6, 0x33]);
    assert.deepEqual([f.capacityKWh, f.vMinSetting, f.vMaxSetting, f.vBalanceSetting], [14.3, 2.9, 3.65, 3.45]);
  });

  it('byte 57: one wrong checksum byte rejects the frame', () => {
    const bytes = frameBytes(FRAME);
    bytes[57] ^= 1;
    assert.equal(decodeFrame(bytes).ok, false);
  });
});
