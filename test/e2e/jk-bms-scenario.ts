/**
 * The JK PB bank scenario of acceptance 3 and 4, run in the real Node-RED runtime against a
 * simulator either over a pty pair or in-process: 5 packs → 5 PackStates per cycle matching the
 * simulator's model at protocol resolution; silencing pack 3 raises its communication alarm and
 * status while packs 1, 2, 4, 5 keep their cadence.
 */
import { strict as assert } from 'node:assert';
import helper from 'node-red-node-test-helper';
import { validatePackState, type PackState } from '../../src/core/pack-state';
import type { DeviceSimulator } from '../../src/transport/simulator-api';
import { lastStatus, sleep, until } from '../helpers/runtime';
import { getNode, type TestNode } from '../helpers/node-red';

export type Msg = { topic: string; payload: PackState };
/** Output 2: communication and write events. */
export type EventMsg = {
  topic: string;
  payload: { kind: string; level?: string; address: number; [k: string]: unknown };
};
export const INTERVAL_S = 1;

/** Collects the node's two outputs; each PackState is checked against the model when it arrives. */
export function watch(sim: () => DeviceSimulator) {
  const packs: Array<Msg & { at: number }> = [];
  const events: EventMsg[] = [];
  const mismatches: string[] = [];
  const on = <M>(id: string, f: (m: M) => void): void => getNode<TestNode<M>>(id).on('input', f);
  on<Msg>('out', (m) => {
    packs.push({ ...m, at: Date.now() });
    const p = m.payload;
    const checked = validatePackState(p);
    if (!checked.ok) {
      mismatches.push(checked.reason);
      return;
    }
    const model = sim().packs.get(p.address!)!.model;
    // Protocol resolution: cells and voltage 1 mV, current 1 mA, SOC 1 %, temperatures 0.1 °C.
    const problems = [
      JSON.stringify(p.cells) !== JSON.stringify(model.cells) && 'cells',
      Math.abs(p.voltage - model.voltage) > 0.0011 && `voltage ${p.voltage} vs ${model.voltage}`,
      Math.abs(p.current - model.current) > 0.0011 && `current ${p.current} vs ${model.current}`,
      p.soc !== Math.round(model.soc) && `soc ${p.soc} vs ${model.soc}`,
      JSON.stringify(p.temperatures) !== JSON.stringify(model.temperatures) && 'temperatures',
      m.topic !== `bank-${p.address}` && `topic ${m.topic}`,
    ].filter(Boolean);
    if (problems.length) mismatches.push(`pack ${p.address}: ${problems.join(', ')}`);
  });
  on<EventMsg>('events', (m) => events.push(m));
  return { packs, events, mismatches };
}

export async function bankScenario(sim: () => DeviceSimulator): Promise<void> {
  const w = watch(sim);
  await until(() => w.packs.length >= 10, 8000, 'two cycles of 5 packs');
  assert.deepEqual(w.mismatches, []);
  for (const cycle of [w.packs.slice(0, 5), w.packs.slice(5, 10)]) {
    assert.deepEqual(cycle.map((m) => m.payload.address).sort(), [1, 2, 3, 4, 5], 'one PackState per pack per cycle');
  }
  await until(() => /^5\/5 · \d+\.\dV · \d+%/.test(String(lastStatus(helper.getNode('jk')).text)), 3000, 'status 5/5');

  sim().packs.get(3)!.faults.silent = true;
  const silencedAt = Date.now();
  await until(
    () => w.events.some((e) => e.payload.address === 3 && e.payload.level === 'alarm'),
    8000,
    'pack 3 communication alarm',
  );
  const alarm = w.events.find((e) => e.payload.address === 3 && e.payload.level === 'alarm')!;
  assert.equal(alarm.topic, 'bank-3');
  assert.deepEqual(alarm.payload.alarms, { communication: 'alarm' });
  assert.ok(
    w.events.filter((e) => e.payload.kind === 'communication').every((e) => e.payload.address === 3),
    'no other pack lost communication',
  );
  await until(() => /^4\/5 · /.test(String(lastStatus(helper.getNode('jk')).text)), 3000, 'status 4/5');
  assert.equal(lastStatus(helper.getNode('jk')).fill, 'yellow');
  await sleep(1000);

  // Cadence of the others while pack 3 is silent: a message every cycle, no gap beyond one
  // interval plus one answer timeout; pack 3 emits nothing (no stale repeats).
  const after = w.packs.filter((m) => m.at > silencedAt + 100);
  assert.ok(!after.some((m) => m.payload.address === 3), 'silent pack 3 must not produce PackStates');
  const window = (Date.now() - silencedAt) / 1000;
  for (const a of [1, 2, 4, 5]) {
    const times = [silencedAt, ...after.filter((m) => m.payload.address === a).map((m) => m.at)];
    assert.ok(
      times.length - 1 >= Math.floor(window / INTERVAL_S) - 1,
      `pack ${a}: ${times.length - 1} messages in ${window.toFixed(1)} s`,
    );
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    assert.ok(Math.max(...gaps) < INTERVAL_S * 1000 + 1000, `pack ${a}: gap ${Math.max(...gaps)} ms`);
  }
  assert.deepEqual(w.mismatches, []);
}

export function bankFlow(bus: Record<string, unknown>, node: Record<string, unknown> = {}) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'bus', type: 'bms-serial-bus', baudRate: 115200, timeoutMs: 500, ...bus },
    {
      id: 'jk',
      z: 'tab',
      type: 'jk-bms',
      bus: 'bus',
      protocol: 'pb',
      method: 'fc03',
      addresses: '1-5',
      interval: INTERVAL_S,
      name: 'bank',
      wires: [['out'], ['events']],
      ...node,
    },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'events', z: 'tab', type: 'helper' },
    { id: 'c', z: 'tab', type: 'catch', scope: ['jk'], wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}
