/**
 * Rules scenarios 11–17, 19, 23, 24, 28: pack health, safety modes, the share model, alarms and the heartbeat.
 */
import { strict as assert } from 'node:assert';
import { config, IDS, pack, Run, steady, warmRun } from './fixtures';
import { validateBankState } from '../../../src/core/pack-state';
import type { PackState } from '../../../src/core/pack-state';
import type { RulesBankState } from '../../../src/nodes/bms-rules/engine';

const idx = (banks: RulesBankState[], pred: (b: RulesBankState) => boolean): number => banks.findIndex(pred);
const only =
  (ids: string[], o = {}) =>
  (i: number, now: number): PackState[] =>
    ids.map((id) => pack(id, now, { jitter: i, ...o }));

describe('bms-rules scenarios: health and fail-safe', () => {
  it('11 one pack offline: STALE freezes increases, OFFLINE → 180 A, CVL ≤ 54.0, SoC of 2 packs, WARN then ALARM; return → NORMAL at once, then ramps', () => {
    const socs: Record<string, number> = { P1: 50, P2: 60, P3: 90 };
    const packs = (ids: string[]) => (i: number, now: number) =>
      ids.map((id) => pack(id, now, { jitter: i, soc: socs[id] }));
    const r = new Run(config());
    r.run(150, packs(IDS));
    assert.equal(r.last.ccl, 270);
    assert.ok(Math.abs(r.last.soc - 200 / 3) < 1e-9);
    const b = r.run(400, packs(['P1', 'P2']));
    // last P3 sample was one step before b[0]; STALE once its age exceeds 10 s, OFFLINE past 30 s
    assert.equal(b[9].mode, 'normal');
    assert.equal(b[10].mode, 'degraded');
    assert.equal(b[10].packs.stale, 1);
    for (let i = 1; i < 30; i++)
      assert.ok(b[i].ccl <= b[i - 1].ccl && b[i].dcl <= b[i - 1].dcl && b[i].cvl <= b[i - 1].cvl);
    const off = idx(b, (x) => x.packs.offline === 1);
    assert.equal(off, 30);
    assert.equal(b[off].ccl, 180);
    assert.equal(b[off].dcl, 180);
    assert.ok(b[off].cvl <= 54.0);
    assert.equal(b[off].limitedBy.cvl, 'degraded');
    assert.equal(b[off].soc, 55);
    assert.equal(b[off].socDegraded, true);
    assert.equal(b[off].alarms.packOffline, 'warn');
    assert.equal(b[off - 1].alarms.packOffline, undefined);
    const alarmAt = idx(b, (x) => x.alarms.packOffline === 'alarm');
    assert.equal(alarmAt, off + 300);
    const back = r.run(400, packs(IDS));
    // a pack back with valid data rejoins at once; the limit above 0 rises by the usual hold and ramp
    const normal = idx(back, (x) => x.mode === 'normal');
    assert.equal(normal, 0);
    assert.equal(back[0].packs.online, 3);
    assert.equal(back[back.length - 1].ccl, 270);
    assert.equal(back[back.length - 1].cvl, 55.2, 'CVL cap lifted');
    for (let i = 1; i < back.length; i++) assert.ok(back[i].ccl - back[i - 1].ccl <= 6 + 1e-9, 'ramps back');
  });

  it('12 FET-blocked pack: charge share over the other two (180 A), SoC kept, SoC_dischargeable unchanged, CCL not 0', () => {
    const r = warmRun();
    const socs: Record<string, number> = { P1: 20, P2: 60, P3: 70 };
    const b = r.run(60, (i, now) =>
      IDS.map((id) => pack(id, now, { jitter: i, soc: socs[id], chargeFet: id !== 'P1' })),
    );
    const last = b[b.length - 1];
    assert.equal(b[0].ccl, 180);
    assert.equal(last.ccl, 180);
    assert.equal(last.dcl, 270);
    assert.equal(last.packs.blockingCharge, 1);
    assert.equal(last.soc, 50);
    assert.equal(last.socDischargeable, 50);
    assert.equal(last.mode, 'normal');
  });

  it('13a all packs silent at 3.30 V: BLIND at 25 % of last for 120 s, then FAILSAFE zeros, stopCan 60 s later', () => {
    const r = warmRun();
    const b = r.run(300, () => []);
    const blind = idx(b, (x) => x.mode === 'blind');
    assert.equal(blind, 10);
    assert.equal(b[blind].ccl, 67.5);
    assert.equal(b[blind].dcl, 67.5);
    assert.equal(b[blind].alarms.bmsCommLost, 'alarm');
    const fs = idx(b, (x) => x.mode === 'failsafe');
    assert.equal(fs - blind, 120);
    assert.ok(b.slice(blind, fs).every((x) => x.ccl === 67.5 && x.dcl === 67.5));
    assert.ok(
      b.slice(fs).every((x) => x.ccl === 0 && x.dcl === 0 && !x.chargeAllowed && !x.dischargeAllowed && x.cvl <= 54.0),
    );
    assert.equal(
      idx(b, (x) => x.stopCan),
      fs + 60,
    );
    assert.equal(b.length, 300, 'a bank every step (heartbeat)');
    assert.ok(b.every((x) => validateBankState(x).ok));
  });

  it('13b last maxCell 3.42 V: charge 0 at once, discharge allowed during the grace', () => {
    const r = warmRun(config(), { cell: 3.42 });
    const b = r.run(200, () => []);
    const blind = idx(b, (x) => x.mode === 'blind');
    assert.equal(b[blind].ccl, 0);
    assert.ok(b[blind].dcl > 0 && b[blind].dischargeAllowed);
    assert.ok(b.slice(blind, blind + 120).every((x) => x.dcl > 0));
    assert.equal(b[blind + 120].dcl, 0);
  });

  it('13c blindGraceSec = 0: FAILSAFE at once; outputs stay numbers', () => {
    const r = warmRun(config({ blindGraceSec: 0 }));
    const b = r.run(100, () => []);
    assert.equal(b[10].mode, 'failsafe');
    assert.equal(b[9].mode, 'normal');
    assert.equal(b[10].ccl, 0);
    assert.ok(b.every((x) => validateBankState(x).ok));
    assert.equal(
      idx(b, (x) => x.stopCan),
      70,
    );
  });

  it('14 frozen BMS: identical payload while the others change under current → OFFLINE 60 s after the data froze', () => {
    const r = warmRun();
    const frozen = pack('P2', 0, { jitter: 1, current: 10 });
    const b = r.run(120, (i, now) =>
      IDS.map((id) => (id === 'P2' ? { ...frozen, time: now } : pack(id, now, { jitter: i, current: 10 }))),
    );
    const off = idx(b, (x) => x.packStates.P2.status === 'offline');
    assert.ok(off >= 59 && off <= 61, `offline at ${off}`);
    assert.ok(b[off].warnings.includes('frozen:P2'));
    assert.equal(b[off].alarms.communication, 'warn');
    assert.equal(b[off].mode, 'degraded');
    assert.equal(b[off].ccl, 180);
  });

  it('14b a bank at rest: a pack repeating identical data while the others flicker is not frozen; once current flows it is', () => {
    const r = warmRun();
    const quiet = pack('P2', 0, { jitter: 1 });
    const others = (i: number, now: number, current: number) => pack('P1', now, { jitter: i, current });
    const atRest = r.run(200, (i, now) => [others(i, now, 0), { ...quiet, time: now }, pack('P3', now, { jitter: i })]);
    for (const x of atRest) {
      assert.equal(x.packStates.P2.status, 'ok');
      assert.equal(x.packStates.P2.frozen, false);
      assert.equal(x.mode, 'normal');
    }
    // the same quiet pack while the bank carries current (one other pack's reading suffices) …
    const loaded = r.run(70, (i, now) => [
      others(i, now, -20),
      { ...quiet, time: now },
      pack('P3', now, { jitter: i }),
    ]);
    assert.equal(loaded[59].packStates.P2.frozen, false);
    const off = idx(loaded, (x) => x.packStates.P2.frozen);
    assert.ok(off >= 60 && off <= 61, `frozen at ${off}`);
    // … or per the external current alone (the others quiet too)
    const r2 = warmRun();
    const still = (id: string) => pack(id, 0, { jitter: 1 });
    const ext = r2.run(
      70,
      (_, now) => IDS.map((id) => ({ ...still(id), time: now })),
      () => ({ extCurrent: 30 }),
    );
    assert.ok(ext[69].packStates.P1.frozen && ext[69].packStates.P2.frozen);
    const r3 = warmRun();
    const rest = r3.run(
      200,
      (_, now) => IDS.map((id) => ({ ...still(id), time: now })),
      () => ({ extCurrent: 0.5 }),
    );
    assert.equal(rest[199].mode, 'normal');
  });

  it('15 glitch: one 6.5 V cell is discarded and nothing moves; 35 s of invalid samples → OFFLINE', () => {
    const r = warmRun();
    const before = r.last;
    const bad = (now: number) => {
      const p = pack('P1', now);
      p.cells[4] = 6.5;
      return p;
    };
    const g = r.run(1, (i, now) => [bad(now), pack('P2', now, { jitter: i }), pack('P3', now, { jitter: i })])[0];
    for (const k of ['ccl', 'dcl', 'cvl', 'mode', 'chargeState', 'soc'] as const) assert.deepEqual(g[k], before[k]);
    assert.equal(g.packStates.P1.invalid, 1);
    assert.equal(g.packStates.P1.status, 'ok');
    const b = r.run(40, (i, now) => [bad(now), pack('P2', now, { jitter: i }), pack('P3', now, { jitter: i })]);
    const off = idx(b, (x) => x.packStates.P1.status === 'offline');
    assert.ok(off >= 28 && off <= 31, `offline at ${off + 1} s of invalid data`);
    assert.equal(b[b.length - 1].ccl, 180);
  });

  it('16 off-bus pack: 51.0 V against 53.4 V for 10 s → excluded, WARN', () => {
    const r = warmRun(config(), { cell: 3.3375 });
    const b = r.run(30, (i, now) => IDS.map((id) => pack(id, now, { cell: id === 'P3' ? 3.1875 : 3.3375, jitter: i })));
    const off = idx(b, (x) => x.packStates.P3.offBus);
    assert.equal(off, 10);
    assert.equal(b[off].packStates.P3.status, 'offline');
    assert.ok(b[off].warnings.includes('offBus:P3'));
    assert.equal(b[off].alarms.packOffline, 'warn');
    assert.equal(b[off].ccl, 180);
    assert.equal(b[off - 1].packStates.P3.status, 'ok');
  });

  it('17 mixed capacities: 280 Ah/100 A + 100 Ah/50 A → 122 A; a pack over its share lowers the bank CCL', () => {
    const packs = [
      { id: 'A', capacityAh: 280, maxChargeA: 100, maxDischargeA: 100 },
      { id: 'B', capacityAh: 100, maxChargeA: 50, maxDischargeA: 50 },
    ];
    const r = new Run(config({}, packs));
    const two = (cur: Record<string, number>) => (i: number, now: number) =>
      ['A', 'B'].map((id) => pack(id, now, { jitter: i, current: cur[id] ?? 0 }));
    r.run(150, two({}));
    const expected = (100 / (280 / 380)) * 0.9;
    assert.ok(Math.abs(r.last.ccl - expected) < 1e-9, `CCL ${r.last.ccl}`);
    assert.ok(Math.abs(expected - 122.1) < 0.1);
    const b = r.run(12, two({ A: 62, B: 60 }));
    assert.ok(b[8].ccl === r.banks[149].ccl, 'no correction before 10 s');
    assert.ok(b[11].ccl < expected - 5, `corrected CCL ${b[11].ccl}`);
  });

  it('19 startup: packs arrive over 12 s → outputs 0 (INIT/FAILSAFE) until all arrive, then the computed limits at once; 30 s timeout with 2 packs', () => {
    const arrive: Record<string, number> = { P1: 0, P2: 5, P3: 12 };
    const r = new Run(config());
    const b = r.run(120, (i, now) => IDS.filter((id) => i >= arrive[id]).map((id) => pack(id, now, { jitter: i })));
    for (let i = 0; i < 12; i++) {
      assert.equal(b[i].chargeState, 'init');
      assert.equal(b[i].mode, 'failsafe');
      assert.equal(b[i].ccl, 0);
      assert.equal(b[i].dcl, 0);
      assert.equal(b[i].alarms.bmsCommLost, undefined, 'no comm alarm while INIT waits');
    }
    // INIT ends the step the last pack answers; the first limits are the computed ones, no hold, no ramp
    assert.equal(b[12].chargeState, 'bulk');
    assert.equal(b[12].mode, 'normal');
    assert.equal(b[12].ccl, 270);
    assert.equal(b[12].dcl, 270);
    assert.equal(b[12].cvl, 55.2);
    assert.ok(b.slice(12).every((x) => x.ccl === 270 && x.dcl === 270));

    const r2 = new Run(config());
    const b2 = r2.run(40, only(['P1', 'P2']));
    assert.equal(b2[29].chargeState, 'init');
    assert.equal(b2[30].chargeState, 'bulk');
    assert.equal(b2[30].mode, 'degraded');
  });

  it('31 outage: 5 min without data → FAILSAFE; the packs answer again over 3 s → current allowed within 20 s, at the computed limits', () => {
    const r = warmRun();
    const out = r.run(300, () => []);
    assert.equal(out[out.length - 1].mode, 'failsafe');
    assert.ok(out[out.length - 1].ccl === 0 && out[out.length - 1].dcl === 0);
    // a bus poll brings the packs back one by one
    const back = r.run(60, (i, now) => IDS.filter((_, k) => i >= k).map((id) => pack(id, now, { jitter: i })));
    const allowed = idx(back, (x) => x.ccl > 0 && x.dcl > 0 && x.chargeAllowed && x.dischargeAllowed);
    assert.ok(allowed >= 0 && allowed <= 20, `current allowed ${allowed} s after the data returned`);
    assert.equal(back[allowed].mode, 'normal');
    assert.equal(back[allowed].ccl, 270, 'the computed limit, not a ramp from 0');
    assert.equal(back[allowed].dcl, 270);
    assert.ok(back.slice(allowed).every((x) => x.ccl === 270 && x.dcl === 270));
  });

  it('23 inverter ignores the CCL: I 70 A against CCL 50 A for 15 s → ALARM after 10 s; the CVL controller still acts', () => {
    const r = warmRun(config({ systemMaxChargeA: 50 }));
    assert.equal(r.last.ccl, 50);
    const b = r.run(15, (i, now) =>
      IDS.map((id) =>
        pack(id, now, {
          jitter: i,
          current: 70 / 3,
          cells: id === 'P2' ? [3.4, 3.52, ...Array(14).fill(3.4)] : Array(16).fill(3.4),
        }),
      ),
    );
    const at = idx(b, (x) => x.alarms.chargeOverCurrent === 'alarm');
    assert.ok(at >= 10 && at <= 11, `alarm at ${at}`);
    assert.equal(b[at].relays.alarm, true);
    assert.ok(b[b.length - 1].cvl < 55.2, 'CVL pulled down by the cell controller');
  });

  it('24 current mismatch: I_ext 150 A, ΣI 100 A with pack 3 offline → I_bank = I_ext, WARN after 60 s', () => {
    const r = warmRun();
    const b = r.run(
      120,
      (i, now) => ['P1', 'P2'].map((id) => pack(id, now, { jitter: i, current: 50 })),
      () => ({ extCurrent: 150 }),
    );
    assert.equal(b[100].current, 150);
    const warn = idx(b, (x) => x.warnings.includes('currentMismatch'));
    assert.equal(warn, 60);
    assert.equal(b[warn].alarms.communication, 'warn');
  });

  it('28 tick without input: heartbeat every second, ages advance, no spurious change', () => {
    const r = warmRun();
    const before = r.last;
    const b = r.run(5, () => []);
    assert.equal(b.length, 5);
    b.forEach((x, i) => {
      assert.equal(x.packStates.P1.ageSec, i + 1);
      for (const k of ['ccl', 'dcl', 'cvl', 'mode', 'chargeState', 'soc', 'relays', 'alarms'] as const)
        assert.deepEqual(x[k], before[k]);
    });
  });
});

describe('bms-rules misc behaviour', () => {
  it('an unconfigured pack is accepted with defaults and flagged', () => {
    const r = new Run(config());
    const b = r.run(60, (i, now) => [...IDS, 'X9'].map((id) => pack(id, now, { jitter: i })));
    const last = b[b.length - 1];
    assert.equal(last.packs.total, 4);
    assert.equal(last.packStates.X9.configured, false);
    assert.ok(last.warnings.includes('unconfigured:X9'));
  });

  it('exclude/include commands take a pack out of every count and back', () => {
    const r = warmRun();
    const b = r.step({ packs: steady()(0, r.now), command: { command: 'exclude', pack: 'P3' } });
    assert.equal(b.packs.total, 2);
    assert.equal(b.mode, 'normal');
    assert.equal(b.ccl, 180);
    r.step({ packs: steady()(1, r.now), command: { command: 'include', pack: 'P3' } });
    assert.equal(r.last.packs.total, 3);
  });

  it('a BMS-reported CCL caps its pack', () => {
    const r = new Run(config());
    const b = r.run(150, (i, now) =>
      IDS.map((id) => ({ ...pack(id, now, { jitter: i }), limits: id === 'P1' ? { ccl: 30 } : undefined })),
    );
    // 30 A over a third of the bank current, with the 0.9 margin
    assert.ok(Math.abs(b[149].ccl - 81) < 1e-6, `CCL ${b[149].ccl}`);
    assert.equal(b[149].limitedBy.ccl, 'bms:P1');
  });
});

describe('bms-rules BMS-advertised CVL', () => {
  it('caps the bank CVL, but a pack asking for float or less (floating) is ignored', () => {
    const withCvl = (cvl: number) => (i: number, now: number) =>
      IDS.map((id) => ({ ...pack(id, now, { jitter: i }), limits: id === 'P2' ? { cvl } : undefined }));
    const r = new Run(config());
    const b = r.run(400, withCvl(55.0));
    assert.equal(b[399].cvl, 55.0);
    assert.equal(b[399].limitedBy.cvl, 'bms:P2');
    const f = new Run(config()).run(400, withCvl(53.6));
    assert.equal(f[399].cvl, 55.2);
  });
});

describe('bms-rules never-heard pack', () => {
  it('a configured pack that never answers: DEGRADED after the INIT timeout, packOffline WARN, ALARM after packOfflineAlarmSec', () => {
    const r = new Run(config());
    const b = r.run(340, (i, now) => ['P1', 'P2'].map((id) => pack(id, now, { jitter: i })));
    assert.equal(b[30].mode, 'degraded');
    assert.equal(b[30].alarms.packOffline, 'warn');
    assert.equal(b[299].alarms.packOffline, 'warn');
    assert.equal(b[300].alarms.packOffline, 'alarm');
  });
});

describe('bms-rules own SoC (socSource "own")', () => {
  it('counts coulombs from the weighted start value and syncs at 100 % (all cells ≥ V-balance) and 0 % (cell-low latch for a minute)', () => {
    const r = new Run(config({ socSource: 'own', sendSoc98UntilFull: false }));
    r.run(3600, steady({ current: 84 / 3, soc: 60 }));
    assert.ok(Math.abs(r.last.soc - 70) < 0.1, `SoC ${r.last.soc}`); // 84 A for 1 h into 840 Ah
    r.run(2, steady({ cell: 3.41, soc: 60 }));
    assert.equal(r.last.soc, 100);
    const low = r.run(70, steady({ cell: 2.89, soc: 60 }));
    assert.ok(low[58].soc > 99 && low[60].soc === 0, `${low[58].soc} → ${low[60].soc}`);
  });
});
