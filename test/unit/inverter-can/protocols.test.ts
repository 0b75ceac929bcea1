/**
 * Protocol behaviour beyond the vectors: the inverter side of each link (ACK, poll, telemetry),
 * option validation (never Pylontech/BYD towards a Victron), profiles, hand-built input.
 */
import * as assert from 'node:assert/strict';
import { canFrame } from '../../../src/transport/can-frame';
import { toBankState } from '../../../src/nodes/inverter-can/bank-completion';
import { PROTOCOLS, protocolByName } from '../../../src/nodes/inverter-can/protocols';
import { TARGETS, baseBank } from './bank-arbitrary';

describe('inverter CAN protocols', () => {
  it('registry: every protocol by name, unknown names rejected', () => {
    for (const name of ['victron', 'pylontech', 'sma', 'growatt', 'byd'])
      assert.equal(protocolByName(name)?.name, name);
    assert.equal(protocolByName('toString'), undefined);
    assert.equal(protocolByName('pylon'), undefined);
  });

  for (const { protocol, profile } of TARGETS) {
    it(`${protocol.name}/${profile}: the simulated inverter's own frames prove the link alive`, () => {
      assert.ok(protocol.inverterFrames && protocol.onInverterFrame && protocol.inverterPeriodMs);
      const frames = protocol.inverterFrames();
      assert.ok(frames.length > 0);
      for (const f of frames) assert.equal(protocol.onInverterFrame(f, baseBank(), { profile }).linkAlive, true);
      // Our own frames echoed back are not the inverter.
      const own = protocol.encode(baseBank(), { profile }).filter((f) => f.id !== 0x305);
      for (const f of own) assert.equal(protocol.onInverterFrame(f, baseBank(), { profile }).linkAlive, false);
    });
  }

  it('pylontech accepts the 29-bit 0x305 ACK (Schneider) and Luxpower surfaces its 0x300 shutdown', () => {
    const p = PROTOCOLS.pylontech;
    assert.equal(p.onInverterFrame?.(canFrame(0x305, Buffer.alloc(8), true), undefined).linkAlive, true);
    assert.equal(
      p.onInverterFrame?.(canFrame(0x300, [1, 0, 0, 0, 0, 0, 0, 0]), undefined, { profile: 'luxpower' }).command,
      'shutdown',
    );
    assert.equal(
      p.onInverterFrame?.(canFrame(0x300, [0, 0, 0, 0, 0, 0, 0, 0]), undefined, { profile: 'luxpower' }).command,
      undefined,
    );
  });

  it('growatt answers the 0x301 poll with the whole frame set, and nothing without a bank', () => {
    const g = PROTOCOLS.growatt;
    const [poll] = g.inverterFrames?.() ?? [];
    const bank = baseBank();
    const answer = g.onInverterFrame?.(poll, bank);
    assert.deepEqual(
      answer?.reply?.map((f) => f.id),
      g.encode(bank).map((f) => f.id),
    );
    assert.deepEqual(
      answer?.reply?.map((f) => f.data.toString('hex')),
      g.encode(bank).map((f) => f.data.toString('hex')),
    );
    assert.equal(g.onInverterFrame?.(poll, undefined).reply, undefined);
  });

  it('sma: the Sunny Island telemetry reflects what it decoded (current negative while charging)', () => {
    const s = PROTOCOLS.sma;
    const view = s.decode(s.encode(baseBank({ current: 20, voltage: 53.2 })));
    const [f305] = s.inverterFrames?.(view) ?? [];
    assert.equal(f305.data.readUInt16LE(0), 532);
    assert.equal(f305.data.readInt16LE(2), -200);
  });

  it('sma sends only the ids SMA allows, unused bytes 0xFF', () => {
    const frames = PROTOCOLS.sma.encode(baseBank());
    assert.deepEqual(frames.map((f) => f.id).sort(), [0x351, 0x355, 0x356, 0x35a, 0x35b, 0x35e, 0x35f]);
    assert.equal(
      frames
        .find((f) => f.id === 0x356)
        ?.data.subarray(6)
        .toString('hex'),
      'ffff',
    );
  });

  it('sma raises "general" with any alarm and clears supervised items with pair value 2', () => {
    const view = PROTOCOLS.sma.decode(PROTOCOLS.sma.encode(baseBank({ alarms: { cellOverVoltage: 'alarm' } })));
    assert.deepEqual([...view.alarms].sort(), ['general', 'overVoltage']);
    assert.equal(view.fields.alarmInactiveEncoding, 'ok-supported');
  });

  it('victron refuses and never sends Pylontech/BYD identities', () => {
    const v = PROTOCOLS.victron;
    assert.match(v.validateOptions({ identity: { manufacturer: 'PYLON' } }) ?? '', /quirks/);
    assert.match(v.validateOptions({ identity: { productName: 'BYD LVS' } }) ?? '', /quirks/);
    assert.match(v.validateOptions({ identity: { productId: 0x694c } }) ?? '', /quirks/);
    assert.equal(v.validateOptions({ identity: { manufacturer: 'MyBank' }, profile: '250k' }), undefined);
    const view = v.decode(
      v.encode(baseBank(), { identity: { manufacturer: 'PYLON', productId: 0x494c, batteryName: 'byd bank' } }),
    );
    assert.equal(view.fields.manufacturer, 'CellSafe');
    assert.equal(view.fields.productId, 0);
    assert.equal(view.fields.batteryName, 'CellSafe bank');
    const mine = v.decode(v.encode(baseBank(), { identity: { manufacturer: 'MyBank' } }));
    assert.equal(mine.fields.manufacturer, 'MyBank');
  });

  it('victron variants differ only in bitrate', () => {
    const v = PROTOCOLS.victron;
    assert.equal(v.bitrate('500k'), 500000);
    assert.equal(v.bitrate('250k'), 250000);
    const hex = (profile: string) => v.encode(baseBank(), { profile }).map((f) => f.data.toString('hex'));
    assert.deepEqual(hex('250k'), hex('500k'));
  });

  it('every protocol rejects an unknown profile with the list of profiles', () => {
    for (const p of Object.values(PROTOCOLS)) {
      assert.match(p.validateOptions({ profile: 'nope' }) ?? '', new RegExp(p.profiles[0]));
      for (const profile of p.profiles) assert.equal(p.validateOptions({ profile }), undefined);
    }
  });

  it('pylontech profiles: Deye name PYLON, Goodwe name GOODWE, Sol-Ark 0.1 V and DLC 8, Sofar 0.1 A stop', () => {
    const p = PROTOCOLS.pylontech;
    const name = (profile: string) => p.decode(p.encode(baseBank(), { profile }), { profile }).fields.manufacturer;
    assert.equal(name('deye'), 'PYLON');
    assert.equal(name('goodwe'), 'GOODWE');
    const solark = p.encode(baseBank({ voltage: 52.6 }), { profile: 'sol-ark' });
    assert.ok(solark.every((f) => f.data.length === 8));
    assert.equal(solark.find((f) => f.id === 0x356)?.data.readInt16LE(0), 526);
    const generic = p.encode(baseBank(), { profile: 'generic' });
    assert.deepEqual(
      generic.map((f) => f.data.length),
      [8, 4, 6, 7, 2, 8],
    );
    const sofar = p.decode(p.encode(baseBank({ chargeAllowed: false }), { profile: 'sofar' }), { profile: 'sofar' });
    assert.equal(sofar.ccl, 0.1);
    assert.equal(sofar.chargeEnabled, false);
  });

  it('force charge sets both Pylon request bits but only bit 5 for Growatt', () => {
    const p = PROTOCOLS.pylontech.decode(PROTOCOLS.pylontech.encode(baseBank({ forceCharge: true })));
    assert.deepEqual(p.fields.requestFlags, {
      chargeEnable: true,
      dischargeEnable: true,
      forceChargeI: true,
      forceChargeII: true,
      fullChargeRequest: false,
    });
    const g = PROTOCOLS.growatt.decode(PROTOCOLS.growatt.encode(baseBank({ forceCharge: true })));
    assert.deepEqual(g.fields.requestFlags, {
      chargeEnable: true,
      dischargeEnable: true,
      forceChargeI: true,
      forceChargeII: false,
    });
    const v = PROTOCOLS.victron.decode(PROTOCOLS.victron.encode(baseBank({ forceCharge: true })));
    assert.equal(v.forceCharge, true);
  });

  // Sofar reads a zero limit as "no limit", so its profile sends a small stop value instead of 0.
  const stopped = (amps: number | undefined): boolean => (amps ?? 0) <= 0.5;

  for (const { protocol, profile } of TARGETS) {
    it(`${protocol.name}/${profile}: a FAILSAFE bank allows nothing and requests no charge, whatever its limits say`, () => {
      const bank = baseBank({ mode: 'failsafe', ccl: 100, dcl: 150, forceCharge: true, fullChargeRequest: true });
      const view = protocol.decode(protocol.encode(bank, { profile }));
      assert.ok(stopped(view.ccl) && stopped(view.dcl), `CCL ${view.ccl} A, DCL ${view.dcl} A`);
      assert.notEqual(view.chargeEnabled, true);
      assert.notEqual(view.dischargeEnabled, true);
      assert.notEqual(view.forceCharge, true);
      assert.notEqual(view.fullChargeRequest, true);
    });

    it(`${protocol.name}/${profile}: no force-charge or full-charge request while the charge limit is 0`, () => {
      const bank = baseBank({ ccl: 0, forceCharge: true, fullChargeRequest: true });
      const view = protocol.decode(protocol.encode(bank, { profile }));
      assert.ok(stopped(view.ccl));
      assert.notEqual(view.forceCharge, true);
      assert.notEqual(view.fullChargeRequest, true);
      assert.ok(!stopped(view.dcl), 'discharging stays allowed');
    });
  }

  it('luxpower keeps the hottest cell at least 0.1 °C above the coldest', () => {
    const p = PROTOCOLS.pylontech;
    const view = p.decode(p.encode(baseBank({ temperature: { min: 20, max: 20, avg: 20 } }), { profile: 'luxpower' }), {
      profile: 'luxpower',
    });
    assert.equal(view.fields.maxCellTemp, 20.1);
    assert.equal(view.fields.minCellTemp, 20);
  });

  describe('toBankState', () => {
    it('passes a full BankState through its validator', () => {
      const r = toBankState(baseBank(), 0);
      assert.ok(r.ok);
      assert.equal(r.value.cvl, 55.2);
      const bad = toBankState({ ...baseBank(), cvl: 'x' }, 0);
      assert.ok(!bad.ok && /cvl/.test(bad.reason));
    });

    it('completes a minimal hand-built object conservatively', () => {
      const r = toBankState({ cvl: 55, ccl: 0, dcl: 80, soc: 50, voltage: 52, current: -3, temperature: 21 }, 1234);
      assert.ok(r.ok);
      assert.equal(r.value.time, 1234);
      assert.equal(r.value.chargeAllowed, false);
      assert.equal(r.value.dischargeAllowed, true);
      assert.deepEqual(r.value.temperature, { min: 21, max: 21, avg: 21 });
      assert.deepEqual(r.value.alarms, {});
      assert.equal(PROTOCOLS.pylontech.encode(r.value).length, 6);
    });

    it('rejects incomplete input with a reason naming the field', () => {
      const missing = toBankState({ cvl: 55, ccl: 10, dcl: 80, soc: 50, voltage: 52, temperature: 21 }, 0);
      assert.ok(!missing.ok && /current/.test(missing.reason));
      const temp = toBankState({ cvl: 55, ccl: 10, dcl: 80, soc: 50, voltage: 52, current: 0 }, 0);
      assert.ok(!temp.ok && /temperature/.test(temp.reason));
      const alarms = toBankState(
        { cvl: 55, ccl: 10, dcl: 80, soc: 50, voltage: 52, current: 0, temperature: 20, alarms: { fire: 'alarm' } },
        0,
      );
      assert.ok(!alarms.ok && /fire/.test(alarms.reason));
      assert.ok(!toBankState(null, 0).ok);
    });

    it('rejects a bank with neither a CVL nor a voltage (CVL 0 must never reach the wire)', () => {
      const r = toBankState({ cvl: 0, ccl: 10, dcl: 80, soc: 50, voltage: 0, current: 0, temperature: 20 }, 0);
      assert.ok(!r.ok && /cvl and voltage/.test(r.reason));
      assert.ok(!toBankState({ ...baseBank(), cvl: 0, voltage: 0 }, 0).ok);
      assert.ok(toBankState({ cvl: 0, ccl: 10, dcl: 80, soc: 50, voltage: 52, current: 0, temperature: 20 }, 0).ok);
    });
  });
});
