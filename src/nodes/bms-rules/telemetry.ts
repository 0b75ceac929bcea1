/**
 * Telemetry for MQTT: one message per value (`<prefix>/<bank>/<path>`) and Home Assistant MQTT
 * discovery configs (retained) for the bank and every pack, so a core `mqtt out` node is a full HA
 * integration. Pure: the node decides when to send.
 */
import { ALARM_NAMES } from '../../core/pack-state';
import type { RulesBankState } from './engine';

export interface TelemetryMessage {
  topic: string;
  payload: string | number | boolean;
  retain?: boolean;
}

const BANK_ALARMS = [...ALARM_NAMES, 'packOffline', 'bmsCommLost'] as const;

/** Topic-safe slug (MQTT wildcards, separators and spaces out). */
export const slug = (s: string): string => s.trim().replace(/[^A-Za-z0-9_-]+/g, '_') || 'bank';

const round = (v: number, d: number): number => Number(v.toFixed(d));

/** Every published value of one BankState, path → value. */
export function telemetryValues(b: RulesBankState): Record<string, string | number | boolean> {
  const v: Record<string, string | number | boolean> = {
    cvl: round(b.cvl, 2),
    ccl: round(b.ccl, 1),
    dcl: round(b.dcl, 1),
    dvl: round(b.dvl, 2),
    soc: round(b.soc, 1),
    soh: round(b.soh, 1),
    voltage: round(b.voltage, 2),
    current: round(b.current, 1),
    power: Math.round(b.power),
    'temperature/min': round(b.temperature.min, 1),
    'temperature/max': round(b.temperature.max, 1),
    'cell/min': round(b.cellMin.v, 3),
    'cell/max': round(b.cellMax.v, 3),
    'cell/spread': round(b.spread.pack, 3),
    mode: b.mode,
    chargeState: b.chargeState,
    chargeAllowed: b.chargeAllowed,
    dischargeAllowed: b.dischargeAllowed,
    forceCharge: b.forceCharge,
    stopCan: b.stopCan,
    'limitedBy/cvl': b.limitedBy.cvl,
    'limitedBy/ccl': b.limitedBy.ccl,
    'limitedBy/dcl': b.limitedBy.dcl,
    'packs/online': b.packs.online,
    'packs/total': b.packs.total,
    remainingAh: round(b.remainingAh, 1),
  };
  for (const a of BANK_ALARMS) v[`alarms/${a}`] = b.alarms[a] ?? 'ok';
  for (const [r, on] of Object.entries(b.relays)) v[`relays/${r}`] = on;
  for (const [id, p] of Object.entries(b.packStates)) {
    const k = `packs/${slug(id)}`;
    v[`${k}/status`] = p.status;
    v[`${k}/voltage`] = round(p.voltage, 2);
    v[`${k}/soc`] = round(p.soc, 1);
    v[`${k}/cellMin`] = round(p.cellMin, 3);
    v[`${k}/cellMax`] = round(p.cellMax, 3);
    v[`${k}/ccl`] = round(p.ccl, 1);
    v[`${k}/dcl`] = round(p.dcl, 1);
  }
  return v;
}

/** Remembers what was sent and returns only the values that changed (all of them when `full`). */
export class TelemetryDiff {
  private last = new Map<string, string | number | boolean>();

  constructor(
    private readonly prefix: string,
    private readonly bank: string,
  ) {}

  messages(b: RulesBankState, full: boolean): TelemetryMessage[] {
    const out: TelemetryMessage[] = [];
    for (const [path, value] of Object.entries(telemetryValues(b))) {
      if (!full && this.last.get(path) === value) continue;
      this.last.set(path, value);
      out.push({ topic: `${this.prefix}/${this.bank}/${path}`, payload: value });
    }
    return out;
  }
}

interface Entity {
  key: string;
  name: string;
  component: 'sensor' | 'binary_sensor';
  unit?: string;
  deviceClass?: string;
  stateClass?: boolean;
}

/** A sensor with a unit and a device class that Home Assistant graphs as a measurement. */
const measured = (key: string, name: string, unit: string, deviceClass: string): Entity => ({
  key,
  name,
  component: 'sensor',
  unit,
  deviceClass,
  stateClass: true,
});

/** The bank and every pack publish their charge and discharge current limits. */
const CURRENT_LIMITS = [
  measured('ccl', 'Charge current limit', 'A', 'current'),
  measured('dcl', 'Discharge current limit', 'A', 'current'),
];

const BANK_ENTITIES: Entity[] = [
  measured('soc', 'State of charge', '%', 'battery'),
  measured('voltage', 'Voltage', 'V', 'voltage'),
  measured('current', 'Current', 'A', 'current'),
  measured('power', 'Power', 'W', 'power'),
  measured('cvl', 'Charge voltage limit', 'V', 'voltage'),
  ...CURRENT_LIMITS,
  measured('temperature/min', 'Temperature min', '°C', 'temperature'),
  measured('temperature/max', 'Temperature max', '°C', 'temperature'),
  measured('cell/min', 'Cell min', 'V', 'voltage'),
  measured('cell/max', 'Cell max', 'V', 'voltage'),
  measured('cell/spread', 'Cell spread', 'V', 'voltage'),
  { key: 'mode', name: 'Safety mode', component: 'sensor' },
  { key: 'chargeState', name: 'Charge state', component: 'sensor' },
  { key: 'limitedBy/ccl', name: 'CCL limited by', component: 'sensor' },
  { key: 'packs/online', name: 'Packs online', component: 'sensor', stateClass: true },
  { key: 'chargeAllowed', name: 'Charge allowed', component: 'binary_sensor' },
  { key: 'dischargeAllowed', name: 'Discharge allowed', component: 'binary_sensor' },
  { key: 'relays/charge', name: 'Charge relay', component: 'binary_sensor' },
  { key: 'relays/load', name: 'Load relay', component: 'binary_sensor' },
  { key: 'relays/alarm', name: 'Alarm relay', component: 'binary_sensor', deviceClass: 'problem' },
  ...BANK_ALARMS.map((a): Entity => ({ key: `alarms/${a}`, name: `Alarm ${a}`, component: 'sensor' })),
];

const PACK_ENTITIES: Entity[] = [
  { key: 'status', name: 'Status', component: 'sensor' },
  measured('voltage', 'Voltage', 'V', 'voltage'),
  measured('soc', 'State of charge', '%', 'battery'),
  measured('cellMin', 'Cell min', 'V', 'voltage'),
  measured('cellMax', 'Cell max', 'V', 'voltage'),
  ...CURRENT_LIMITS,
];

function config(
  e: Entity,
  stateTopic: string,
  uid: string,
  device: Record<string, unknown>,
  discoveryPrefix: string,
): TelemetryMessage {
  const payload: Record<string, unknown> = {
    name: e.name,
    unique_id: uid,
    object_id: uid,
    state_topic: stateTopic,
    device,
  };
  if (e.unit) payload.unit_of_measurement = e.unit;
  if (e.deviceClass) payload.device_class = e.deviceClass;
  if (e.stateClass) payload.state_class = 'measurement';
  if (e.component === 'binary_sensor') {
    payload.payload_on = 'true';
    payload.payload_off = 'false';
  }
  return { topic: `${discoveryPrefix}/${e.component}/${uid}/config`, payload: JSON.stringify(payload), retain: true };
}

/** Retained HA discovery configs: the bank as one device, each pack as a device linked to it. */
export function discoveryMessages(
  prefix: string,
  bank: string,
  packIds: string[],
  discoveryPrefix = 'homeassistant',
): TelemetryMessage[] {
  const b = slug(bank);
  const bankId = `cellsafe_${b}`;
  const bankDevice = { identifiers: [bankId], name: `CellSafe ${bank}`, manufacturer: 'CellSafe', model: 'bms-rules' };
  const out = BANK_ENTITIES.map((e) =>
    config(e, `${prefix}/${b}/${e.key}`, `${bankId}_${slug(e.key)}`, bankDevice, discoveryPrefix),
  );
  for (const id of packIds) {
    const packId = `${bankId}_${slug(id)}`;
    const device = {
      identifiers: [packId],
      name: `CellSafe ${bank} ${id}`,
      manufacturer: 'CellSafe',
      model: 'battery pack',
      via_device: bankId,
    };
    for (const e of PACK_ENTITIES) {
      out.push(config(e, `${prefix}/${b}/packs/${slug(id)}/${e.key}`, `${packId}_${e.key}`, device, discoveryPrefix));
    }
  }
  return out;
}
