/**
 * The fuzz contract of the plausibility gate: a PackState a decoder accepted passes the gate, and
 * stays inside the physical windows restated here with literal numbers (so a loosened gate fails
 * the fuzz tests too). Also tallies, per protocol, the frames the gate rejected.
 */
import { strict as assert } from 'node:assert';
import type { PackState } from '../../src/core/pack-state';
import { checkPlausible, type PlausibilityOptions } from '../../src/core/plausibility';

/** `opts` as the decoder passed them to the gate (a message that carries no cells says so). */
export function assertPlausible(pack: PackState, where: string, opts?: PlausibilityOptions): void {
  const reason = checkPlausible(pack, opts);
  assert.equal(reason, null, `${where}: accepted an implausible pack (${String(reason)}): ${JSON.stringify(pack)}`);
  assert.ok(
    pack.cells.length <= 32 && (pack.cells.length > 0 || opts?.noCells),
    `${where}: ${pack.cells.length} cells`,
  );
  for (const cell of pack.cells) assert.ok(cell >= 0.5 && cell <= 5, `${where}: cell at ${cell} V`);
  if (pack.cells.length > 0) {
    const sum = pack.cells.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(pack.voltage - sum) <= 1 + 0.05 * sum, `${where}: ${pack.voltage} V against cells ${sum} V`);
  } else {
    assert.ok(pack.voltage >= 0.5 && pack.voltage <= 161, `${where}: ${pack.voltage} V`);
  }
  assert.ok(Math.abs(pack.current) <= 2000, `${where}: ${pack.current} A`);
  const temperatures = [...pack.temperatures, ...(pack.cellTemperatures ?? [])];
  if (pack.mosTemperature !== undefined) temperatures.push(pack.mosTemperature);
  if (pack.ambientTemperature !== undefined) temperatures.push(pack.ambientTemperature);
  for (const t of temperatures) assert.ok(t >= -40 && t <= 125, `${where}: ${t} °C`);
  assert.ok(pack.soc >= 0 && pack.soc <= 100, `${where}: SOC ${pack.soc}`);
  if (pack.soh !== undefined) assert.ok(pack.soh >= 0 && pack.soh <= 100, `${where}: SOH ${pack.soh}`);
}

/** The gate's reasons carry this mark (a JK02 frame tried in both layouts lists one reason per layout). */
export const isGateRejection = (reason: string): boolean => reason.includes('implausible: ');

/** Frames the gate rejected per protocol and frame source, printed once the fuzz run is over. */
export class GateTally {
  private readonly rows = new Map<string, { frames: number; gateRejected: number; accepted: number }>();

  count(name: string, outcome: 'accepted' | 'gate' | 'other'): void {
    const row = this.rows.get(name) ?? { frames: 0, gateRejected: 0, accepted: 0 };
    row.frames++;
    if (outcome === 'accepted') row.accepted++;
    if (outcome === 'gate') row.gateRejected++;
    this.rows.set(name, row);
  }

  get(name: string): { frames: number; gateRejected: number; accepted: number } {
    return this.rows.get(name) ?? { frames: 0, gateRejected: 0, accepted: 0 };
  }

  print(title: string): void {
    console.log(`      plausibility gate, ${title}:`);
    for (const [name, row] of this.rows) {
      console.log(
        `        ${name}: ${row.frames} frames, ${row.gateRejected + row.accepted} reached the gate, ` +
          `${row.gateRejected} rejected by it, ${row.accepted} accepted (all plausible)`,
      );
    }
  }
}
