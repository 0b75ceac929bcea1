/**
 * "Why the limit" words (limit-reasons.ts): every reason the engine sets below a configured maximum has
 * words in the node's catalog and a line in the help; a limit set by the configuration itself, and the
 * BLIND/FAILSAFE modes, need none; pack ids holding ':' or 'C' are parsed whole.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { limitReasons, parseLimitedBy } from '../../../src/nodes/bms-rules/limit-reasons';
import type { PackReport, RulesBankState } from '../../../src/nodes/bms-rules/engine';
import { REPO_ROOT } from '../../helpers/fixtures';
import { translate } from '../../helpers/rules-catalog';

const report = { cellMax: 3.512, cellMin: 2.987, soc: 96.4 } as PackReport;

function bank(ccl: string, dcl = 'share:P1', mode: RulesBankState['mode'] = 'normal'): RulesBankState {
  return {
    mode,
    ccl: 12.4,
    dcl: 100,
    limitedBy: { cvl: 'bulk', ccl, dcl },
    packStates: { 'host:C2': report, P1: report },
  } as unknown as RulesBankState;
}

describe('bms-rules limit reasons', () => {
  it('says every engine reason in words, with the values behind it', () => {
    const words: Array<[string, string]> = [
      ['cell:host:C2C7', 'CCL 12 A: cell host:C2 #7 at 3.512 V'],
      ['bms:P1', 'CCL 12 A: limit sent by the BMS of P1'],
      ['bmsAlarm:P1:chargeOverTemperature', 'CCL 12 A: BMS alarm on P1: charge over temperature'],
      ['bms:noChargePack', 'CCL 12 A: no pack can charge (every charge switch is open)'],
      ['temp:P1', 'CCL 12 A: temperature of P1'],
      ['mos:P1', 'CCL 12 A: MOS temperature of P1'],
      ['soc:P1', 'CCL 12 A: SoC of P1 at 96 %'],
      ['float', 'CCL 12 A: float charge current cap'],
      ['floor', 'CCL 12 A: minimum charge current'],
      ['ramp', 'CCL 12 A: rising step by step after a lower limit'],
      ['latch:cellHigh', 'CCL 12 A: cell over-voltage stop'],
      ['latch:tempCharge', 'CCL 12 A: charge temperature stop'],
      ['none', 'CCL 12 A: no pack counts'],
    ];
    for (const [by, text] of words) assert.equal(limitReasons(bank(by), translate), text, by);
    assert.equal(
      limitReasons(bank('sum', 'cell:P1C3'), translate),
      'DCL 100 A: cell P1 #3 at 2.987 V',
      'the lowest cell for the DCL',
    );
    assert.equal(
      limitReasons(bank('latch:cellHigh', 'latch:cellLow'), translate),
      'CCL 12 A: cell over-voltage stop · DCL 100 A: cell under-voltage stop',
    );
  });

  it('needs no words at a configured maximum, nor in BLIND or FAILSAFE', () => {
    for (const by of ['config:P1', 'share:P1', 'sum', 'system'])
      assert.equal(limitReasons(bank(by), translate), undefined);
    assert.equal(limitReasons(bank('blind', 'blind', 'blind'), translate), undefined);
    assert.equal(limitReasons(bank('failsafe', 'failsafe', 'failsafe'), translate), undefined);
  });

  it('the help explains every reason', () => {
    const help = fs.readFileSync(path.join(REPO_ROOT, 'src/nodes/bms-rules/editor/help.html'), 'utf8');
    const section = help.slice(help.indexOf('<h4>Why a limit is held down</h4>'));
    for (const code of [
      'cell:',
      'temp:',
      'mos:',
      'soc:',
      'bms:P2',
      'bmsAlarm:',
      'bms:noChargePack',
      'float',
      'floor',
      'ramp',
    ]) {
      assert.ok(section.includes(`<dt>${code}`) || section.includes(`, ${code}`), code);
    }
    for (const latch of ['cellHigh', 'cellLow', 'tempCharge', 'tempDischarge'])
      assert.ok(section.includes(`latch:${latch}`), latch);
  });

  it('takes reasons apart, with pack ids holding ":" or "C" kept whole', () => {
    assert.deepEqual(parseLimitedBy('cell:jk-2C7'), { reason: 'cell', pack: 'jk-2', cell: 7 });
    assert.deepEqual(parseLimitedBy('cell:host:CAN-C2C16'), { reason: 'cell', pack: 'host:CAN-C2', cell: 16 });
    assert.deepEqual(parseLimitedBy('bmsAlarm:a:b:cellOverVoltage'), {
      reason: 'bmsAlarm',
      pack: 'a:b',
      alarm: 'cellOverVoltage',
    });
    assert.deepEqual(parseLimitedBy('bms:noChargePack'), { reason: 'noChargePack' });
    assert.deepEqual(parseLimitedBy('bms:P:1'), { reason: 'bms', pack: 'P:1' });
    assert.deepEqual(parseLimitedBy('latch:tempDischarge'), { reason: 'latch.tempDischarge' });
    assert.deepEqual(parseLimitedBy('share:jk-1'), { reason: 'share', pack: 'jk-1' });
    assert.deepEqual(parseLimitedBy('ramp'), { reason: 'ramp' });
  });
});
