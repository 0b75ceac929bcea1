/**
 * The plausibility gate on Seplos data: every captured answer that carries pack data passes it, in
 * every combination the CLI accepts; a pack the gate refuses is rejected with the reason by the
 * bank listener (counted, never emitted) and by the CLI.
 */
import { strict as assert } from 'node:assert';
import type { PackState } from '../../../src/core/pack-state';
import { V2BankListener } from '../../../src/nodes/seplos/listener';
import { decodeSeplosV2, decodeSeplosV3 } from '../../../src/nodes/seplos/cli-decode';
import * as v2 from '../../../src/nodes/seplos/protocol-seplos-v2';
import * as v2Payload from '../../../src/nodes/seplos/seplos-v2-payload';
import { SEPLOS_VECTORS } from '../../helpers/seplos-vectors';
import { assertPlausible } from '../../helpers/plausible';

const VECTORS = SEPLOS_VECTORS;
const responses = (protocol: string, command: string) =>
  VECTORS.filter((v) => v.protocol === protocol && v.command === command && v.direction === 'response');

describe('seplos plausibility gate', () => {
  it('every V2 0x42 capture passes, alone and with every 0x44 capture', () => {
    const telemetry = responses('seplos-v2', '0x42').map((v) => v.raw.trim());
    const alarms = responses('seplos-v2', '0x44').map((v) => v.raw.trim());
    assert.ok(telemetry.length >= 4 && alarms.length >= 3);
    for (const t of telemetry) {
      for (const text of [t, ...alarms.map((a) => `${t} ${a}`)]) {
        const r = decodeSeplosV2(text);
        assert.ok(r.ok, r.ok ? '' : `${r.reason}: ${text}`);
        assertPlausible(r.value, text);
      }
    }
  });

  it('the V2 0x5A capture passes (no cell list: its highest and lowest cell are judged)', () => {
    const [record] = responses('seplos-v2', '0x5A');
    const r = decodeSeplosV2(record.raw.trim());
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.deepEqual(r.value.cells, []);
  });

  it('every V3 PIA capture passes alone, and with the PIB and PIC of its pack', () => {
    const block = (start: string, id: number) =>
      VECTORS.filter((v) => v.start_address === start && v.expected.slave_id === id && !v.expected.exception);
    let combined = 0;
    for (const pia of VECTORS.filter((v) => v.start_address === '0x1000')) {
      const id = pia.expected.slave_id as number;
      const alone = decodeSeplosV3(pia.raw);
      assert.ok(alone.ok, alone.ok ? '' : alone.reason);
      for (const pib of block('0x1100', id)) {
        for (const pic of [...block('0x1200', id), undefined]) {
          const r = decodeSeplosV3([pia.raw, pib.raw, pic?.raw].filter(Boolean).join(' '));
          assert.ok(r.ok, r.ok ? '' : r.reason);
          assertPlausible(r.value, `V3 pack ${id}`);
          combined++;
        }
      }
    }
    assert.ok(combined >= 3, `${combined} combinations`);
  });

  describe('a 0x42 answer whose pack voltage is far from its cells', () => {
    const [captured] = responses('seplos-v2', '0x42');
    const frame = v2.parseFrame(captured.raw.trim());
    assert.ok(frame.ok);
    const t = v2Payload.decodeTelemetry(frame.value.info);
    assert.ok(t.ok);
    // The pack voltage word sits after the cells, the sensors and the current: rewrite it as 5.28 V.
    const info = Buffer.from(frame.value.info);
    const at = 3 + 2 * t.value.cellsMv.length + 1 + 2 * t.value.temperaturesRaw.length + 2;
    assert.equal(info.readUInt16BE(at), Math.round(t.value.voltage * 100));
    info.writeUInt16BE(528, at);
    const bad = v2.encodeFrame(frame.value.adr, 0x00, info);

    it('the CLI rejects it with the reason', () => {
      const r = decodeSeplosV2(bad);
      assert.equal(r.ok, false);
      assert.match((r as { reason: string }).reason, /^implausible: pack voltage 5\.28 V does not match the cell sum/);
    });

    it('the bank listener rejects it (counted) and emits nothing', () => {
      const packs: PackState[] = [];
      const reasons: string[] = [];
      const listener = new V2BankListener(
        { onPack: (_a, build) => packs.push(build('p')), onReject: (r) => reasons.push(r) },
        5000,
      );
      const [alarms] = responses('seplos-v2', '0x44');
      const adr = frame.value.adr;
      const ask = (cid2: number): Buffer => v2.buildRequest(adr, cid2);
      listener.push(Buffer.concat([ask(0x42), Buffer.from(bad, 'latin1')]), 0);
      listener.push(Buffer.concat([ask(0x44), Buffer.from(alarms.raw, 'latin1')]), 100);
      assert.equal(packs.length, 0);
      assert.equal(reasons.length, 1);
      assert.match(reasons[0], /^implausible: pack voltage 5\.28 V/);
    });
  });
});
