/**
 * The battery side of Pylontech RS485: random BankStates are answered, decoded with the inverter's
 * decoders and match the bank within one LSB with every out-of-range value clamped, never wrapped
 * (acceptance 3); stale bank → zero limits and the fault, unknown command → RTN 0x04 (acceptance 2);
 * no bank → no answer; other addresses ignored; a group request lists every virtual pack.
 */
import { strict as assert } from 'node:assert';
import { SimClock } from '../../../src/core/clock';
import type { BankState } from '../../../src/core/pack-state';
import * as frames from '../../../src/nodes/pylontech-485/protocol-pylontech-485';
import * as pack from '../../../src/nodes/pylontech-485/protocol-pylontech-485-pack';
import * as system from '../../../src/nodes/pylontech-485/protocol-pylontech-485-system';
import {
  DEFAULT_ANSWERER_SETTINGS,
  PylonAnswerer,
  type AnswererSettings,
  type PollResult,
} from '../../../src/nodes/pylontech-485/protocol-pylontech-485-answerer';
import type { Result } from '../../../src/core/result';
import { sampleBank } from '../../helpers/bank-state';
import { Rng } from '../../helpers/rng';

const clampTo = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

function within(actual: number, expected: number, lsb: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= lsb + 1e-9, `${what}: read ${actual}, expected ${expected} (±${lsb})`);
}

function value<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(result.reason);
  return result.value;
}

function setup(over: Partial<AnswererSettings> = {}): { clock: SimClock; answerer: PylonAnswerer } {
  const clock = new SimClock();
  return { clock, answerer: new PylonAnswerer({ ...DEFAULT_ANSWERER_SETTINGS, ...over }, clock) };
}

/** Sends the documented request and returns the answer frame's INFO (RTN 0 required). */
function ask(answerer: PylonAnswerer, cid2: number, adr = 2, commandValue?: number): Buffer {
  const result = answerer.answer(frames.buildRequest(adr, cid2, commandValue));
  assert.equal(result.kind, 'answered', result.kind === 'ignored' ? result.reason : '');
  return value(frames.parseAnswer((result as Extract<PollResult, { kind: 'answered' }>).frame)).info;
}

function randomBank(rng: Rng, time: number): BankState {
  const span = (lo: number, hi: number): number => lo + rng.next() * (hi - lo);
  const min = span(2.5, 3.4);
  return sampleBank(time, {
    cvl: rng.chance(0.1) ? 0 : span(1, 90),
    ccl: span(0, 5000),
    dcl: span(0, 5000),
    dvl: span(0, 90),
    chargeAllowed: rng.chance(0.8),
    dischargeAllowed: rng.chance(0.8),
    forceCharge: rng.chance(0.2),
    soc: span(0, 100),
    voltage: span(1, 80),
    current: span(-5000, 5000),
    temperature: { min: span(-40, 10), avg: span(10, 30), max: span(30, 90) },
    capacityAh: { installed: 20000, online: rng.chance(0.5) ? span(5, 65) : span(66, 20000) },
    cellMin: { v: min, pack: 'P1', cell: rng.int(1, 16) },
    cellMax: { v: min + span(0, 0.3), pack: 'P1', cell: rng.int(1, 16) },
  });
}

function checkManagement(bank: BankState, m: pack.Management, dclSign: number): void {
  const holdVoltage = !(bank.cvl >= 1);
  const cvl = holdVoltage ? Math.max(bank.voltage, bank.dvl) : bank.cvl;
  const ccl = bank.chargeAllowed && !holdVoltage ? bank.ccl : 0;
  const dcl = bank.dischargeAllowed ? bank.dcl : 0;
  within(m.cvl, clampTo(cvl, 0, 65.535), 0.001, 'cvl');
  within(m.dvl, clampTo(bank.dvl, 0, 65.535), 0.001, 'dvl');
  within(m.ccl, clampTo(ccl, 0, 3276.7), 0.1, 'ccl');
  within(m.dcl, clampTo(dclSign * dcl, -3276.8, 3276.7), 0.1, 'dcl');
  assert.equal(m.chargeEnable, ccl > 0);
  assert.equal(m.dischargeEnable, dcl > 0);
  assert.equal(m.chargeImmediately1 && m.chargeImmediately2, bank.forceCharge);
}

function checkAnalog(bank: BankState, info: Buffer): void {
  const answer = value(pack.decodeAnalog(info));
  const [block] = answer.packs;
  within(block.voltage, clampTo(bank.voltage, 0, 65.535), 0.001, 'voltage');
  within(block.current, clampTo(bank.current, -3276.8, 3276.7), 0.1, 'current');
  const totalAh = clampTo(bank.capacityAh.online, 0, block.userItems === 2 ? 65.535 : 16777.215);
  within(block.totalAh, totalAh, 0.001, 'total Ah');
  if (bank.capacityAh.online < 16000) within((block.remainingAh / block.totalAh) * 100, bank.soc, 0.1, 'soc');
  assert.equal(block.cellsMv.length, 16);
  within(block.cellsMv[bank.cellMin.cell - 1], bank.cellMin.v * 1000, 1, 'lowest cell');
  if (bank.cellMax.cell !== bank.cellMin.cell)
    within(block.cellsMv[bank.cellMax.cell - 1], bank.cellMax.v * 1000, 1, 'highest cell');
  within(Math.min(...block.cellsMv), bank.cellMin.v * 1000, 1, 'min cell');
  within(Math.max(...block.cellsMv), bank.cellMax.v * 1000, 1, 'max cell');
  const { min, max, avg } = bank.temperature;
  [avg, min, avg, max, avg].forEach((t, i) => within(block.temperaturesC[i], t, 0.1, `temperature ${i}`));
}

function checkSystemAnalog(bank: BankState, info: Buffer): void {
  const s = value(system.decodeSystemAnalog(info));
  within(s.voltage, clampTo(bank.voltage, 0, 65.535), 0.001, '0x61 voltage');
  within(s.current, clampTo(bank.current, -327.68, 327.67), 0.01, '0x61 current');
  within(s.soc, bank.soc, 1, '0x61 soc');
  assert.ok(s.soc <= bank.soc, 'SOC is never reported above the bank SOC');
}

describe('pylontech-485 answerer', () => {
  it('property: random BankStates answer within one LSB, clamped ranges never wrap (400 banks)', () => {
    const rng = new Rng(20_485);
    const { clock, answerer } = setup({ cellCount: 16 });
    for (let i = 0; i < 400; i++) {
      const bank = randomBank(rng, clock.now());
      answerer.setBank(bank);
      checkManagement(bank, value(pack.decodeManagement(ask(answerer, frames.COMMAND.management), true)), -1);
      checkManagement(bank, value(pack.decodeManagement(ask(answerer, frames.COMMAND.systemManagement), false)), 1);
      checkAnalog(bank, ask(answerer, frames.COMMAND.analog));
      checkSystemAnalog(bank, ask(answerer, frames.COMMAND.systemAnalog));
      const alarms = value(pack.decodeAlarms(ask(answerer, frames.COMMAND.alarms)));
      const status2 = alarms.packs[0].status[1];
      assert.equal((status2 & pack.STATUS2.chargeMosfet) !== 0, bank.chargeAllowed && bank.ccl > 0 && bank.cvl >= 1);
    }
    assert.equal(answerer.counters.errors, 0);
    assert.equal(answerer.counters.answered, 400 * 5);
  });

  it('clamps instead of wrapping at the field ends', () => {
    const { clock, answerer } = setup();
    answerer.setBank(sampleBank(clock.now(), { ccl: 1e6, dcl: 1e6, cvl: 1e3, current: -1e6, voltage: 1e3 }));
    const m = value(pack.decodeManagement(ask(answerer, frames.COMMAND.management), true));
    assert.deepEqual([m.cvl, m.ccl, m.dcl], [65.535, 3276.7, -3276.8]);
    const block = value(pack.decodeAnalog(ask(answerer, frames.COMMAND.analog))).packs[0];
    assert.deepEqual([block.voltage, block.current], [65.535, -3276.8]);
  });

  it('stale bank: zero limits, enable bits clear, module error and system fault; fresh bank restores them', () => {
    const { clock, answerer } = setup({ staleSec: 10 });
    answerer.setBank(sampleBank(clock.now()));
    let m = value(pack.decodeManagement(ask(answerer, frames.COMMAND.management), true));
    assert.deepEqual([m.ccl, m.dcl, m.chargeEnable, m.dischargeEnable], [100, -150, true, true]);
    clock.advance(10_001);
    m = value(pack.decodeManagement(ask(answerer, frames.COMMAND.management), true));
    assert.deepEqual([m.cvl, m.ccl, m.dcl, m.chargeEnable, m.dischargeEnable], [55.2, 0, 0, false, false]);
    const alarms = value(pack.decodeAlarms(ask(answerer, frames.COMMAND.alarms)));
    assert.equal(alarms.packs[0].moduleVoltageState, pack.ALARM_STATE.otherError);
    const sys = value(system.decodeSystemAlarms(ask(answerer, frames.COMMAND.systemAlarms)));
    assert.equal(sys.protection2 & system.SYSTEM_BITS_2.systemFault, system.SYSTEM_BITS_2.systemFault);
    const m63 = value(pack.decodeManagement(ask(answerer, frames.COMMAND.systemManagement), false));
    assert.deepEqual([m63.ccl, m63.dcl, m63.chargeEnable], [0, 0, false]);
    answerer.setBank(sampleBank(clock.now()));
    m = value(pack.decodeManagement(ask(answerer, frames.COMMAND.management), true));
    assert.deepEqual([m.ccl, m.chargeEnable], [100, true]);
  });

  it('a bank is as old as its own time: measured 9.5 s before it arrives, it answers as stale 0.5 s later (staleSec 10)', () => {
    const { clock, answerer } = setup({ staleSec: 10 });
    answerer.setBank(sampleBank(clock.now() - 9_500));
    let m = value(pack.decodeManagement(ask(answerer, frames.COMMAND.management), true));
    assert.deepEqual([m.ccl, m.chargeEnable], [100, true]);
    clock.advance(501);
    m = value(pack.decodeManagement(ask(answerer, frames.COMMAND.management), true));
    assert.deepEqual([m.ccl, m.dcl, m.chargeEnable, m.dischargeEnable], [0, 0, false, false]);
  });

  it('fail-safe mode and stopCan answer like a stale bank', () => {
    for (const over of [{ mode: 'failsafe' }, { stopCan: true }]) {
      const { clock, answerer } = setup();
      answerer.setBank(sampleBank(clock.now(), over));
      const m = value(pack.decodeManagement(ask(answerer, frames.COMMAND.management), true));
      assert.deepEqual([m.ccl, m.dcl, m.chargeEnable, m.dischargeEnable], [0, 0, false, false], JSON.stringify(over));
    }
  });

  it('alarm-level bank alarms reach 0x44 status 1 and the 0x62 protection bits; warnings only the alarm bits', () => {
    const { clock, answerer } = setup();
    answerer.setBank(sampleBank(clock.now(), { alarms: { cellUnderVoltage: 'alarm', chargeOverCurrent: 'warn' } }));
    const block = value(pack.decodeAlarms(ask(answerer, frames.COMMAND.alarms))).packs[0];
    assert.equal(block.status[0], pack.STATUS1.cellUnderVoltage);
    assert.equal(block.cellStates[2], pack.ALARM_STATE.belowLimit);
    assert.equal(block.chargeCurrentState, pack.ALARM_STATE.aboveLimit);
    const sys = value(system.decodeSystemAlarms(ask(answerer, frames.COMMAND.systemAlarms)));
    assert.deepEqual(sys, {
      alarm1: 0,
      alarm2: system.SYSTEM_BITS_2.chargeOverCurrent,
      protection1: system.SYSTEM_BITS_1.cellLowVoltage,
      protection2: 0,
    });
  });

  it('unknown or refused commands get RTN 0x04 and are counted; a foreign command value gets RTN 0x06', () => {
    const { clock, answerer } = setup();
    answerer.setBank(sampleBank(clock.now()));
    for (const cid2 of [0x60, 0x94, 0x95, 0x64, 0x90]) {
      const result = answerer.answer(frames.buildRequest(2, cid2));
      assert.equal(result.kind, 'answered');
      if (result.kind === 'answered') assert.equal(result.frame, frames.encodeAnswer(2, frames.RTN.commandInvalid));
    }
    const wrong = answerer.answer(frames.buildRequest(2, frames.COMMAND.management, 5));
    assert.ok(wrong.kind === 'answered' && wrong.rtn === frames.RTN.invalidData);
    assert.equal(answerer.counters.errors, 6);
    assert.match(answerer.lastProblem, /does not name ADR 2/);
  });

  it('no bank: no answer; other addresses and bad frames: no answer, bad frames counted', () => {
    const { clock, answerer } = setup();
    assert.equal(answerer.answer(frames.buildRequest(2, frames.COMMAND.management)).kind, 'ignored');
    assert.equal(answerer.counters.unanswered, 1);
    answerer.setBank(sampleBank(clock.now()));
    assert.equal(answerer.answer(frames.buildRequest(3, frames.COMMAND.management)).kind, 'ignored');
    assert.equal(answerer.answer('~20024692E00202FD2F\r').kind, 'ignored');
    assert.equal(answerer.counters.badFrames, 1);
    assert.equal(answerer.counters.answered, 0);
  });

  it('accepts any VER, empty and 2-byte INFO, and requests split over several reads', () => {
    const { clock, answerer } = setup();
    answerer.setBank(sampleBank(clock.now()));
    const requests = [
      '~2002464FC0048520FCB2\r',
      '~20024644C0040202FCCF\r',
      '~28024692E00202FD26\r',
      '~200246920000FDA7\r',
    ];
    const stream = Buffer.from(`xx${requests.join('')}`, 'latin1');
    const results = [...answerer.receive(stream.subarray(0, 25)), ...answerer.receive(stream.subarray(25))];
    assert.deepEqual(
      results.map((r) => (r.kind === 'answered' ? [r.cid2, r.rtn] : r.reason)),
      [
        [0x4f, 0],
        [0x44, 0],
        [0x92, 0],
        [0x92, 0],
      ],
    );
  });

  it('0x63 limits in 0.01 A when set so (0x92 stays 0.1 A)', () => {
    const { clock, answerer } = setup({ systemCurrentLsb: 0.01 });
    answerer.setBank(sampleBank(clock.now(), { ccl: 87.65, dcl: 120 }));
    const info = ask(answerer, frames.COMMAND.systemManagement);
    assert.deepEqual([info.readInt16BE(4), info.readInt16BE(6)], [8765, 12000]);
    const m = value(pack.decodeManagement(info, false, 0.01));
    assert.deepEqual([m.ccl, m.dcl], [87.65, 120]);
    const m92 = value(pack.decodeManagement(ask(answerer, frames.COMMAND.management), true));
    assert.deepEqual([m92.ccl, m92.dcl], [87.7, -120]);
  });

  it('several addresses: each answers its share, a group request at the first lists every pack', () => {
    const { clock, answerer } = setup({ addresses: [2, 3, 4] });
    answerer.setBank(sampleBank(clock.now(), { current: 30, ccl: 90 }));
    const group = value(pack.decodeAnalog(ask(answerer, frames.COMMAND.analog, 2, frames.GROUP_COMMAND)));
    assert.equal(group.commandValue, 3);
    assert.equal(group.packs.length, 3);
    for (const block of group.packs) assert.equal(block.current, 10);
    const third = value(pack.decodeManagement(ask(answerer, frames.COMMAND.management, 4), true));
    assert.deepEqual([third.commandValue, third.ccl], [4, 30]);
  });
});
