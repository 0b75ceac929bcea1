/**
 * The library entry's own logic: frames given as the bytes a port delivers (ASCII line for Seplos V2,
 * binary for the rest) decode as their text form does, an unknown protocol or input is a reason, and
 * encodeBank checks its options and input before encoding.
 */
import { strict as assert } from 'node:assert';
import { DECODERS } from '../../src/cli/decode';
import { PACK_PROTOCOLS, decodeFrame, decoders, encodeBank, type PackProtocol } from '../../src/index';
import { loadVectors } from '../helpers/fixtures';

type Captured = { protocol: string; direction?: string; raw?: string; hex?: string; request?: string };

const withoutTime = (r: ReturnType<typeof decodeFrame>) => (r.ok ? { ...r, pack: { ...r.pack, time: 0 } } : r);

/** Captured frames of every BMS protocol: [protocol, bytes, request bytes, the text the CLI takes]. */
function capturedFrames(): Array<[PackProtocol, Buffer, Buffer | undefined, string, string | undefined]> {
  const jk: Record<string, PackProtocol> = { 'jk-b-nw': 'jk-nw', 'jk-pb-modbus': 'jk-pb', 'jk02-ble': 'jk02' };
  const out: Array<[PackProtocol, Buffer, Buffer | undefined, string, string | undefined]> = [];
  for (const v of loadVectors<Captured>('jk-bms')) {
    const hex = v.hex!.replace(/\s/g, '');
    const request = v.request?.replace(/\s/g, '');
    out.push([
      jk[v.protocol],
      Buffer.from(hex, 'hex'),
      request ? Buffer.from(request, 'hex') : undefined,
      hex,
      request,
    ]);
  }
  for (const v of loadVectors<Captured>('seplos').filter((e) => e.direction === 'response')) {
    const protocol = v.protocol as PackProtocol;
    const ascii = protocol === 'seplos-v2';
    out.push([protocol, Buffer.from(v.raw!, ascii ? 'latin1' : 'hex'), undefined, v.raw!.trim(), undefined]);
  }
  for (const v of loadVectors<Captured>('smartbms')) {
    const hex = v.hex!.replace(/\s/g, '');
    out.push(['smartbms', Buffer.from(hex, 'hex'), undefined, hex, undefined]);
  }
  return out;
}

describe('library entry', () => {
  it('decodes the bytes of every captured frame as the cellsafe command decodes its text', () => {
    const frames = capturedFrames();
    const seen = new Set(frames.map(([protocol]) => protocol));
    assert.deepEqual([...seen].sort(), [...PACK_PROTOCOLS].sort());
    let decoded = 0;
    for (const [protocol, bytes, request, text, requestText] of frames) {
      const fromBytes = decodeFrame(protocol, bytes, request);
      const fromText = DECODERS[protocol](text, requestText);
      const cliAsLibrary = fromText.ok ? { ok: true as const, pack: fromText.value } : fromText;
      assert.deepEqual(withoutTime(fromBytes), withoutTime(cliAsLibrary), `${protocol} ${text}`);
      assert.deepEqual(withoutTime(decoders[protocol](text, requestText)), withoutTime(fromBytes));
      if (fromBytes.ok) decoded += 1;
    }
    assert.ok(decoded >= 12, `${decoded} frames gave a PackState`);
  });

  it('takes the frames of one read as an array (Seplos V2 telemetry plus alarms give the FET state)', () => {
    const v2 = loadVectors<Captured>('seplos').filter((v) => v.protocol === 'seplos-v2' && v.direction === 'response');
    // A 0x42 telemetry answer of address 0 (decodes alone, FET state unknown) and a 0x44 alarm answer of address 0.
    const telemetry = v2.find((v) => {
      const alone = decodeFrame('seplos-v2', v.raw!);
      return v.raw!.startsWith('~2000') && alone.ok && alone.pack.extra?.fetStateUnknown === true;
    })!.raw!;
    const alarms = v2.find((v) => /^~20004600[0-9A-F]{4}00011000/.test(v.raw!) && v.raw!.length < 130)!.raw!;
    const alone = decodeFrame('seplos-v2', Buffer.from(telemetry, 'latin1'));
    const both = decodeFrame('seplos-v2', [Buffer.from(telemetry, 'latin1'), Buffer.from(alarms, 'latin1')]);
    assert.ok(alone.ok && both.ok);
    assert.equal(alone.pack.extra?.fetStateUnknown, true);
    assert.equal(both.pack.extra?.fetStateUnknown, undefined);
    assert.equal(both.pack.voltage, alone.pack.voltage);
  });

  it('an unknown protocol, a non-frame input or a bad bank is a reason, never an exception', () => {
    assert.match((decodeFrame('jk-xyz' as PackProtocol, '00') as { reason: string }).reason, /unknown protocol/);
    for (const bad of [42, null, [], [Buffer.alloc(2), 7]]) {
      const result = decodeFrame('jk-nw', bad as unknown as Buffer);
      assert.equal(result.ok, false);
    }
    const bank = { cvl: 55.2, ccl: 100, dcl: 150, soc: 64, voltage: 53.1, current: 12, temperature: 24 };
    assert.equal(encodeBank('victron', bank).ok, true);
    assert.match((encodeBank('nope' as 'victron', bank) as { reason: string }).reason, /unknown protocol/);
    assert.match((encodeBank('pylontech', bank, { profile: 'nope' }) as { reason: string }).reason, /nope/);
    assert.match((encodeBank('victron', { ...bank, ccl: 'lots' }) as { reason: string }).reason, /ccl/);
  });
});
