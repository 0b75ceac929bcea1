/**
 * How BankState.alarms become the alarm/warning items of inverter frames. Every protocol table
 * lists, per wire item, the bank alarms that raise it; the item takes the highest of their levels.
 * An alarm-level item is also reported as a warning, so inverters that only read warnings see it.
 */
import type { AlarmLevel, BankAlarmName, BankState } from '../../core/pack-state';

export interface AlarmItem {
  name: string;
  /** Bank alarms that raise this item; the first one is what a decoder maps the item back to. */
  from: readonly BankAlarmName[];
}

export interface ActiveItems {
  /** Items at alarm level (protection). */
  alarm: Set<string>;
  /** Items at warn or alarm level. */
  warn: Set<string>;
}

export function activeItems(alarms: BankState['alarms'], items: readonly AlarmItem[]): ActiveItems {
  const active: ActiveItems = { alarm: new Set(), warn: new Set() };
  for (const item of items) {
    const levels = item.from.map((a) => alarms[a]);
    if (levels.includes('alarm')) active.alarm.add(item.name);
    if (levels.some((l) => l !== undefined)) active.warn.add(item.name);
  }
  return active;
}

/** The bank alarm an inverter item stands for (decoded view → BankState, e.g. for round trips). */
export function bankAlarmOf(items: readonly AlarmItem[], name: string): BankAlarmName | undefined {
  return items.find((i) => i.name === name)?.from[0];
}

/** Levels of bank alarms from decoded item lists (alarm level wins). */
export function bankAlarmsFrom(
  items: readonly AlarmItem[],
  alarmNames: string[],
  warnNames: string[],
): BankState['alarms'] {
  const out: BankState['alarms'] = {};
  const set = (name: string, level: AlarmLevel): void => {
    const a = bankAlarmOf(items, name);
    if (a && out[a] !== 'alarm') out[a] = level;
  };
  for (const n of warnNames) set(n, 'warn');
  for (const n of alarmNames) set(n, 'alarm');
  return out;
}

/** An item of a flag-byte table (Pylon 0x359, Growatt 0x312): [byte, bit] of its protection and warning bits. */
export interface FlagItem extends AlarmItem {
  protection?: readonly [byte: number, bit: number];
  warning?: readonly [byte: number, bit: number];
}

/** The flag bytes for these alarms: protection bits for alarm-level items, warning bits for both levels. */
export function flagBytes(alarms: BankState['alarms'], items: readonly FlagItem[], length: number): number[] {
  const active = activeItems(alarms, items);
  const bytes = new Array<number>(length).fill(0);
  for (const item of items) {
    if (item.protection && active.alarm.has(item.name)) bytes[item.protection[0]] |= 1 << item.protection[1];
    if (item.warning && active.warn.has(item.name)) bytes[item.warning[0]] |= 1 << item.warning[1];
  }
  return bytes;
}

/** Names of the items whose protection or warning bit is set in byte `index` of `bytes`. */
export function flagNames(
  bytes: ReadonlyArray<number | undefined>,
  items: readonly FlagItem[],
  index: number,
): string[] {
  const byte = bytes[index];
  if (byte === undefined) return [];
  const set = (pos: readonly [number, number] | undefined): boolean =>
    pos !== undefined && pos[0] === index && (byte & (1 << pos[1])) !== 0;
  return items.filter((i) => set(i.protection) || set(i.warning)).map((i) => i.name);
}
