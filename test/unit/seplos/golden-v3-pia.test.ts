/**
 * One Seplos V3 answer annotated field by field: PIA (input registers 0x1000…0x1010, Modbus RTU,
 * big-endian words) from unit 1 of an SG16S200A (vector "01042214CD…D32E" in
 * test/fixtures/vectors/seplos.json). The sweep of every vector is in vectors.test.ts. Layout:
 * docs/protocols/seplos.md#v3-pia.
 */
import { strict as assert } from 'node:assert';
import { BLOCKS, decodePia, parseBlockAnswer, type PiaBlock } from '../../../src/nodes/seplos/protocol-seplos-v3';
import { loadVectors } from '../../helpers/fixtures';
import { type AnnotatedFrame, frameBytes, frameHex } from '../../helpers/golden';

const ANSWER: AnnotatedFrame = [
  ['01', 'unit address 1'],
  ['04', 'function 0x04, read input registers'],
  ['22', 'byte count 34 = 17 registers'],
  ['14 CD', '0x1000 pack voltage, u16 × 0.01 V: 5325 → 53.25 V'],
  ['FF 77', '0x1001 current, s16 × 0.01 A: 0xFF77 = −137 → −1.37 A (discharging)'],
  ['6B 40', '0x1002 remaining capacity, u16 × 0.01 Ah: 27456 → 274.56 Ah'],
  ['80 E8', '0x1003 full capacity, u16 × 0.01 Ah: 33000 → 330.00 Ah'],
  ['01 22', '0x1004 cumulative discharged capacity, raw 290 (10 Ah units)'],
  ['03 40', '0x1005 SoC, u16 × 0.1 %: 832 → 83.2 %'],
  ['03 E7', '0x1006 SoH, u16 × 0.1 %: 999 → 99.9 %'],
  ['00 0A', '0x1007 cycles: 10'],
  ['0C FF', '0x1008 average cell voltage, mV: 3327 mV'],
  ['0B 7F', '0x1009 average cell temperature, u16 × 0.1 K: 2943 → 294.3 K → 21.2 °C'],
  ['0D 00', '0x100A highest cell voltage: 3328 mV'],
  ['0C FF', '0x100B lowest cell voltage: 3327 mV'],
  ['0B 81', '0x100C highest cell temperature: 2945 → 21.4 °C'],
  ['0B 7E', '0x100D lowest cell temperature: 2942 → 21.1 °C'],
  ['00 00', '0x100E not documented, 0'],
  ['00 B4', '0x100F maximum discharge current: 180 A'],
  ['00 B4', '0x1010 maximum charge current: 180 A'],
  ['D3 2E', 'CRC-16/Modbus, low byte first'],
];

function pia(): PiaBlock {
  const data = parseBlockAnswer(frameBytes(ANSWER), 1, BLOCKS.pia);
  assert.ok(data.ok, data.ok ? '' : data.reason);
  const decoded = decodePia(data.value);
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.reason);
  return decoded.value;
}

describe('seplos V3 golden frame (PIA answer, unit 1)', () => {
  it('the annotated bytes are the captured answer', () => {
    const raw = loadVectors<{ raw: string }>('seplos').map((v) => v.raw);
    assert.ok(raw.includes(frameHex(ANSWER)));
  });

  it('header: unit 1, function 0x04, 34 data bytes; a wrong CRC is refused', () => {
    const data = parseBlockAnswer(frameBytes(ANSWER), 1, BLOCKS.pia);
    assert.equal(data.ok && data.value.length, 34);
    const broken = frameBytes(ANSWER);
    broken[broken.length - 1] ^= 1;
    assert.equal(parseBlockAnswer(broken, 1, BLOCKS.pia).ok, false);
  });

  it('0x1000-0x1007: 53.25 V, −1.37 A, 274.56 of 330 Ah, SoC 83.2 %, SoH 99.9 %, 10 cycles', () => {
    const p = pia();
    assert.deepEqual(
      [p.voltage, p.current, p.remainingAh, p.fullAh, p.dischargedRaw, p.soc, p.soh, p.cycles],
      [53.25, -1.37, 274.56, 330, 290, 83.2, 99.9, 10],
    );
  });

  it('0x1008-0x100D: cells 3327 mV average, 3328/3327 mV; 21.2 °C average, 21.4/21.1 °C', () => {
    const p = pia();
    assert.deepEqual([p.avgCellMv, p.maxCellMv, p.minCellMv], [3327, 3328, 3327]);
    const temperatures = [p.avgCellTemperature, p.maxCellTemperature, p.minCellTemperature];
    assert.deepEqual(
      temperatures.map((t) => Math.round(t * 10) / 10),
      [21.2, 21.4, 21.1],
    );
  });

  it('0x100E-0x1010: limits 180 A discharge, 180 A charge; 17 registers leave 0x1011 out', () => {
    const p = pia();
    assert.deepEqual([p.reg100E, p.maxDischargeCurrent, p.maxChargeCurrent, p.reg1011], [0, 180, 180, undefined]);
  });
});
