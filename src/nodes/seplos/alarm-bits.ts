/**
 * Bit tables for Seplos status bytes: each bit has a flag name (kept in PackState.extra.flags), an
 * optional AlarmName with its level, and whether the protection blocks charging/discharging.
 * V2 (0x44) and V3 (PIC) share this mechanism but not their bit layouts.
 */
import type { AlarmLevel, AlarmName, Alarms } from '../../core/pack-state';

export interface BitMeaning {
  flag: string;
  alarm?: [AlarmName, AlarmLevel];
  blocks?: 'charge' | 'discharge' | 'both';
}

export interface BitAccumulator {
  alarms: Alarms;
  flags: string[];
  blocksCharge: boolean;
  blocksDischarge: boolean;
}

/** Adds every set bit of `byte` to the accumulator; an 'alarm' level is never lowered to 'warn'. */
export function applyBitTable(byte: number, table: BitMeaning[], acc: BitAccumulator): void {
  for (let bit = 0; bit < table.length; bit++) {
    if ((byte & (1 << bit)) === 0) continue;
    const m = table[bit];
    acc.flags.push(m.flag);
    if (m.alarm) {
      const [name, level] = m.alarm;
      if (acc.alarms[name] !== 'alarm') acc.alarms[name] = level;
    }
    if (m.blocks === 'charge' || m.blocks === 'both') acc.blocksCharge = true;
    if (m.blocks === 'discharge' || m.blocks === 'both') acc.blocksDischarge = true;
  }
}
