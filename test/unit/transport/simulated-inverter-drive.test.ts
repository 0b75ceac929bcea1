/**
 * The simulated inverter driving a simulated bank on simulated time: the frames a battery sends
 * (real protocol encoders and decoders) set the limits, PV and load set the wish, the bank moves;
 * frames older than the family's silence policy (measured on the link clock) stop it.
 */
import { strict as assert } from 'node:assert';
import { SimClock } from '../../../src/core/clock';
import { SimulatedBank } from '../../../src/core/simulated-bank';
import { SimulatedInverterChannel } from '../../../src/transport/can-simulated-inverter';
import { InverterDrive, drivenBank, type DriveRecord } from '../../../src/transport/simulated-inverter-drive';
import type { PowerProfile } from '../../../src/transport/power-profile';
import { PROTOCOLS } from '../../../src/nodes/inverter-can/protocols';
import { sampleBank } from '../../helpers/bank-state';

function setup(family: 'victron' | 'pylontech', profile: PowerProfile, soc = 50) {
  const linkClock = new SimClock();
  const bank = new SimulatedBank({ packs: 3, cells: 16, capacityAh: 280, soc });
  const channel = new SimulatedInverterChannel({ protocol: PROTOCOLS[family], clock: linkClock });
  const drive = new InverterDrive({
    family,
    link: channel,
    linkClock,
    bank: drivenBank(bank),
    simClock: bank.clock,
    profile,
    startHour: 0,
    gridChargeA: 40,
  });
  const records: DriveRecord[] = [];
  drive.onStep((r) => records.push(r));
  const send = (over: Parameters<typeof sampleBank>[1]) => {
    for (const frame of PROTOCOLS[family].encode(sampleBank(linkClock.now(), over))) channel.send(frame);
  };
  return { linkClock, bank, channel, drive, records, send };
}

describe('simulated inverter driving a simulated bank', () => {
  it('stands still until it has received limits, then charges the PV surplus up to CCL', async () => {
    const { bank, records, send, channel } = setup('victron', { kind: 'constant', pvW: 4000, loadW: 500 });
    bank.clock.advance(5000);
    assert.ok(records.length === 5 && records.every((r) => r.current === 0));
    send({ cvl: 56.8, ccl: 200, dcl: 150 });
    bank.clock.advance(60_000);
    const last = records.at(-1)!;
    assert.ok(Math.abs(last.current - 3500 / last.voltage) < 1e-9, `surplus current ${last.current}`);
    assert.ok(Math.abs(bank.current - last.current) < 1, 'the bank carries it');
    send({ cvl: 56.8, ccl: 30, dcl: 150 });
    bank.clock.advance(2000);
    assert.equal(records.at(-1)!.current, 30, 'a lower CCL applies at the next step');
    await channel.close();
  });

  it('discharges the load up to DCL; the pack SoC falls by the charge taken', async () => {
    const { bank, records, send, channel, drive } = setup('victron', { kind: 'constant', pvW: 0, loadW: 5200 });
    send({ cvl: 56.8, ccl: 100, dcl: 60 });
    const before = bank.pack(1).soc + bank.pack(2).soc + bank.pack(3).soc;
    bank.clock.advance(3_600_000);
    assert.ok(records.slice(1).every((r) => r.current === -60));
    const after = bank.pack(1).soc + bank.pack(2).soc + bank.pack(3).soc;
    const ahOut = ((before - after) / 100) * 280;
    assert.ok(Math.abs(ahOut - 60) < 0.6, `${ahOut.toFixed(2)} Ah out of the packs for 60 A over 1 h`);
    drive.close();
    assert.equal(bank.requestedCurrent, 0, 'closing leaves the bank at 0 A');
    await channel.close();
  });

  it('Pylon family: no charging while the charge-enable flag is clear; stops 10 s (link time) after the last frame', async () => {
    const { bank, records, send, linkClock, channel } = setup('pylontech', { kind: 'constant', pvW: 3000, loadW: 0 });
    send({ cvl: 56.8, ccl: 100, dcl: 100, chargeAllowed: false });
    bank.clock.advance(10_000);
    assert.equal(records.at(-1)!.current, 0);
    send({ cvl: 56.8, ccl: 100, dcl: 100, chargeAllowed: true });
    bank.clock.advance(10_000);
    assert.ok(records.at(-1)!.current > 50);
    linkClock.advance(10_001);
    bank.clock.advance(1000);
    assert.equal(records.at(-1)!.current, 0, 'no fresh frames: stopped');
    await channel.close();
  });

  it('holds the bank at CVL in the constant-voltage phase: the current tapers, no overshoot', async () => {
    const { bank, records, send, channel } = setup('victron', { kind: 'constant', pvW: 9000, loadW: 0 }, 93);
    send({ cvl: 55.2, ccl: 150, dcl: 150 });
    bank.clock.advance(4 * 3_600_000);
    const peak = Math.max(...records.map((r) => r.voltage));
    assert.ok(peak <= 55.2 + 0.05, `peak bank voltage ${peak.toFixed(3)} V`);
    const atCv = records.findIndex((r) => r.voltage >= 55.1);
    assert.ok(atCv > 0, 'reaches CVL');
    assert.ok(records[atCv].current > 100, 'at CCL until then');
    assert.ok(records.at(-1)!.current < 20, `tail current ${records.at(-1)!.current.toFixed(1)} A after 4 h`);
    await channel.close();
  });
});
