/**
 * Trust only what is fresh and plausible: pack ids as data, the BMS's own protection alarms, the age of
 * data by its own time, and frozen data without a witness. Engine scenarios on simulated time.
 */
import { strict as assert } from 'node:assert';
import { config, IDS, pack, Run, warmRun } from './fixtures';
import type { PackOpts } from './fixtures';
import type { AlarmName, PackState } from '../../../src/core/pack-state';
import { validateBankState, validatePackState } from '../../../src/core/pack-state';
import { resolveConfig } from '../../../src/nodes/bms-rules/config';
import { humanDuration } from '../../../src/nodes/bms-rules/health';
import type { RulesBankState } from '../../../src/nodes/bms-rules/engine';

const idx = (banks: RulesBankState[], pred: (b: RulesBankState) => boolean): number => banks.findIndex(pred);

/** The three packs with jitter; `o` per pack id. */
const packsWith =
  (o: Record<string, PackOpts>, ids = IDS) =>
  (i: number, now: number): PackState[] =>
    ids.map((id) => pack(id, now, { jitter: i, ...o[id] }));

describe('pack ids are data, not keys', () => {
  const ODD = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];

  it('packs with ids __proto__, constructor, toString and hasOwnProperty count and appear in packStates and its JSON', () => {
    const packs = ODD.map((id) => ({ id, capacityAh: 280, maxChargeA: 100, maxDischargeA: 100 }));
    const r = new Run(config({}, packs));
    const b = r.run(150, (i, now) => ODD.map((id) => pack(id, now, { jitter: i })));
    const last = b[149];
    assert.equal(last.mode, 'normal');
    assert.equal(last.packs.total, 4);
    assert.equal(last.packs.online, 4);
    assert.deepEqual(Object.keys(last.packStates).sort(), [...ODD].sort());
    for (const id of ODD) {
      assert.ok(Object.prototype.hasOwnProperty.call(last.packStates, id), id);
      assert.equal(last.packStates[id].status, 'ok');
      assert.equal(last.packStates[id].ccl, 100);
    }
    assert.equal(last.ccl, 360, '4 × 100 A × 0.9');
    const json = JSON.parse(JSON.stringify(last)) as RulesBankState;
    assert.deepEqual(Object.keys(json.packStates).sort(), [...ODD].sort());
    assert.equal(json.packStates['__proto__'].status, 'ok');
    assert.ok(validateBankState(json).ok);
  });

  it('an unconfigured pack called __proto__ is accepted, flagged and counted like any other', () => {
    const r = new Run(config());
    const b = r.run(60, (i, now) => [...IDS, '__proto__'].map((id) => pack(id, now, { jitter: i })));
    const last = b[59];
    assert.equal(last.packs.total, 4);
    assert.ok(last.warnings.includes('unconfigured:__proto__'));
    assert.equal(last.packStates['__proto__'].configured, false);
    assert.equal(JSON.parse(JSON.stringify(last)).packStates['__proto__'].configured, false);
    const r2 = warmRun();
    const excl = r2.step({ packs: [], command: { command: 'exclude', pack: '__proto__' } });
    assert.equal(excl.packs.total, 3, 'excluding an unknown odd id changes nothing');
  });

  it('validates ids: non-empty, printable, at most 64 characters', () => {
    const bad: Array<[unknown, RegExp]> = [
      ['', /non-empty/],
      ['   ', /non-empty/],
      [42, /non-empty string/],
      ['P\u00001', /printable \(character 2 is U\+0000\)/],
      ['P1\n', /printable \(character 3 is U\+000A\)/],
      ['P\u009b1', /printable/],
      ['P\ud8001', /printable/],
      ['x'.repeat(65), /at most 64 characters \(got 65\)/],
    ];
    for (const [id, re] of bad) {
      const v = validatePackState({ ...pack('P1', 0), id });
      assert.ok(!v.ok, JSON.stringify(id));
      assert.match(v.reason, re);
      const c = resolveConfig({ packs: [{ id, capacityAh: 100, maxChargeA: 50, maxDischargeA: 50 }] });
      assert.ok(!c.ok);
      assert.match(c.reason, /^Pack 1: the Pack id must (not be empty|be printable|be at most 64)/);
    }
    for (const id of ['__proto__', 'constructor', 'bank 1/Süd', '电池-1', 'x'.repeat(64), '🔋3'])
      assert.ok(validatePackState({ ...pack('P1', 0), id }).ok, id);
  });
});

describe("the BMS's own protection alarms", () => {
  const CHARGE: AlarmName[] = [
    'cellOverVoltage',
    'packOverVoltage',
    'chargeOverCurrent',
    'chargeOverTemperature',
    'chargeUnderTemperature',
  ];
  const DISCHARGE: AlarmName[] = [
    'cellUnderVoltage',
    'packUnderVoltage',
    'dischargeOverCurrent',
    'dischargeOverTemperature',
    'dischargeUnderTemperature',
    'shortCircuit',
  ];

  it('a charge ALARM with the charge FET closed: CCL 0 at once; FET opened → the others charge within their shares; cleared → back', () => {
    const r = warmRun();
    assert.equal(r.last.ccl, 270);
    const alarmed = r.run(30, packsWith({ P2: { alarms: { cellOverVoltage: 'alarm' } } }));
    assert.equal(alarmed[0].ccl, 0, 'in the same step');
    assert.equal(alarmed[0].limitedBy.ccl, 'bmsAlarm:P2:cellOverVoltage');
    assert.equal(alarmed[0].chargeAllowed, false);
    assert.equal(alarmed[0].packStates.P2.ccl, 0);
    assert.equal(alarmed[0].dcl, 270, 'discharge untouched');
    assert.equal(alarmed[0].alarms.cellOverVoltage, 'alarm');
    assert.ok(alarmed.every((b) => b.ccl === 0));
    // the BMS opens its charge FET: P2 leaves the share, P1 and P3 may take 2 × 100 A × 0.9
    const open = r.run(120, packsWith({ P2: { alarms: { cellOverVoltage: 'alarm' }, chargeFet: false } }));
    assert.equal(open[119].ccl, 180);
    assert.equal(open[119].alarms.cellOverVoltage, 'warn', 'an isolated pack is a warning for the bank');
    for (let i = 1; i < open.length; i++) assert.ok(open[i].ccl <= 180 + 1e-9);
    const cleared = r.run(150, packsWith({}));
    assert.equal(cleared[149].ccl, 270);
  });

  it('every charge alarm name zeroes the CCL while the FET is closed, and the alarm clearing lifts it', () => {
    for (const name of CHARGE) {
      const r = warmRun();
      const b = r.run(5, packsWith({ P3: { alarms: { [name]: 'alarm' } } }));
      assert.equal(b[0].ccl, 0, name);
      assert.equal(b[0].limitedBy.ccl, `bmsAlarm:P3:${name}`);
      assert.equal(b[4].dcl, 270, name);
      const back = r.run(150, packsWith({}));
      assert.equal(back[149].ccl, 270, name);
    }
  });

  it('a discharge ALARM with the discharge FET closed: DCL 0 at once; FET opened → the others discharge within their shares', () => {
    for (const name of DISCHARGE) {
      const r = warmRun();
      const b = r.run(5, packsWith({ P1: { alarms: { [name]: 'alarm' } } }));
      assert.equal(b[0].dcl, 0, name);
      assert.equal(b[0].limitedBy.dcl, `bmsAlarm:P1:${name}`);
      assert.equal(b[0].dischargeAllowed, false);
      assert.equal(b[4].ccl, 270, `${name}: charging stays allowed`);
      const open = r.run(120, packsWith({ P1: { alarms: { [name]: 'alarm' }, dischargeFet: false } }));
      assert.equal(open[119].dcl, 180, name);
      const cleared = r.run(150, packsWith({}));
      assert.equal(cleared[149].dcl, 270, name);
    }
  });

  it('a WARN level does not stop anything: limits follow the tables as before', () => {
    const r = warmRun();
    const warn = r.run(
      60,
      packsWith({ P2: { alarms: { cellOverVoltage: 'warn', cellUnderVoltage: 'warn', chargeOverCurrent: 'warn' } } }),
    );
    assert.ok(warn.every((b) => b.ccl === 270 && b.dcl === 270));
    assert.equal(warn[59].alarms.cellOverVoltage, 'warn');
    // the tables still taper on the measured cells of that pack
    const high = r.run(5, packsWith({ P2: { alarms: { cellOverVoltage: 'warn' }, cell: 3.45, jitter: 0 } }));
    assert.ok(Math.abs(high[4].ccl - 3 * 15 * 0.9) < 1e-6, `CCL ${high[4].ccl}`);
    assert.equal(high[4].limitedBy.ccl, 'cell:P2C1');
  });
});

describe('data age: never fresher than its own time', () => {
  const MIN15 = 15 * 60_000;

  it('a pack whose data arrives now but was measured 15 min ago ages like a silent one and is reported as old', () => {
    const r = warmRun();
    const b = r.run(60, (i, now) => IDS.map((id) => pack(id, id === 'P2' ? now - MIN15 : now, { jitter: i })));
    assert.equal(b[9].packStates.P2.status, 'ok');
    assert.equal(b[10].packStates.P2.status, 'stale');
    const off = idx(b, (x) => x.packStates.P2.status === 'offline');
    assert.equal(off, 30);
    assert.equal(b[off].mode, 'degraded');
    assert.equal(b[off].ccl, 180);
    assert.ok(b.every((x) => x.warnings.includes('old:P2:900s')));
    assert.ok(b.every((x) => x.packStates.P2.delaySec === 900));
    assert.equal(b[0].alarms.communication, 'warn');
    assert.equal(b[59].alarms.packOffline, 'warn');
    // fresh data again: the warning goes, the pack rejoins
    const back = r.run(60, packsWith({}));
    assert.ok(!back[0].warnings.some((w) => w.startsWith('old:')));
    assert.equal(back[59].mode, 'normal');
  });

  it('at start-up every pack repeating 15 min old data: the bank never leaves INIT and nothing is allowed', () => {
    const r = new Run(config());
    const b = r.run(200, (i, now) => IDS.map((id) => pack(id, now - MIN15, { jitter: i, current: 20 })));
    for (const x of b) {
      assert.equal(x.chargeState, 'init');
      assert.equal(x.ccl, 0);
      assert.equal(x.dcl, 0);
      assert.equal(x.packs.online, 0);
    }
    assert.deepEqual(
      b[199].warnings.filter((w) => w.startsWith('old:')),
      ['old:P1:900s', 'old:P2:900s', 'old:P3:900s'],
    );
  });

  it('a steady delay between staleSec and offlineSec keeps the pack STALE (counted, no limit rises); above offlineSec OFFLINE', () => {
    const r = new Run(config());
    const delay: Record<string, number> = { P1: 0, P2: 20_000, P3: 0 };
    const b = r.run(200, (i, now) => IDS.map((id) => pack(id, now - delay[id], { jitter: i })));
    for (let i = 40; i < b.length; i++) {
      assert.equal(b[i].packStates.P2.status, 'stale');
      assert.ok(b[i].packStates.P2.ageSec! >= 20);
      assert.ok(b[i].ccl <= b[i - 1].ccl && b[i].dcl <= b[i - 1].dcl, 'no limit rises while a pack is stale');
    }
    assert.ok(b[199].warnings.includes('old:P2:20s'));
    const r2 = new Run(config());
    delay.P2 = 31_000;
    const b2 = r2.run(100, (i, now) => IDS.map((id) => pack(id, now - delay[id], { jitter: i })));
    assert.ok(b2.every((x) => x.packStates.P2.status === 'offline'));
    assert.equal(b2[99].ccl, 180);
  });

  it('a time more than maxClockSkewSec ahead is invalid with a reason; within the allowance it counts as measured now', () => {
    const r = warmRun();
    const ahead = r.run(40, (i, now) =>
      IDS.map((id) => pack(id, id === 'P3' ? now + 3 * 3600_000 : now, { jitter: i })),
    );
    assert.equal(ahead[0].packStates.P3.lastInvalid, 'pack clock 3 h ahead');
    assert.ok(ahead[0].warnings.includes('invalid:P3:pack clock 3 h ahead'));
    assert.equal(ahead[39].packStates.P3.status, 'offline');
    const r2 = warmRun();
    const near = r2.run(60, (i, now) => IDS.map((id) => pack(id, id === 'P3' ? now + 4000 : now, { jitter: i })));
    assert.ok(near.every((x) => x.packStates.P3.status === 'ok' && x.packStates.P3.ageSec === 0));
    assert.equal(near[59].packStates.P3.invalid, 0);
    const r3 = warmRun(config({ maxClockSkewSec: 2 }));
    const tight = r3.run(3, (i, now) => IDS.map((id) => pack(id, id === 'P3' ? now + 4000 : now, { jitter: i })));
    assert.equal(tight[0].packStates.P3.lastInvalid, 'pack clock 4 s ahead');
  });

  it('a sample measured before the one held (a late redelivery) never replaces it; after the host clock steps back, new samples count', () => {
    const r = warmRun();
    const held = r.run(1, packsWith({}))[0];
    assert.equal(held.packStates.P2.cellMin, 3.3);
    // P2's sample from 5 s ago arrives late, with a low cell that would cut the discharge limit
    const late = r.step({ packs: [pack('P2', r.now - 5000, { cell: 2.9 })] });
    assert.equal(late.packStates.P2.cellMin, 3.3, 'the newer values stay');
    assert.equal(late.packStates.P2.delaySec, 5, 'how late it came still shows');
    assert.equal(late.dcl, held.dcl);
    // a newer sample with the same low cell is taken
    const newer = r.step({ packs: [pack('P2', r.now, { cell: 2.9 })] });
    assert.equal(newer.packStates.P2.cellMin, 2.9);
    // this host's clock steps back one minute: the held samples now lie in the future, and new ones count
    r.now -= 60_000;
    const back = r.run(3, packsWith({ P2: { cell: 3.25 } }));
    assert.equal(back[0].packStates.P2.cellMin, 3.25);
    assert.ok(back.every((b) => b.packStates.P2.status === 'ok'));
  });

  it('says durations as people do', () => {
    assert.equal(humanDuration(4000), '4 s');
    assert.equal(humanDuration(119_000), '119 s');
    assert.equal(humanDuration(900_000), '15 min');
    assert.equal(humanDuration(3 * 3600_000 + 1000), '3 h');
    assert.equal(humanDuration(5 * 86400_000), '5 d');
  });
});

describe('frozen data without a witness', () => {
  /** Every pack repeats one fixed sample (re-stamped with the current time): nothing witnesses the bank moving. */
  const repeating =
    (ids: string[], o: PackOpts) =>
    (_: number, now: number): PackState[] =>
      ids.map((id) => ({ ...pack(id, 0, { jitter: 1, ...o }), time: now }));

  it('every pack repeating identical data while claiming 20 A: all frozen after frozenSec → BLIND, then FAILSAFE', () => {
    const r = warmRun();
    const b = r.run(200, repeating(IDS, { current: 20 }));
    const frozen = idx(b, (x) => IDS.every((id) => x.packStates[id].frozen));
    assert.ok(frozen >= 59 && frozen <= 61, `frozen at ${frozen}`);
    assert.deepEqual(
      b[frozen].warnings.filter((w) => w.startsWith('frozen:')),
      IDS.map((id) => `frozen:${id}`),
    );
    assert.equal(b[frozen].alarms.communication, 'warn');
    assert.ok(['blind', 'failsafe'].includes(b[frozen].mode));
    assert.equal(b[199].mode, 'failsafe');
    assert.equal(b[199].ccl, 0);
  });

  it('a single-pack bank repeating -30 A is frozen; the same pack with any field moving is not', () => {
    const one = [{ id: 'P1', capacityAh: 280, maxChargeA: 100, maxDischargeA: 100 }];
    const r = new Run(config({}, one));
    r.run(100, (i, now) => [pack('P1', now, { jitter: i })]);
    const b = r.run(80, repeating(['P1'], { current: -30 }));
    assert.ok(b[58].packStates.P1.frozen === false && b[61].packStates.P1.frozen === true);
    // cells and current identical, but the temperature moves: a live measurement, not a repeat
    const r2 = new Run(config({}, one));
    r2.run(100, (i, now) => [pack('P1', now, { jitter: i })]);
    const live = r2.run(200, (i, now) => [pack('P1', now, { jitter: 1, current: -30, temp: 25 + (i % 3) * 0.1 })]);
    assert.ok(live.every((x) => !x.packStates.P1.frozen && x.mode === 'normal'));
  });

  it('a bank at rest is never flagged: identical data for hours at 0 A and at 2 A, with no witness', () => {
    for (const current of [0, 1.5, -2, 2]) {
      const r = warmRun();
      const b = r.run(3 * 3600, repeating(IDS, { current }));
      assert.ok(
        b.every((x) => x.mode === 'normal' && IDS.every((id) => !x.packStates[id].frozen)),
        `flagged at ${current} A`,
      );
    }
  });
});
