/**
 * Test fixtures for the bms-rules engine: synthetic pack states and a 1 s scenario runner on simulated time.
 */
import type { PackState } from '../../../src/core/pack-state';
import type { RulesConfig } from '../../../src/nodes/bms-rules/config';
import { resolveConfig } from '../../../src/nodes/bms-rules/config';
import type { EngineState, RulesBankState, StepInput } from '../../../src/nodes/bms-rules/engine';
import { createState, step } from '../../../src/nodes/bms-rules/engine';
import type { PersistedCharge } from '../../../src/nodes/bms-rules/charge-state';

export const T0 = Date.UTC(2026, 0, 1);
export const IDS = ['P1', 'P2', 'P3'];

/** Scenario setup: 16S, 3 × 280 Ah packs, 100 A per pack. */
export function config(
  over: Partial<RulesConfig> = {},
  packs = IDS.map((id) => ({ id, capacityAh: 280, maxChargeA: 100, maxDischargeA: 100 })),
): RulesConfig {
  const r = resolveConfig({ packs, ...over });
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

export interface PackOpts {
  cell?: number;
  cells?: number[];
  current?: number;
  soc?: number;
  temp?: number;
  temps?: number[];
  chargeFet?: boolean;
  dischargeFet?: boolean;
  voltage?: number;
  mos?: number;
  alarms?: PackState['alarms'];
  /** vary the last digit so real-looking data never looks frozen */
  jitter?: number;
}

export function pack(id: string, time: number, o: PackOpts = {}, n = 16): PackState {
  const cells = o.cells ? [...o.cells] : Array.from({ length: n }, () => o.cell ?? 3.3);
  if (o.jitter !== undefined) cells[0] = Number((cells[0] + (o.jitter % 2) * 0.001).toFixed(4));
  const sum = cells.reduce((a, b) => a + b, 0);
  return {
    kind: 'pack',
    id,
    protocol: 'jk-pb',
    time,
    voltage: o.voltage ?? Number(sum.toFixed(3)),
    current: o.current ?? 0,
    soc: o.soc ?? 60,
    cells,
    temperatures: o.temps ?? [o.temp ?? 25, o.temp ?? 25],
    mosTemperature: o.mos,
    chargeAllowed: o.chargeFet ?? true,
    dischargeAllowed: o.dischargeFet ?? true,
    alarms: o.alarms ?? {},
  };
}

/** Runs the engine one step per simulated second. */
export class Run {
  state: EngineState;
  now: number;
  banks: RulesBankState[] = [];
  /** the unquantized CVL after each step */
  cvlExact: number[] = [];

  constructor(
    public cfg: RulesConfig,
    start = T0,
    saved?: PersistedCharge,
  ) {
    this.now = start;
    this.state = createState(cfg, start, saved);
  }

  /** One step at the current time, then time moves on by `advanceMs`. */
  step(input: StepInput, advanceMs = 1000): RulesBankState {
    const { bank } = step(this.state, input, this.now);
    this.banks.push(bank);
    this.cvlExact.push(this.state.cvl);
    this.now += advanceMs;
    return bank;
  }

  /** `seconds` steps; `packsAt(i, now)` gives the pack states of second i (undefined entries = silent). */
  run(
    seconds: number,
    packsAt: (i: number, now: number) => Array<PackState | undefined>,
    extra: (i: number) => Omit<StepInput, 'packs'> = () => ({}),
  ): RulesBankState[] {
    const out: RulesBankState[] = [];
    for (let i = 0; i < seconds; i++) {
      const packs = packsAt(i, this.now).filter((p): p is PackState => p !== undefined);
      out.push(this.step({ packs, ...extra(i) }));
    }
    return out;
  }

  get last(): RulesBankState {
    return this.banks[this.banks.length - 1];
  }
}

/** Steady 3-pack data with jitter (cells 3.30, 25 °C, 0 A). */
export const steady =
  (o: PackOpts = {}) =>
  (i: number, now: number): PackState[] =>
    IDS.map((id) => pack(id, now, { jitter: i, ...o }));

/** A run warmed up to NORMAL with settled limits. */
export function warmRun(cfg = config(), o: PackOpts = {}, seconds = 200): Run {
  const r = new Run(cfg);
  r.run(seconds, steady(o));
  return r;
}
