/**
 * SMA Sunny Island with an external BMS ("LiIon_Ext-BMS"; docs/protocols/inverter-can.md#sma). Only the ids SMA
 * allows are sent (0x351, 0x355, 0x356, 0x35A, 0x35B, 0x35E, 0x35F), every frame 8 bytes with
 * unused bytes 0xFF ("invalid"), values clamped into the ranges the SI accepts (it silently drops
 * anything outside and keeps the last value). Alarm pairs: 01 raises, 10 clears, so every
 * supervised inactive item is actively sent as 10; any alarm also raises "general".
 *
 * Before the first valid bank: nothing. The SI refuses an incomplete frame set (all values are
 * mandatory), 0x355 always carries a SoC and SoC 0 % makes it shut down; it tolerates 60 s
 * without 0x351/0x355 before its own BMS time-out, far longer than bms-rules needs to leave INIT.
 */
import { canFrame } from '../../transport/can-frame';
import { FrameWriter, put } from './can-encoding';
import {
  SPACE,
  batteryFrame,
  decodeWith,
  identityOf,
  limitsFrame,
  pairsFrame,
  productFrame,
  readBattery,
  readProduct,
  socFrame,
  textFrame,
  SMA_VICTRON_DECODERS,
  type FrameDecoders,
} from './common-frames';
import type { EncodeOptions, FieldRanges, InverterProtocol, InverterView } from '../../transport/can-inverter-api';
import type { BankState } from '../../core/pack-state';
import { LV_RANGES, wireClaimProblem, wireValues } from './wire-values';

const RANGES: FieldRanges = {
  ...LV_RANGES,
  cvl: { min: 41, max: 63, lsb: 0.1 },
  ccl: { min: 0, max: 1200, lsb: 0.1 },
  dcl: { min: 0, max: 1200, lsb: 0.1 },
  dvl: { min: 41, max: 48, lsb: 0.1 },
};

const INVALID = 0xff;

function encode(bank: BankState, options?: EncodeOptions) {
  if (wireClaimProblem(bank)) return [];
  const v = wireValues(bank, RANGES);
  const identity = identityOf(options, { manufacturer: 'CellSafe', productId: 0, firmwareVersion: '0.1' });
  return [
    limitsFrame(v),
    socFrame(v, 8, true, INVALID),
    batteryFrame(v, 0.01, 8, INVALID),
    pairsFrame(bank.alarms, { inactive: 'ok-supported', generalOnAlarm: true, systemStatus: false }),
    canFrame(0x35b, Buffer.alloc(8)),
    textFrame(0x35e, identity.manufacturer ?? '', SPACE),
    productFrame(identity, bank.capacityAh.installed),
  ];
}

const DECODERS: FrameDecoders = new Map([
  ...SMA_VICTRON_DECODERS,
  [0x356, (r, view) => readBattery(r, view, 0.01)],
  [
    0x35f,
    (r, view) => {
      const p = readProduct(r);
      put(view.fields, 'batteryType', p.id);
      if (r.data.length >= 4) view.fields.bmsVersionBytes = r.data.subarray(2, 4).toString('hex');
      put(view.fields, 'capacityAh', p.capacityAh);
      put(view.fields, 'manufacturerId', p.tail);
    },
  ],
]);

/** The Sunny Island's own telemetry (read-only, every second): 0x305 battery, 0x306 state, 0x307 relays. */
function inverterFrames(view?: InverterView) {
  return [
    // The SI reports its current negative while charging.
    new FrameWriter(8)
      .u16(0, view?.voltage ?? 0, 0.1)
      .s16(2, -(view?.current ?? 0), 0.1)
      .s16(4, view?.temperature ?? 0, 0.1)
      .s16(6, view?.soc ?? 0, 0.1)
      .frame(0x305),
    // SOH, charging procedure 10 (external BMS), operating state 1 (operating), no error, charge voltage set-point.
    new FrameWriter(8)
      .u16(0, view?.soh ?? 0)
      .u8(2, 10)
      .u8(3, 1)
      .u16(4, 0)
      .u16(6, view?.cvl ?? 0, 0.1)
      .frame(0x306),
    canFrame(0x307, Buffer.alloc(8)),
  ];
}

export const smaProtocol: InverterProtocol = {
  name: 'sma',
  profiles: ['sunny-island'],
  periodMs: 1000,
  // SMA's external-BMS technical information: a value must not be updated faster than every 200 ms.
  minGapMs: 200,
  bitrate: () => 500000,
  ranges: () => RANGES,
  validateOptions: (options) =>
    options?.profile !== undefined && options.profile !== 'sunny-island'
      ? `unknown sma profile "${options.profile}"; one of sunny-island`
      : undefined,
  encode,
  decode: (frames) => decodeWith(frames, DECODERS),
  inverterFrames,
  inverterPeriodMs: 1000,
  onInverterFrame: (frame) => ({ linkAlive: !frame.ext && frame.id >= 0x305 && frame.id <= 0x307 }),
};
