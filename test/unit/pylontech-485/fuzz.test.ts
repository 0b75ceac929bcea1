/**
 * Decoders never throw and never produce NaN: random INFO bytes through every payload decoder, random
 * bytes and corrupted requests through the answerer (which answers only well-formed requests).
 */
import { strict as assert } from 'node:assert';
import { SimClock } from '../../../src/core/clock';
import * as frames from '../../../src/nodes/pylontech-485/protocol-pylontech-485';
import * as pack from '../../../src/nodes/pylontech-485/protocol-pylontech-485-pack';
import * as system from '../../../src/nodes/pylontech-485/protocol-pylontech-485-system';
import {
  DEFAULT_ANSWERER_SETTINGS,
  PylonAnswerer,
} from '../../../src/nodes/pylontech-485/protocol-pylontech-485-answerer';
import type { Result } from '../../../src/core/result';
import { sampleBank } from '../../helpers/bank-state';
import { Rng } from '../../helpers/rng';

/** Every number reachable in a decoded value is finite. */
function assertFinite(value: unknown, where: string): void {
  if (typeof value === 'number') assert.ok(Number.isFinite(value), `${where}: ${value}`);
  else if (Array.isArray(value)) value.forEach((v, i) => assertFinite(v, `${where}[${i}]`));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) assertFinite(v, `${where}.${k}`);
}

const DECODERS: [string, (info: Buffer) => Result<unknown>][] = [
  ['analog', pack.decodeAnalog],
  ['alarms', pack.decodeAlarms],
  ['management', (info) => pack.decodeManagement(info, true)],
  ['system management', (info) => pack.decodeManagement(info, false, 0.01)],
  ['system parameters', pack.decodeSystemParameters],
  ['manufacturer', pack.decodeManufacturer],
  ['serial', pack.decodeSerialNumber],
  ['firmware', pack.decodeFirmware],
  ['system analog', system.decodeSystemAnalog],
  ['system alarms', system.decodeSystemAlarms],
];

describe('pylontech-485 fuzz', () => {
  it('random INFO through every decoder: a value with finite numbers, or a reason (10 000 buffers)', () => {
    const rng = new Rng(485_001);
    let refused = 0;
    for (let i = 0; i < 1000; i++) {
      const info = rng.bytes(rng.int(0, 140));
      for (const [name, decode] of DECODERS) {
        const result = decode(info);
        if (result.ok) assertFinite(result.value, name);
        else {
          refused++;
          assert.ok(result.reason.length > 0);
        }
      }
    }
    assert.ok(refused > 0, 'short INFO is refused');
  });

  it('random bytes and corrupted requests into the answerer: no throw, answers only to valid requests', () => {
    const rng = new Rng(485_002);
    const clock = new SimClock();
    const answerer = new PylonAnswerer(DEFAULT_ANSWERER_SETTINGS, clock);
    answerer.setBank(sampleBank(clock.now()));
    const good = frames.buildRequest(2, frames.COMMAND.management);
    let answered = 0;
    for (let i = 0; i < 2000; i++) {
      const corrupted = Buffer.from(good);
      corrupted[rng.int(1, corrupted.length - 2)] = rng.pick([...'0123456789ABCDEF'].map((c) => c.charCodeAt(0)));
      const result = answerer.answer(corrupted);
      // one changed character changes the character sum, so only an unchanged frame passes CHKSUM
      const unchanged = corrupted.equals(good);
      assert.equal(result.kind === 'answered', unchanged, corrupted.toString('latin1'));
      if (unchanged) answered++;
      answerer.receive(rng.bytes(rng.int(1, 40)));
    }
    assert.equal(answerer.counters.answered, answered);
    assert.ok(answerer.counters.badFrames > 1000, `bad frames counted: ${answerer.counters.badFrames}`);
  });
});
