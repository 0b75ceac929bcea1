/**
 * Acceptance 1: every vector in test/fixtures/vectors/jk-bms.json decodes to its `expected` values and
 * its PackState passes the plausibility gate; the vendor example with a wrong checksum is rejected
 * with a reason (and decodes with the check off). Cell-info frames decoded without a layout land in
 * the layout the capture came from.
 */
import { strict as assert } from 'node:assert';
import { validatePackState } from '../../../src/core/pack-state';
import { crcValid } from '../../../src/transport/modbus-rtu';
import { liveToPackState, nwToPackState } from '../../../src/nodes/jk-bms/jk-pack-state';
import { decodeNw, readAllRequest } from '../../../src/nodes/jk-bms/protocol-jk-nw';
import { decodeReadAnswer, decodeTriggerAnswer, parseReadRequest } from '../../../src/nodes/jk-bms/protocol-jk-pb';
import { decodeJk02, type Jk02Frame } from '../../../src/nodes/jk-bms/protocol-jk02';
import { jk02PackState } from '../../../src/nodes/jk-bms/jk02-layout';
import { JK_DECODERS } from '../../../src/nodes/jk-bms/cli-decode';
import { loadVectors } from '../../helpers/fixtures';

interface Vector {
  id: string;
  protocol: string;
  kind: string;
  frame?: string;
  request?: string;
  hex: string;
  expected: Record<string, unknown>;
}
export const JK_VECTORS: Vector[] = loadVectors('jk-bms') as Vector[];

/** Compares every expected key (recursively into objects) with the decoded value. */
function assertMatches(actual: Record<string, unknown>, expected: Record<string, unknown>, where: string): void {
  for (const [k, e] of Object.entries(expected)) {
    const a = actual[k];
    if (e !== null && typeof e === 'object' && !Array.isArray(e)) {
      assert.ok(a && typeof a === 'object', `${where}.${k} missing`);
      assertMatches(a as Record<string, unknown>, e as Record<string, unknown>, `${where}.${k}`);
    } else if (typeof e === 'number') {
      assert.equal(typeof a, 'number', `${where}.${k} missing`);
      assert.ok(Math.abs((a as number) - e) < 1e-9, `${where}.${k}: expected ${e}, got ${String(a)}`);
    } else {
      assert.deepEqual(a, e, `${where}.${k}`);
    }
  }
}

function frameFields(f: Jk02Frame): Record<string, unknown> {
  const body = f.type === 'cellInfo' ? f.live : f.type === 'settings' ? f.settings : f.info;
  return { ...f, ...body };
}

const layoutOf = (v: Vector): 'JK02_24S' | 'JK02_32S' => ((v.frame ?? '').includes('24S') ? 'JK02_24S' : 'JK02_32S');
const meta = { id: 'p', time: 1, protocol: 'jk-pb' as const };

describe('jk-bms vectors', () => {
  it('has the 16 captured vectors and the two further JK02_24S captures', () => {
    assert.equal(JK_VECTORS.length, 18);
    assert.equal(JK_VECTORS.filter((v) => v.frame?.startsWith('JK02_24S')).length, 2);
  });

  it('builds the NW read-all request byte for byte', () => {
    assert.equal(readAllRequest().toString('hex').toUpperCase(), '4E5700130000000006030000000000006800000129');
  });

  for (const v of JK_VECTORS) {
    const bytes = Buffer.from(v.hex, 'hex');
    it(`${v.id}`, () => {
      if (v.protocol === 'jk-b-nw') {
        const r = decodeNw(bytes);
        if (v.expected.checksumValid === false) {
          assert.equal(r.ok, false);
          assert.match((r as { reason: string }).reason, /checksum/);
          assert.equal(JK_DECODERS['jk-nw'](v.hex).ok, false);
          const unchecked = decodeNw(bytes, { verifyChecksum: false });
          assert.ok(unchecked.ok);
          assertMatches(unchecked.value, v.expected, v.id);
          return;
        }
        assert.ok(r.ok, r.ok ? '' : r.reason);
        assertMatches(r.value, v.expected, v.id);
        const gated = nwToPackState(r.value, { ...meta, protocol: 'jk-nw' });
        assert.ok(gated.ok, gated.ok ? '' : gated.reason);
        const pack = gated.value;
        assert.ok(validatePackState(pack).ok);
        assert.equal(pack.voltage, v.expected.packVoltage);
        assert.equal(pack.current, v.expected.current);
        assert.deepEqual(pack.cells, v.expected.cellVoltages);
        assert.equal(pack.chargeAllowed, v.expected.chargeFetOn);
        return;
      }
      if (v.kind === 'fc03-response') {
        const req = parseReadRequest(Buffer.from(v.request!, 'hex'));
        assert.ok(req.ok);
        const r = decodeReadAnswer(bytes, req.value);
        assert.ok(r.ok, r.ok ? '' : r.reason);
        assert.equal(r.value.block, 'live');
        const live = (r.value as { live: Record<string, unknown> }).live;
        assertMatches({ ...live, crcValid: crcValid(bytes), byteCount: bytes[2] }, v.expected, v.id);
        const cli = JK_DECODERS['jk-pb'](v.hex, v.request);
        assert.ok(cli.ok && validatePackState(cli.value).ok);
        assert.equal(cli.ok && cli.value.voltage, v.expected.packVoltage);
        return;
      }
      let frame: Jk02Frame;
      let extra: Record<string, unknown> = {};
      if (v.kind === 'pb-trigger-response') {
        const r = decodeTriggerAnswer(bytes, layoutOf(v));
        assert.ok(r.ok, r.ok ? '' : r.reason);
        frame = r.value.frame;
        extra = { ...r.value, requestCrcValid: v.request ? crcValid(Buffer.from(v.request, 'hex')) : undefined };
      } else {
        const r = decodeJk02(bytes, layoutOf(v));
        assert.ok(r.ok, r.ok ? '' : r.reason);
        frame = r.value;
      }
      assertMatches({ ...extra, ...frameFields(frame) }, v.expected, v.id);
      if (frame.type === 'cellInfo') {
        const gated = liveToPackState(frame.live, meta);
        assert.ok(gated.ok, gated.ok ? '' : gated.reason);
        const pack = gated.value;
        const ok = validatePackState(pack);
        assert.ok(ok.ok, ok.ok ? '' : ok.reason);
        assert.equal(pack.soc, v.expected.soc);
        assert.equal(pack.current, v.expected.current);
        assert.deepEqual(pack.cells, v.expected.cellVoltages);
        // Without a configured layout, the gate picks the one the capture came from.
        const auto = jk02PackState(bytes.subarray(0, 300), meta);
        assert.ok(auto.ok, auto.ok ? '' : auto.reason);
        assert.equal(auto.value.extra!.layout, layoutOf(v));
        assert.deepEqual(auto.value, pack);
      }
    });
  }
});

describe('jk-bms alarm words', () => {
  const decoded = decodeJk02(
    Buffer.from(JK_VECTORS.find((x) => x.id.includes('status-8s'))!.hex, 'hex').subarray(0, 300),
  );
  assert.ok(decoded.ok && decoded.value.type === 'cellInfo');
  const live = decoded.value.live;

  const packOf = (alarmsRaw: number) => {
    const pack = liveToPackState({ ...live, alarmsRaw }, meta);
    assert.ok(pack.ok, pack.ok ? '' : pack.reason);
    return pack.value;
  };

  it('names every one of the 32 PB alarm bits', () => {
    for (let bit = 0; bit < 32; bit++) {
      const pack = packOf(2 ** bit);
      assert.equal((pack.extra!.alarmFlags as string[]).length, 1, `bit ${bit}`);
    }
  });

  it('maps protection bits to alarm names with their level', () => {
    const pack = packOf((1 << 13) | (1 << 4) | (1 << 19));
    assert.deepEqual(pack.alarms, { dischargeOverCurrent: 'alarm', cellOverVoltage: 'warn' });
    assert.deepEqual(pack.extra!.alarmFlags, ['cellOverVoltage', 'dischargeOverCurrent', 'changePasswordReminder']);
  });
});
