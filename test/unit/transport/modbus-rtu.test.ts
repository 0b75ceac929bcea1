import { strict as assert } from 'node:assert';
import { crc16Modbus, crcValid, withCrc } from '../../../src/transport/modbus-rtu';

describe('Modbus RTU CRC', () => {
  it('matches the CRC-16/MODBUS check value and a real request', () => {
    assert.equal(crc16Modbus(Buffer.from('123456789')), 0x4b37);
    // Read 2 holding registers at 0 from unit 1: 01 03 00 00 00 02 C4 0B.
    assert.deepEqual([...withCrc(Buffer.from([1, 3, 0, 0, 0, 2]))], [1, 3, 0, 0, 0, 2, 0xc4, 0x0b]);
  });
  it('validates a frame and rejects any single flipped bit', () => {
    const frame = withCrc(Buffer.from([1, 3, 4, 0x12, 0x34, 0x56, 0x78]));
    assert.ok(crcValid(frame));
    for (let i = 0; i < frame.length * 8; i++) {
      const bad = Buffer.from(frame);
      bad[i >> 3] ^= 1 << (i & 7);
      assert.equal(crcValid(bad), false, `bit ${i}`);
    }
  });
});
