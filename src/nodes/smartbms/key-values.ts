/**
 * The rotating key/value pair of firmware ≥ 3.3.6 (bytes 47/48, docs/protocols/smartbms.md#rotating-keyvalue-pair): one key per frame,
 * keys 0..18 form a cycle. Multi-byte values (cycles, totals, V-low …) are combined only from
 * parts of the same cycle, so an old MSB is never glued to a new LSB, and every value expires.
 */
import { decodeStatus2 } from './protocol-smartbms';

const VOLT_PER_BIT = 0.005;

/** Values assembled from the pairs; absent until received and again once expired. */
export interface KeyValues {
  soh?: number;
  chargeEfficiency?: number;
  vLow?: number;
  vNominal?: number;
  firmware?: string;
  cycles?: number;
  totalChargedKWh?: number;
  totalDischargedKWh?: number;
  status2?: number;
  earlyWarning?: boolean;
  tMinChargeExceeded?: boolean;
  tMinDischargeExceeded?: boolean;
  chargeRelayClosed?: boolean;
  loadRelayClosed?: boolean;
  vFull?: number;
}

interface Part {
  value: number;
  cycle: number;
}
interface Value {
  value: number | string;
  time: number;
}

/** Groups of keys that form one value, MSB first, and how to turn the parts into the value. */
const GROUPS: Array<{ name: keyof KeyValues; keys: number[]; make: (parts: number[]) => number | string | undefined }> =
  [
    { name: 'soh', keys: [0], make: ([v]) => (v <= 100 ? v : undefined) }, // VENUS/AIO ignore > 100
    { name: 'chargeEfficiency', keys: [1], make: ([v]) => (v <= 100 ? v : undefined) },
    { name: 'vLow', keys: [2, 3], make: (p) => volts(word(p)) },
    { name: 'vNominal', keys: [4, 5], make: (p) => volts(word(p)) },
    { name: 'firmware', keys: [6, 7], make: ([mm, patch]) => `${mm >> 4}.${mm & 0x0f}.${patch}` },
    { name: 'cycles', keys: [8, 9], make: word },
    { name: 'totalChargedKWh', keys: [10, 11, 12], make: word },
    { name: 'totalDischargedKWh', keys: [13, 14, 15], make: word },
    { name: 'status2', keys: [16], make: ([v]) => v },
    { name: 'vFull', keys: [17, 18], make: (p) => volts(word(p)) },
  ];

function word(parts: number[]): number {
  return parts.reduce((acc, b) => acc * 256 + b, 0);
}
const volts = (raw: number): number => Math.round(raw * VOLT_PER_BIT * 1000) / 1000;

export class KeyValueAssembler {
  private readonly parts = new Map<number, Part>();
  private readonly values = new Map<keyof KeyValues, Value>();
  private cycle = 0;
  private lastKey?: number;

  /** @param maxAgeMs how long an assembled value stays valid (VENUS uses 60 s). */
  constructor(private readonly maxAgeMs = 60_000) {}

  add(key: number, value: number, time: number): void {
    // A new cycle starts at key 0, or wherever the keys wrap (the frame with key 0 may be lost).
    if (key === 0 || this.lastKey === undefined || key <= this.lastKey) this.cycle++;
    this.lastKey = key;
    this.parts.set(key, { value, cycle: this.cycle });
    const group = GROUPS.find((g) => g.keys.includes(key));
    if (!group || group.keys[group.keys.length - 1] !== key) return; // combine when the last part arrives
    const parts = group.keys.map((k) => this.parts.get(k));
    if (parts.some((p) => !p || p.cycle !== this.cycle)) return;
    const v = group.make(parts.map((p) => p!.value));
    if (v === undefined) this.values.delete(group.name);
    else this.values.set(group.name, { value: v, time });
  }

  /** The values still fresh at `now`. */
  current(now: number): KeyValues {
    const out: Record<string, unknown> = {};
    for (const [name, v] of this.values) {
      if (now - v.time > this.maxAgeMs) {
        this.values.delete(name);
        continue;
      }
      out[name] = v.value;
    }
    if (typeof out.status2 === 'number') Object.assign(out, decodeStatus2(out.status2));
    return out as KeyValues;
  }

  clear(): void {
    this.parts.clear();
    this.values.clear();
    this.lastKey = undefined;
  }
}
