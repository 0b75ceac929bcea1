/**
 * One Seplos V2 answer annotated field by field: the 0x42 telemetry of a 1101-SP15 (firmware 2.7,
 * address 0; vector "…DC6C" in test/fixtures/vectors/seplos.json). V2 frames are ASCII: every byte is
 * sent as two hex characters between '~' and CR, so the rows below are the characters on the wire.
 * The sweep of every vector is in vectors.test.ts. Layout: docs/protocols/seplos.md#v2-telemetry.
 */
import { strict as assert } from 'node:assert';
import * as v2 from '../../../src/nodes/seplos/protocol-seplos-v2';
import { decodeTelemetry, type V2Telemetry } from '../../../src/nodes/seplos/seplos-v2-payload';
import { loadVectors } from '../../helpers/fixtures';
import type { AnnotatedFrame } from '../../helpers/golden';

const ANSWER: AnnotatedFrame = [
  ['~', 'SOI, start of frame'],
  ['20', 'VER 2.0'],
  ['00', 'ADR, pack address 0'],
  ['46', 'CID1 0x46, lithium battery'],
  ['00', 'RTN 0x00, normal answer'],
  ['1096', 'LENGTH: length checksum 1, LENID 0x096 = 150 INFO characters (75 bytes)'],
  ['00', 'INFO: data flag 0'],
  ['01', 'command group 1'],
  ['10', 'cell count 16'],
  ['0CD7 0CE9 0CF4 0CD6', 'cells 1-4, mV: 3287, 3305, 3316, 3286'],
  ['0CEF 0CE5 0CE1 0CDC', 'cells 5-8: 3311, 3301, 3297, 3292'],
  ['0CE9 0CF0 0CE8 0CEF', 'cells 9-12: 3305, 3312, 3304, 3311'],
  ['0CEA 0CDA 0CDE 0CD8', 'cells 13-16: 3306, 3290, 3294, 3288'],
  ['06', 'temperature count 6'],
  ['0BA6 0BA0 0B97 0BA6', 'cell sensors 1-4, 0.1 K: 2982, 2976, 2967, 2982 → 25.1, 24.5, 23.6, 25.1 °C'],
  ['0BA5', 'ambient: 2981 → 25.0 °C'],
  ['0BA2', 'power board: 2978 → 24.7 °C'],
  ['FD5C', 'current, s16 × 0.01 A: 0xFD5C = −676 → −6.76 A (discharging)'],
  ['14A0', 'pack voltage, u16 × 0.01 V: 5280 → 52.80 V'],
  ['344E', 'remaining capacity, u16 × 0.01 Ah: 13390 → 133.90 Ah'],
  ['0A', 'custom count 10'],
  ['4268', 'full capacity: 17000 → 170.00 Ah'],
  ['0313', 'SoC, u16 × 0.1 %: 787 → 78.7 %'],
  ['4650', 'rated capacity: 18000 → 180.00 Ah'],
  ['0046', 'cycles: 70'],
  ['03E8', 'SoH, u16 × 0.1 %: 1000 → 100.0 %'],
  ['149F', 'port voltage, u16 × 0.01 V: 5279 → 52.79 V'],
  ['0000 0000 0000 0000', 'reserved words'],
  ['DC6C', "CHKSUM: two's complement of the character sum, mod 65536"],
  ['\r', 'EOI, carriage return'],
];

const wire = (rows: AnnotatedFrame): string => rows.map(([chars]) => chars.replace(/ /g, '')).join('');

function telemetry(): V2Telemetry {
  const frame = v2.parseFrame(wire(ANSWER));
  assert.ok(frame.ok, frame.ok ? '' : frame.reason);
  const decoded = decodeTelemetry(frame.value.info);
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.reason);
  return decoded.value;
}

describe('seplos V2 golden frame (0x42 telemetry, 16 cells)', () => {
  it('the annotated characters are the captured answer', () => {
    const raw = loadVectors<{ raw: string }>('seplos').map((v) => v.raw);
    assert.ok(raw.includes(wire(ANSWER)));
  });

  it('envelope: VER 0x20, address 0, CID1 0x46, RTN 0, 150 INFO characters; a changed character is refused', () => {
    const frame = v2.parseFrame(wire(ANSWER));
    assert.ok(frame.ok);
    const f = frame.value;
    assert.deepEqual(
      [f.ver, f.adr, f.cid1, f.code, f.lenid, f.info.length, f.chksum],
      [0x20, 0, 0x46, 0, 150, 75, 'DC6C'],
    );
    assert.equal(v2.parseFrame(wire(ANSWER).replace('14A0', '14A1')).ok, false);
  });

  it('cells: 16 voltages, 3286…3316 mV', () => {
    const t = telemetry();
    assert.deepEqual(
      t.cellsMv,
      [3287, 3305, 3316, 3286, 3311, 3301, 3297, 3292, 3305, 3312, 3304, 3311, 3306, 3290, 3294, 3288],
    );
  });

  it('temperatures: four cell sensors, ambient 25.0 °C, power board 24.7 °C', () => {
    const t = telemetry();
    assert.deepEqual(t.temperaturesRaw, [2982, 2976, 2967, 2982, 2981, 2978]);
    assert.deepEqual(t.cellTemperatures, [25.1, 24.5, 23.6, 25.1]);
    assert.deepEqual([t.ambientTemperature, t.powerTemperature], [25, 24.7]);
  });

  it('pack: −6.76 A, 52.80 V, 133.9 of 170 Ah (rated 180), SoC 78.7 %, 70 cycles, SoH 100 %, port 52.79 V', () => {
    const t = telemetry();
    assert.deepEqual(
      [t.current, t.voltage, t.remainingAh, t.customCount, t.fullAh, t.soc, t.designAh, t.cycles, t.soh, t.portVoltage],
      [-6.76, 52.8, 133.9, 10, 170, 78.7, 180, 70, 100, 52.79],
    );
  });
});
