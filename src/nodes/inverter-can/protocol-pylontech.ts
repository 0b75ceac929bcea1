/**
 * Pylontech LV CAN (V1.2, docs/protocols/inverter-can.md#pylontech-family) and the brands that speak it, as profiles:
 * generic/Deye/Solis/Growatt L52/Megarevo/Sorotec (the original set), Sofar (no zero limits),
 * Sol-Ark v1.3 (DLC 8, 0.1 V pack voltage, + 0x379), Luxpower/EG4 V04 (cell extremes,
 * capacity and cycles in place of Pylon's spare bytes) and Goodwe "Pylon+" (+ 0x35A, 0x372,
 * 0x373, 0x379, name GOODWE). The inverter acknowledges with 0x305 (29-bit on Schneider).
 *
 * Stop rules (docs/protocols/inverter-can.md#stop-rules): a disallowed direction clears its 0x35C enable bit and sends its
 * limit as 0; CVL is never sent as 0. Force charge sets both request bits (Deye reacts to either,
 * EG4 only to bit 4).
 *
 * Before the first valid bank (every profile): nothing. Every frame of the set but the 0x35E name
 * carries limits, SoC, voltage or enable flags, and a name alone keeps no inverter's link alive;
 * a partial or zero set reads as implausible data (Deye W31) or as an empty battery.
 */
import type { BankState } from '../../core/pack-state';
import { canFrame, type CanFrame } from '../../transport/can-frame';
import { flagBytes, flagNames, type FlagItem } from './alarm-items';
import { FrameWriter, clamp, put, type BitMap, bitsOf, namesOf } from './can-encoding';
import {
  SPACE,
  addItems,
  batteryFrame,
  capacityFrame,
  cellExtremesFrame,
  decodeWith,
  identityOf,
  limitsFrame,
  modulesFrame,
  pairsFrame,
  readBattery,
  readCapacity,
  readCellExtremes,
  readLimits,
  readManufacturer,
  readModules,
  readPairs,
  readSoc,
  socFrame,
  textFrame,
  type FrameDecoders,
} from './common-frames';
import type { EncodeOptions, FieldRanges, InverterProtocol, InverterView } from '../../transport/can-inverter-api';
import { LV_RANGES, socPercent, wireClaimProblem, wireValues, type WireValues } from './wire-values';

interface PylonProfile {
  /** Default 0x35E text: Deye recognises names starting with "PYLON". */
  manufacturer: string;
  /** Sol-Ark and Luxpower want every frame 8 bytes; the original set uses DLC 8/4/6/7/2/8. */
  allDlc8: boolean;
  /** 0x356 pack voltage lsb (Sol-Ark v1.3: 0.1 V). */
  voltageLsb: number;
  layout: 'pylon' | 'luxpower';
  /** Extra frames after the Pylon set. */
  extras: 'none' | 'capacity' | 'pylon-plus';
  zeroLimitFloor?: number;
}

const ORIGINAL: PylonProfile = {
  manufacturer: 'PYLON',
  allDlc8: false,
  voltageLsb: 0.01,
  layout: 'pylon',
  extras: 'none',
};

const PROFILES: Record<string, PylonProfile> = {
  generic: ORIGINAL,
  deye: ORIGINAL,
  'sol-ark': { manufacturer: 'CellSafe', allDlc8: true, voltageLsb: 0.1, layout: 'pylon', extras: 'capacity' },
  luxpower: { manufacturer: 'CellSafe', allDlc8: true, voltageLsb: 0.01, layout: 'luxpower', extras: 'none' },
  goodwe: { ...ORIGINAL, manufacturer: 'GOODWE', extras: 'pylon-plus' },
  // Sofar ignores zero current limits (diyBMS pylon_canbus.cpp): "stop" is sent as 0.1 A.
  sofar: { ...ORIGINAL, zeroLimitFloor: 0.1 },
  solis: ORIGINAL,
  'growatt-l52': ORIGINAL,
  megarevo: ORIGINAL,
  sorotec: ORIGINAL,
};
const PROFILE_NAMES = Object.keys(PROFILES);

const profileOf = (options?: EncodeOptions): PylonProfile => PROFILES[options?.profile ?? 'generic'] ?? ORIGINAL;

/** 0x359 tables 1-4 (docs/protocols/inverter-can.md#0x359-flags): bytes 0-1 protection, 2-3 warnings; system error at byte 1 bit 3 as documented. */
export const PYLON_ITEMS: readonly FlagItem[] = [
  { name: 'overVoltage', from: ['cellOverVoltage', 'packOverVoltage'], protection: [0, 1], warning: [2, 1] },
  { name: 'underVoltage', from: ['cellUnderVoltage', 'packUnderVoltage'], protection: [0, 2], warning: [2, 2] },
  {
    name: 'overTemperature',
    from: ['chargeOverTemperature', 'dischargeOverTemperature', 'mosOverTemperature'],
    protection: [0, 3],
    warning: [2, 3],
  },
  {
    name: 'underTemperature',
    from: ['chargeUnderTemperature', 'dischargeUnderTemperature'],
    protection: [0, 4],
    warning: [2, 4],
  },
  { name: 'dischargeOverCurrent', from: ['dischargeOverCurrent', 'shortCircuit'], protection: [0, 7], warning: [2, 7] },
  { name: 'chargeOverCurrent', from: ['chargeOverCurrent'], protection: [1, 0], warning: [3, 0] },
  { name: 'bmsInternal', from: ['internal', 'communication', 'bmsCommLost', 'packOffline'], protection: [1, 3] },
  { name: 'internalCommFail', from: ['communication', 'bmsCommLost', 'packOffline'], warning: [3, 3] },
];

/** 0x35C request flags (docs/protocols/inverter-can.md#0x35c-requests). */
export const REQUEST_FLAGS: BitMap = [
  [7, 'chargeEnable'],
  [6, 'dischargeEnable'],
  [5, 'forceChargeI'],
  [4, 'forceChargeII'],
  [3, 'fullChargeRequest'],
];

function requestByte(v: WireValues): number {
  const on = new Set<string>();
  if (v.chargeEnabled) on.add('chargeEnable');
  if (v.dischargeEnabled) on.add('dischargeEnable');
  if (v.forceCharge) {
    on.add('forceChargeI');
    on.add('forceChargeII');
  }
  if (v.fullChargeRequest) on.add('fullChargeRequest');
  return bitsOf(on, REQUEST_FLAGS);
}

function pylonRanges(p: PylonProfile): FieldRanges {
  return p.voltageLsb === 0.1 ? { ...LV_RANGES, voltage: { min: -3276.8, max: 3276.7, lsb: 0.1 } } : LV_RANGES;
}

function encode(bank: BankState, options?: EncodeOptions): CanFrame[] {
  if (wireClaimProblem(bank)) return [];
  const p = profileOf(options);
  const v = wireValues(bank, pylonRanges(p), { zeroLimitFloor: p.zeroLimitFloor });
  const identity = identityOf(options, { manufacturer: p.manufacturer });
  const dlc = (original: number): number => (p.allDlc8 ? 8 : original);
  const lux = p.layout === 'luxpower';
  const flags = flagBytes(bank.alarms, PYLON_ITEMS, 4);

  const alarms = new FrameWriter(dlc(7));
  flags.forEach((b, i) => alarms.u8(i, b));
  alarms.u8(4, bank.packs.online);
  const request = new FrameWriter(dlc(2)).u8(0, requestByte(v));
  let soc: CanFrame;
  let battery: CanFrame;
  if (lux) {
    // Luxpower V04 reuses Pylon's spare bytes; its inverters misbehave when max == min temperature.
    const tMin = clamp(bank.temperature.min, LV_RANGES.temperature.min, LV_RANGES.temperature.max - 0.1);
    soc = new FrameWriter(8)
      .u16(0, socPercent(v))
      .u16(2, v.soh)
      .u16(4, bank.cellMax.v, 0.001)
      .u16(6, bank.cellMin.v, 0.001)
      .frame(0x355);
    battery = new FrameWriter(8)
      .s16(0, v.voltage, p.voltageLsb)
      .s16(2, v.current, 0.1)
      .s16(4, Math.max(bank.temperature.max, tMin + 0.1), 0.1)
      .s16(6, tMin, 0.1)
      .frame(0x356);
    alarms.u16(5, bank.capacityAh.installed);
    request.u16(2, options?.extras?.cycles ?? 0);
  } else {
    soc = socFrame(v, dlc(4), false);
    battery = batteryFrame(v, p.voltageLsb, dlc(6));
    alarms.u8(5, 0x50).u8(6, 0x4e); // "PN"
  }
  const frames = [
    limitsFrame(v),
    soc,
    battery,
    alarms.frame(0x359),
    request.frame(0x35c),
    textFrame(0x35e, identity.manufacturer ?? '', SPACE),
  ];
  if (p.extras === 'capacity') frames.push(capacityFrame(bank));
  if (p.extras === 'pylon-plus') {
    frames.push(
      pairsFrame(bank.alarms, { inactive: 'ok-supported', generalOnAlarm: false, systemStatus: false }),
      modulesFrame(bank),
      cellExtremesFrame(bank),
      capacityFrame(bank),
    );
  }
  return frames;
}

function decodersFor(p: PylonProfile): FrameDecoders {
  const lux = p.layout === 'luxpower';
  return new Map([
    [0x351, readLimits],
    [
      0x355,
      (r, view) => {
        readSoc(r, view, false);
        if (!lux) return;
        put(view.fields, 'maxCellVoltage', r.u16(4, 0.001));
        put(view.fields, 'minCellVoltage', r.u16(6, 0.001));
      },
    ],
    [
      0x356,
      (r, view) => {
        readBattery(r, view, p.voltageLsb);
        if (!lux) return;
        put(view.fields, 'maxCellTemp', view.temperature);
        put(view.fields, 'minCellTemp', r.s16(6, 0.1));
      },
    ],
    [
      0x359,
      (r, view) => {
        const bytes = [r.u8(0), r.u8(1), r.u8(2), r.u8(3)];
        const protection = [...flagNames(bytes, PYLON_ITEMS, 0), ...flagNames(bytes, PYLON_ITEMS, 1)];
        const warnings = [...flagNames(bytes, PYLON_ITEMS, 2), ...flagNames(bytes, PYLON_ITEMS, 3)];
        view.fields.protectionActive = protection;
        view.fields.warningsActive = warnings;
        addItems(view, protection, warnings);
        put(view.fields, 'moduleCount', r.u8(4));
        if (lux) put(view.fields, 'capacityAh', r.u16(5));
      },
    ],
    [
      0x35c,
      (r, view) => {
        const byte = r.u8(0);
        if (byte === undefined) return;
        const on = new Set(namesOf(byte, REQUEST_FLAGS));
        const flags = Object.fromEntries(REQUEST_FLAGS.map(([, name]) => [name, on.has(name)]));
        view.fields.requestFlags = flags;
        view.chargeEnabled = on.has('chargeEnable');
        view.dischargeEnabled = on.has('dischargeEnable');
        view.forceCharge = on.has('forceChargeI') || on.has('forceChargeII');
        view.fullChargeRequest = on.has('fullChargeRequest');
        if (lux) put(view.fields, 'cycles', r.u16(2));
      },
    ],
    [0x35e, readManufacturer],
    [0x35a, (r, view) => readPairs(r, view, '35A')],
    [0x372, readModules],
    [0x373, readCellExtremes],
    [0x379, readCapacity],
  ]);
}

const DECODERS = new Map<PylonProfile, FrameDecoders>();

function decode(frames: CanFrame[], options?: EncodeOptions): InverterView {
  const p = profileOf(options);
  if (!DECODERS.has(p)) DECODERS.set(p, decodersFor(p));
  return decodeWith(frames, DECODERS.get(p) as FrameDecoders);
}

export const pylontechProtocol: InverterProtocol = {
  name: 'pylontech',
  profiles: PROFILE_NAMES,
  periodMs: 1000,
  bitrate: () => 500000,
  ranges: (profile) => pylonRanges(profileOf({ profile })),
  validateOptions: (options) =>
    options?.profile !== undefined && !PROFILE_NAMES.includes(options.profile)
      ? `unknown pylontech profile "${options.profile}"; one of ${PROFILE_NAMES.join(', ')}`
      : undefined,
  encode,
  decode,
  inverterFrames: () => [canFrame(0x305, Buffer.alloc(8))],
  inverterPeriodMs: 1000,
  onInverterFrame(frame, _bank, options) {
    // Any 0x305 is the inverter's ACK, 11- or 29-bit (Schneider XW Pro sends it 29-bit).
    if (frame.id === 0x305) return { linkAlive: true };
    if (profileOf(options).layout === 'luxpower' && frame.id === 0x300 && !frame.ext) {
      return { linkAlive: true, command: (frame.data[0] & 1) === 1 ? 'shutdown' : undefined };
    }
    return { linkAlive: false };
  },
};
