/**
 * Test support: the shared inverter CAN vectors, the encoder each one belongs to, and the
 * BankState + options an encoder needs to reproduce a decoded capture.
 */
import type { BankState } from '../../../src/core/pack-state';
import { canFrame, type CanFrame } from '../../../src/transport/can-frame';
import { bankAlarmsFrom, type AlarmItem } from '../../../src/nodes/inverter-can/alarm-items';
import { PAIR_ITEMS } from '../../../src/nodes/inverter-can/common-frames';
import type { EncodeOptions, InverterProtocolName, InverterView } from '../../../src/transport/can-inverter-api';
import { PYLON_ITEMS } from '../../../src/nodes/inverter-can/protocol-pylontech';
import { GROWATT_ITEMS } from '../../../src/nodes/inverter-can/protocol-growatt';
import { loadVectors } from '../../helpers/fixtures';

export interface Vector {
  source: string;
  protocol: string;
  synthetic: boolean;
  scenario?: string;
  policy?: Record<string, unknown>;
  frames: { id: string; data: string }[];
  inverterFrames?: { id: string; data: string }[];
  expected: Record<string, unknown>;
}

export const VECTORS: Vector[] = loadVectors('inverter-can') as Vector[];

export const toFrames = (list: { id: string; data: string }[]): CanFrame[] =>
  list.map((f) => canFrame(parseInt(f.id, 16), Buffer.from(f.data, 'hex')));

/** The encoder (protocol + profile) that speaks each vector protocol. */
export const ROUTES: Record<string, { protocol: InverterProtocolName; profile?: string }> = {
  victron: { protocol: 'victron' },
  pylon: { protocol: 'pylontech', profile: 'generic' },
  solark: { protocol: 'pylontech', profile: 'sol-ark' },
  luxpower: { protocol: 'pylontech', profile: 'luxpower' },
  goodwe: { protocol: 'pylontech', profile: 'goodwe' },
  sma: { protocol: 'sma' },
  growatt: { protocol: 'growatt' },
};

export const label = (v: Vector): string =>
  `${v.protocol} ${v.synthetic ? 'synthetic' : 'capture'}: ${v.scenario ?? v.source.slice(0, 70)}`;

const num = (x: unknown): number | undefined => (typeof x === 'number' ? x : undefined);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const list = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : []);

/** "B2C07" → pack "B2", cell 7 (our 0x374/0x375 text); other texts keep the whole text as pack. */
function cellRef(text: string | undefined, cell: number | undefined): { pack: string; cell: number } {
  const m = /^(.*)C(\d+)$/.exec(text ?? '');
  return m ? { pack: m[1], cell: Number(m[2]) } : { pack: text ?? '', cell: cell ?? 0 };
}

function alarmsOf(protocol: InverterProtocolName, f: Record<string, unknown>): BankState['alarms'] {
  const from = (items: readonly AlarmItem[], alarms: string[], warns: string[]) => bankAlarmsFrom(items, alarms, warns);
  if (protocol === 'growatt') {
    return from(
      GROWATT_ITEMS,
      [...list(f.protectionT1), ...list(f.protectionT2)],
      [...list(f.warningT3), ...list(f.warningT4)],
    );
  }
  if (protocol === 'pylontech') {
    return {
      ...from(PAIR_ITEMS, list(f.alarmsActive35A), list(f.warningsActive35A)),
      ...from(PYLON_ITEMS, list(f.protectionActive), list(f.warningsActive)),
    };
  }
  return from(PAIR_ITEMS, list(f.alarmsActive), list(f.warningsActive));
}

/** The BankState (and identity/extras) a decoded view stands for. */
export function viewToBank(
  view: InverterView,
  protocol: InverterProtocolName,
): { bank: BankState; options: EncodeOptions } {
  const f = view.fields;
  const t = view.temperature ?? num(f.maxCellTemp) ?? 25;
  const hiRes = num(f.socHiRes);
  const soc = view.soc ?? 0;
  const online = num(f.modulesOnline) ?? num(f.moduleCount) ?? num(f.packCount) ?? 1;
  const offline = num(f.modulesOffline) ?? 0;
  const installed = num(f.installedCapacityAh) ?? num(f.capacityAh) ?? num(f.fullAh) ?? 0;
  const ccl = view.ccl ?? 0;
  const dcl = view.dcl ?? 0;
  const bank: BankState = {
    kind: 'bank',
    time: 0,
    cvl: view.cvl ?? 0,
    ccl,
    dcl,
    dvl: view.dvl ?? 0,
    chargeAllowed: view.chargeEnabled ?? (f.chargeOutputEnabled as boolean | undefined) ?? ccl > 0,
    dischargeAllowed: view.dischargeEnabled ?? (f.dischargeOutputEnabled as boolean | undefined) ?? dcl > 0,
    forceCharge: view.forceCharge ?? false,
    fullChargeRequest: view.fullChargeRequest ?? false,
    soc: hiRes !== undefined && Math.floor(hiRes) === soc ? hiRes : soc,
    soh: view.soh ?? 100,
    voltage: view.voltage ?? 0,
    current: view.current ?? 0,
    power: 0,
    temperature: { min: num(f.minCellTemp) ?? t, max: num(f.maxCellTemp) ?? t, avg: t },
    cellMin: { v: num(f.minCellVoltage) ?? 0, ...cellRef(str(f.minCellVoltageId), num(f.minCellId)) },
    cellMax: { v: num(f.maxCellVoltage) ?? 0, ...cellRef(str(f.maxCellVoltageId), num(f.maxCellId)) },
    packs: {
      total: online + offline,
      online,
      stale: 0,
      offline,
      blockingCharge: num(f.modulesBlockingCharge) ?? 0,
      blockingDischarge: num(f.modulesBlockingDischarge) ?? 0,
    },
    capacityAh: { installed, online: num(f.availableCapacityAh) ?? num(f.fullAh) ?? installed },
    chargeState: f.balancing === true ? 'balance' : 'bulk',
    mode: 'normal',
    limitedBy: { cvl: '', ccl: '', dcl: '' },
    alarms: alarmsOf(protocol, f),
    relays: { charge: true, load: true, alarm: false },
    stopCan: false,
  };
  const options: EncodeOptions = {
    identity: {
      manufacturer: str(f.manufacturer) ?? str(f.manufacturerCode),
      batteryName: str(f.batteryName),
      productName: str(f.productName),
      productId: num(f.productId) ?? num(f.batteryType),
      firmwareVersion:
        str(f.firmwareVersion) ??
        (typeof f.bmsVersionBytes === 'string'
          ? `${parseInt(f.bmsVersionBytes.slice(0, 2), 16)}.${parseInt(f.bmsVersionBytes.slice(2, 4), 16)}`
          : num(f.swVersion) !== undefined
            ? `${num(f.swVersion)}.0`
            : undefined),
      hardwareVersion: num(f.hwVersion),
    },
    extras: {
      cycles: num(f.cycles),
      chargedKWh: num(f.chargedEnergyKWh),
      dischargedKWh: num(f.dischargedEnergyKWh),
      minTempId: str(f.minCellTempId),
      maxTempId: str(f.maxCellTempId),
    },
  };
  return { bank, options };
}
