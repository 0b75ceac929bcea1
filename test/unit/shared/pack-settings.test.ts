/**
 * BMS settings, the pure parts: range, step and ordering checks of a write, the diff and the
 * read-back comparison; the settings service's scheduling (one read after a cycle, online packs only)
 * and write rules on simulated time; the JK PB simulator refusing out-of-range writes like a real PB;
 * bms-rules taking unset ratings from the BMS.
 */
import { strict as assert } from 'node:assert';
import { SimClock } from '../../../src/core/clock';
import type { PackSettings } from '../../../src/core/pack-settings';
import type { PackState } from '../../../src/core/pack-state';
import {
  checkRequestedFields,
  orderingProblem,
  readBackMismatch,
  safeWriteOrder,
  settingsDiff,
} from '../../../src/core/settings-limits';
import { adoptBmsSettings } from '../../../src/nodes/bms-rules/bms-settings-use';
import { newTrack } from '../../../src/nodes/bms-rules/health';
import { JK_LIMITS, pbSettingWriteRequest } from '../../../src/nodes/jk-bms/jk-settings';
import { createJkPbSimulator } from '../../../src/nodes/jk-bms/simulator';
import { LIVE_READ, decodeReadAnswer, liveReadRequest } from '../../../src/nodes/jk-bms/protocol-jk-pb';
import { simulatedJkSettings } from '../../../src/nodes/jk-bms/simulator-settings';
import { PackSettingsService, WRITE_SPACING_MS } from '../../../src/nodes/shared/pack-settings-service';
import { exceptionAnswer, parseRequest, readAnswer } from '../../../src/transport/modbus-rtu';
import { SETTINGS_FIELDS, writeFields } from '../../../src/nodes/jk-bms/jk-blocks';
import { readJkSettings } from '../../../src/nodes/jk-bms/settings-io';
import type { AddressStats, PollerStats } from '../../../src/transport/pack-poller';

const stats = (online: number[], offline: number[] = []): PollerStats => {
  const byAddress = new Map<number, AddressStats>();
  for (const a of online) byAddress.set(a, { ok: 1, failed: 0, failing: 0, nearLimit: false });
  for (const a of offline) byAddress.set(a, { ok: 0, failed: 3, failing: 3, nearLimit: false });
  return { addresses: [...online, ...offline], byAddress, cycles: 1, priorityCycles: 0 };
};

/** Lets the promise callbacks of a fake protocol run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('BMS settings: write checks', () => {
  it('range, unknown and non-number fields are refused with a reason; values land on the step', () => {
    assert.deepEqual(checkRequestedFields({ cellOvpV: 3.6 }, JK_LIMITS), { ok: true, value: { cellOvpV: 3.6 } });
    assert.deepEqual(checkRequestedFields({ cellOvpV: 3.6004 }, JK_LIMITS), { ok: true, value: { cellOvpV: 3.6 } });
    const out = checkRequestedFields({ cellOvpV: 5.5 }, JK_LIMITS);
    assert.ok(!out.ok && out.reason === 'cellOvpV 5.5 V is outside 1–5 V');
    const unknown = checkRequestedFields({ cellCount: 16 }, JK_LIMITS);
    assert.ok(!unknown.ok && /cellCount is not writable/.test(unknown.reason));
    const text = checkRequestedFields({ maxChargeA: '100' }, JK_LIMITS);
    assert.ok(!text.ok && text.reason === 'maxChargeA must be a number');
    assert.ok(!checkRequestedFields({}, JK_LIMITS).ok);
    for (const inherited of ['constructor', 'toString', '__proto__']) {
      const odd = checkRequestedFields(JSON.parse(`{"${inherited}": 5}`), JK_LIMITS);
      assert.ok(!odd.ok && odd.reason.startsWith(`${inherited} is not writable`), inherited);
    }
  });

  it('orderings: recoveries inside protections, UVP below OVP', () => {
    assert.equal(orderingProblem({ cellOvpV: 3.65, cellOvprV: 3.6, cellUvpV: 2.5, cellUvprV: 2.65 }), undefined);
    assert.match(orderingProblem({ cellOvpV: 3.6, cellOvprV: 3.6 }) ?? '', /OVP recovery must be below cell OVP/);
    assert.match(orderingProblem({ cellUvpV: 2.8, cellUvprV: 2.7 }) ?? '', /UVP recovery must be above/);
    assert.match(orderingProblem({ chargeUtpC: 5, chargeUtprC: 0 }) ?? '', /charge UTP recovery/);
  });

  it('diff lists only changed fields; read-back must show every change within half a step', () => {
    const diff = settingsDiff({ cellOvpV: 3.65, maxChargeA: 100 }, { cellOvpV: 3.6, maxChargeA: 100 }, JK_LIMITS);
    assert.deepEqual(diff, [{ field: 'cellOvpV', from: 3.65, to: 3.6 }]);
    assert.equal(readBackMismatch({ cellOvpV: 3.6 }, diff, JK_LIMITS), undefined);
    assert.equal(readBackMismatch({ cellOvpV: 3.65 }, diff, JK_LIMITS), 'cellOvpV reads back 3.65, not 3.6');
  });
});

describe('BMS settings: write order', () => {
  const current = { cellOvpV: 3.65, cellOvprV: 3.6, cellUvpV: 2.5, cellUvprV: 2.65 };
  it('lowering OVP and its recovery writes the recovery first; raising them, the OVP first', () => {
    const down = settingsDiff(current, { cellOvpV: 3.5, cellOvprV: 3.4 }, JK_LIMITS);
    assert.deepEqual(
      safeWriteOrder(current, down).map((c) => c.field),
      ['cellOvprV', 'cellOvpV'],
    );
    const up = settingsDiff(
      { ...current, cellOvpV: 3.5, cellOvprV: 3.4 },
      { cellOvprV: 3.6, cellOvpV: 3.65 },
      JK_LIMITS,
    );
    assert.deepEqual(
      safeWriteOrder({ ...current, cellOvpV: 3.5, cellOvprV: 3.4 }, up).map((c) => c.field),
      ['cellOvpV', 'cellOvprV'],
    );
  });
});

describe('BMS settings: the JK PB simulator takes setting writes within the same ranges', () => {
  const clock = new SimClock();
  const answers: Buffer[] = [];
  const sim = createJkPbSimulator(
    { addresses: [1], cells: 16, profile: 'idle' },
    { clock, send: (d) => answers.push(d) },
  );
  const write = (name: 'cellOvpV' | 'chargeUtpC', value: number): Buffer => {
    answers.length = 0;
    sim.receive(pbSettingWriteRequest(1, name, value)!);
    clock.advance(50);
    return Buffer.concat(answers);
  };

  it('in range: acknowledged and held; out of range: exception 3 and nothing changes', () => {
    const held = simulatedJkSettings(sim.packs.get(1)!);
    const ack = write('cellOvpV', 3.62);
    assert.equal(ack[1], 0x10, 'FC 0x10 acknowledgement');
    assert.equal(held.cellOvpV, 3.62);
    const refused = write('cellOvpV', 5.5);
    assert.deepEqual([refused[1], refused[2]], [0x90, 3], 'exception 3 (illegal value)');
    assert.equal(held.cellOvpV, 3.62);
    write('chargeUtpC', -15);
    assert.equal(held.chargeUtpC, -15, 'signed 0.1 °C register');
    assert.equal(parseRequest(pbSettingWriteRequest(1, 'chargeUtpC', -15)!)!.data!.readInt32BE(0), -150);
  });

  it('protects at its own settings: an OVP written below the highest cell opens the charge FET', () => {
    const live = () => {
      answers.length = 0;
      sim.receive(liveReadRequest(1));
      clock.advance(50);
      const read = decodeReadAnswer(Buffer.concat(answers), { address: 1, ...LIVE_READ });
      assert.ok(read.ok && read.value.block === 'live');
      return read.value.live;
    };
    assert.equal(live().chargeFetOn, true);
    const highest = Math.max(...sim.packs.get(1)!.model.cells);
    write('cellOvpV', Math.floor(highest * 100) / 100);
    assert.equal(live().chargeFetOn, false, 'cell over-voltage protection');
    assert.equal((live().alarmsRaw >> 4) & 1, 1, 'cell OVP alarm bit');
    write('cellOvpV', 3.65);
    assert.equal(live().chargeFetOn, true);
  });
});

describe('BMS settings: JK PB read', () => {
  it('a pack that refuses the control-word read still gives its settings, without the control switches', async () => {
    const block = Buffer.alloc(144);
    writeFields(block, false, SETTINGS_FIELDS, { cellOvpV: 3.6, nominalCapacityAh: 280, chargeEnabled: true });
    const answers = [readAnswer(1, 0x03, block), exceptionAnswer(1, 0x03, 2)];
    const bus = { transact: async () => answers.shift()! };
    const settings = await readJkSettings(bus, 'pb', 'fc03', 1);
    assert.deepEqual([settings.cellOvpV, settings.capacityAh, settings.switches.chargeEnabled], [3.6, 280, true]);
    assert.equal(settings.switches.heating, undefined);
  });
});

describe('BMS settings: the service', () => {
  function service(allowWrites = true, broadcastAddress?: number) {
    const clock = new SimClock();
    const held = new Map<number, PackSettings>([
      [1, { protocol: 'jk-pb', cellOvpV: 3.65, cellOvprV: 3.6, switches: {} }],
      [2, { protocol: 'jk-pb', cellOvpV: 3.65, cellOvprV: 3.6, switches: {} }],
    ]);
    const reads: number[] = [];
    const emitted: Array<Record<string, unknown>> = [];
    let ignoreWrites = false;
    let failOn: string | undefined;
    const s = new PackSettingsService({
      clock,
      addresses: [1, 2],
      packId: (a) => `p-${a}`,
      allowWrites,
      emit: (_id, payload) => emitted.push(payload),
      protocol: {
        limits: JK_LIMITS,
        broadcastAddress,
        read: async (a) => {
          reads.push(a);
          return { ...held.get(a)!, switches: {} };
        },
        write: async (a, name, value) => {
          if (name === failOn) throw new Error('timeout');
          if (!ignoreWrites) held.set(a, { ...held.get(a)!, [name]: value });
        },
      },
    });
    const failWriteOf = (name: string): void => {
      failOn = name;
    };
    return { clock, s, reads, emitted, held, ignoreWrites: () => (ignoreWrites = true), failWriteOf };
  }

  it('reads one queued pack per cycle, a moment after it, and only packs that answered their poll', async () => {
    const r = service();
    r.s.request();
    r.s.afterCycle(stats([2], [1]));
    r.clock.advance(50);
    assert.deepEqual(r.reads, [], 'not during the cycle');
    r.clock.advance(100);
    await settle();
    assert.deepEqual(r.reads, [2], 'pack 1 is not answering: it waits');
    r.s.afterCycle(stats([1, 2]));
    r.clock.advance(200);
    await settle();
    assert.deepEqual(r.reads, [2, 1]);
    r.s.afterCycle(stats([1, 2]));
    r.clock.advance(200);
    await settle();
    assert.deepEqual(r.reads, [2, 1], 'nothing queued, nothing read');
    assert.deepEqual(
      r.emitted.map((e) => [e.kind, e.address]),
      [
        ['settings', 2],
        ['settings', 1],
      ],
    );
    const pack = r.s.attach({ address: 1, extra: { x: 1 } } as unknown as PackState);
    assert.equal((pack.extra!.settings as PackSettings).cellOvpV, 3.65);
    assert.equal(pack.extra!.x, 1);
  });

  it('writes: dry run only diffs; a write is read back; a second within the spacing is refused', async () => {
    const r = service();
    const dry = await r.s.write({ address: 1, fields: { cellOvpV: 3.62 }, dryRun: true });
    assert.deepEqual(dry.diff, [{ field: 'cellOvpV', from: 3.65, to: 3.62 }]);
    assert.equal(r.held.get(1)!.cellOvpV, 3.65);
    const done = await r.s.write({ address: 1, fields: { cellOvpV: 3.62 }, dryRun: false });
    assert.equal(done.ok, true);
    assert.equal(r.held.get(1)!.cellOvpV, 3.62);
    await assert.rejects(
      r.s.write({ address: 1, fields: { cellOvpV: 3.63 }, dryRun: false }),
      /at most one write per 5 s/,
    );
    r.clock.advance(WRITE_SPACING_MS);
    await r.s.write({ address: 1, fields: { cellOvpV: 3.63 }, dryRun: false });
    assert.equal(r.held.get(1)!.cellOvpV, 3.63);
  });

  it('a write the pack does not take is reported as not confirmed; writes off are refused', async () => {
    const r = service();
    r.ignoreWrites();
    await assert.rejects(
      r.s.write({ address: 2, fields: { cellOvpV: 3.62 }, dryRun: false }),
      /not confirmed: cellOvpV reads back 3.65, not 3.62/,
    );
    const off = service(false);
    await assert.rejects(off.s.write({ address: 2, fields: { cellOvpV: 3.62 }, dryRun: false }), /writes are disabled/);
    assert.equal(off.held.get(2)!.cellOvpV, 3.65);
  });

  it('a write that fails part-way reads the pack again after the next cycle, so its settings are not left stale', async () => {
    const r = service();
    // OVP goes first here (3.62 stays above the old recovery 3.6); the recovery's write times out
    r.failWriteOf('cellOvprV');
    await assert.rejects(
      r.s.write({ address: 1, fields: { cellOvpV: 3.62, cellOvprV: 3.55 }, dryRun: false }),
      /write cellOvprV=3.55 to pack 1 failed: timeout/,
    );
    assert.equal(r.held.get(1)!.cellOvpV, 3.62, 'the first field was written');
    const readsBefore = r.reads.length;
    r.s.afterCycle(stats([1, 2]));
    r.clock.advance(200);
    await settle();
    assert.equal(r.reads.length, readsBefore + 1);
    assert.equal(r.reads.at(-1), 1);
    assert.deepEqual([r.emitted.at(-1)!.kind, r.emitted.at(-1)!.address], ['settings', 1]);
  });

  it('never writes to the broadcast address (Modbus 0: every pack on the bus would take it)', async () => {
    const r = service(true, 0);
    await assert.rejects(
      r.s.write({ address: 0, fields: { cellOvpV: 3.62 }, dryRun: false }),
      /address 0 is the Modbus broadcast address/,
    );
    assert.deepEqual(r.reads, [], 'refused before anything is read or written');
  });

  it('a second write to the same pack while the first is under way is refused', async () => {
    const r = service();
    const first = r.s.write({ address: 1, fields: { cellOvpV: 3.62 }, dryRun: false });
    await assert.rejects(r.s.write({ address: 1, fields: { cellOvpV: 3.63 }, dryRun: true }), /under way/);
    await first;
    assert.equal(r.held.get(1)!.cellOvpV, 3.62);
  });
});

describe('bms-rules: ratings from the BMS settings', () => {
  const settings = (): PackSettings => ({
    protocol: 'jk-pb',
    capacityAh: 280,
    maxChargeA: 120,
    maxDischargeA: 150,
    switches: {},
  });
  const packWith = (s: PackSettings) => ({ extra: { settings: s } }) as unknown as PackState;

  it('an unconfigured pack takes all three; a configured one only what it left out; the table is not touched', () => {
    const loose = newTrack({ id: 'a', capacityAh: 100, maxChargeA: 50, maxDischargeA: 50 }, false);
    adoptBmsSettings(loose, packWith(settings()));
    assert.deepEqual(loose.config, { id: 'a', capacityAh: 280, maxChargeA: 120, maxDischargeA: 150 });
    const table = { id: 'b', capacityAh: 100, maxChargeA: 60, maxDischargeA: 60, unset: ['capacityAh' as const] };
    const listed = newTrack(table, true);
    adoptBmsSettings(listed, packWith(settings()));
    assert.deepEqual([listed.config.capacityAh, listed.config.maxChargeA], [280, 60]);
    assert.deepEqual(listed.fromBms, ['capacityAh']);
    assert.equal(table.capacityAh, 100, 'the packs-table entry itself is unchanged');
  });
});
