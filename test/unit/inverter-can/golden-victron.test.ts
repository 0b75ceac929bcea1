/**
 * Victron CAN-bus BMS protocol, the three frames a GX needs most, annotated byte by byte. Capture: a
 * Seplos BMS in Victron mode on a Venus OS GX (vector "esphome-virtual-can-bms" in
 * test/fixtures/vectors/inverter-can.json). All values little-endian; the full sweep of every vector is
 * in vectors.test.ts. Layout: docs/protocols/inverter-can.md.
 */
import { strict as assert } from 'node:assert';
import { canFrame } from '../../../src/transport/can-frame';
import { decodeVictronSet } from '../../../src/nodes/inverter-can/protocol-victron';
import { type AnnotatedFrame, frameBytes, frameHex } from '../../helpers/golden';
import { VECTORS } from './vectors';

/** 0x351: charge and discharge limits. */
const LIMITS: AnnotatedFrame = [
  ['43 02', 'CVL, u16 × 0.1 V: 0x0243 = 579 → 57.9 V'],
  ['E8 03', 'CCL, u16 × 0.1 A: 0x03E8 = 1000 → 100.0 A'],
  ['9E 07', 'DCL, u16 × 0.1 A: 0x079E = 1950 → 195.0 A'],
  ['D0 01', 'DVL, u16 × 0.1 V: 0x01D0 = 464 → 46.4 V'],
];

/** 0x355: state of charge and health. */
const SOC: AnnotatedFrame = [
  ['3C 00', 'SoC, u16 %: 60 %'],
  ['64 00', 'SoH, u16 %: 100 %'],
  ['84 17', 'SoC high resolution, u16 × 0.01 %: 0x1784 = 6020 → 60.20 %'],
  ['00 00', 'unused'],
];

/** 0x356: measured voltage, current and temperature. */
const MEASURED: AnnotatedFrame = [
  ['61 14', 'voltage, s16 × 0.01 V: 0x1461 = 5217 → 52.17 V'],
  ['D3 FE', 'current, s16 × 0.1 A: 0xFED3 = −301 → −30.1 A (negative = discharging)'],
  ['EB 00', 'temperature, s16 × 0.1 °C: 0x00EB = 235 → 23.5 °C'],
  ['1A 00', 'not in the Victron layout; this Seplos sends 26 (probably its cycle count)'],
];

const capture = VECTORS.find((v) => v.protocol === 'victron' && v.source.includes('esphome-virtual-can-bms'))!;
const view = decodeVictronSet([
  canFrame(0x351, frameBytes(LIMITS)),
  canFrame(0x355, frameBytes(SOC)),
  canFrame(0x356, frameBytes(MEASURED)),
]);

describe('victron golden frames (0x351, 0x355, 0x356)', () => {
  it('the annotated bytes are the captured frames', () => {
    const data = (id: string): string | undefined => capture.frames.find((f) => f.id === id)?.data;
    assert.equal(frameHex(LIMITS), data('0x351'));
    assert.equal(frameHex(SOC), data('0x355'));
    assert.equal(frameHex(MEASURED), data('0x356'));
  });

  it('0x351 limits: CVL 57.9 V, CCL 100 A, DCL 195 A, DVL 46.4 V', () => {
    assert.deepEqual([view.cvl, view.ccl, view.dcl, view.dvl], [57.9, 100, 195, 46.4]);
  });

  it('0x355 charge: SoC 60 %, SoH 100 %, high-resolution SoC 60.2 %', () => {
    assert.equal(view.soc, 60);
    assert.equal(view.soh, 100);
    assert.ok(Math.abs((view.fields.socHiRes as number) - 60.2) < 1e-9);
  });

  it('0x356 measured: 52.17 V, −30.1 A (signed), 23.5 °C', () => {
    assert.equal(view.voltage, 52.17);
    assert.ok(Math.abs(view.current! - -30.1) < 1e-9);
    assert.ok(Math.abs(view.temperature! - 23.5) < 1e-9);
  });
});
