/**
 * Growatt's own LV protocol (SPF/SPE "L51", SPH/SPM-HU "01"; docs/protocols/inverter-can.md#growatt):
 * big-endian, and the battery answers the inverter's 0x301 poll with 0x311-0x314, 0x319-0x321.
 * The optional per-cell frames 0x315-0x318 are not sent: they describe a single pack, and a bank
 * is several in parallel.
 *
 * Deliberate choices: an alarm-level item also raises its T3/T4 warning bit (alarm-items.ts); the
 * 0x319 "pack in protection" address is 0 because a BankState does not say which pack tripped;
 * the 0x320 date is 0 (the encoder is pure and has no clock; inverters only display it).
 *
 * Before the first valid bank: nothing, not even an answer to the 0x301 poll. The answer set is
 * all or nothing and 0x311/0x313 carry limits, voltage and SoC; the inverter treats an unanswered
 * poll as lost communication, which is the truth until real values come.
 */
import type { BankState } from '../../core/pack-state';
import { canFrame, type CanFrame } from '../../transport/can-frame';
import { flagBytes, flagNames, type FlagItem } from './alarm-items';
import { FrameReader, FrameWriter, bitsOf, clamp, namesOf, put, type BitMap } from './can-encoding';
import { addItems, decodeWith, identityOf, type FrameDecoders } from './common-frames';
import type { EncodeOptions, FieldRanges, InverterProtocol, InverterView } from '../../transport/can-inverter-api';
import { LV_RANGES, socPercent, wireClaimProblem, wireValues, type WireValues } from './wire-values';

/** 0x312 tables T1/T2 (protection, bytes 0-1) and T3/T4 (warnings, bytes 2-3). */
export const GROWATT_ITEMS: readonly FlagItem[] = [
  { name: 'softStartFail', from: [], protection: [0, 0] },
  { name: 'moduleUnderVoltage', from: ['packUnderVoltage'], protection: [0, 1], warning: [2, 1] },
  { name: 'moduleOverVoltage', from: ['packOverVoltage'], protection: [0, 2], warning: [2, 2] },
  { name: 'cellUnderVoltage', from: ['cellUnderVoltage'], protection: [0, 3], warning: [2, 3] },
  { name: 'cellOverVoltage', from: ['cellOverVoltage'], protection: [0, 4], warning: [2, 4] },
  { name: 'shortCircuit', from: ['shortCircuit'], protection: [0, 5] },
  { name: 'chargeOverCurrent', from: ['chargeOverCurrent'], protection: [0, 6], warning: [2, 6] },
  { name: 'dischargeOverCurrent', from: ['dischargeOverCurrent'], protection: [0, 7], warning: [2, 7] },
  { name: 'internalCommFail', from: ['communication', 'bmsCommLost', 'packOffline'], warning: [3, 0] },
  { name: 'packAboutToTurnOff', from: [], warning: [3, 1] },
  { name: 'cellImbalance', from: ['cellImbalance'], protection: [1, 2], warning: [3, 2] },
  { name: 'systemError', from: ['internal', 'communication', 'bmsCommLost', 'packOffline'], protection: [1, 3] },
  { name: 'underTemperatureCharge', from: ['chargeUnderTemperature'], protection: [1, 4], warning: [3, 4] },
  { name: 'underTemperatureDischarge', from: ['dischargeUnderTemperature'], protection: [1, 5], warning: [3, 5] },
  { name: 'overTemperatureCharge', from: ['chargeOverTemperature'], protection: [1, 6], warning: [3, 6] },
  {
    name: 'overTemperatureDischarge',
    from: ['dischargeOverTemperature', 'mosOverTemperature'],
    protection: [1, 7],
    warning: [3, 7],
  },
];

/** 0x319 byte 0 bits 4-7 as Pylon 0x35C (docs/protocols/inverter-can.md#0x35c-requests); bits 0-1 chemistry. */
const REQUEST_FLAGS: BitMap = [
  [7, 'chargeEnable'],
  [6, 'dischargeEnable'],
  [5, 'forceChargeI'],
  [4, 'forceChargeII'],
];
const CHEMISTRY = ['LFP', 'NMC', 'LTO', 'reserved'];
const BATTERY_STATUS = ['soft-start', 'standby', 'charging', 'discharging'];
const INVERTER_STATUS = ['none', 'standby', 'charging', 'discharging'];
/** Below this current the battery reports standby rather than charging/discharging. */
const IDLE_CURRENT = 0.5;
/** Manufacturer code of 0x312 bytes 5-6: the document's example value; inverters only display it. */
const MANUFACTURER_CODE = 0xaabb;

const RANGES: FieldRanges = {
  ...LV_RANGES,
  ccl: { min: 0, max: 6553.5, lsb: 0.1 },
  dcl: { min: 0, max: 6553.5, lsb: 0.1 },
};

/** Total series cells of the bank: pack voltage over mean cell voltage, times the packs in parallel. */
function cellCount(bank: BankState): number {
  const meanCell = (bank.cellMin.v + bank.cellMax.v) / 2;
  if (!(meanCell > 0)) return 0;
  return Math.round(bank.voltage / meanCell) * Math.max(1, bank.packs.online);
}

function statusWord(bank: BankState, v: WireValues, anyFlag: boolean): number {
  const state = v.current >= IDLE_CURRENT ? 2 : v.current <= -IDLE_CURRENT ? 3 : 1;
  return (
    state |
    (anyFlag ? 1 << 2 : 0) |
    (bank.chargeState === 'balance' ? 1 << 3 : 0) |
    (v.dischargeEnabled ? 1 << 5 : 0) |
    (v.chargeEnabled ? 1 << 6 : 0) |
    ((bank.packs.online > 1 ? 1 : 0) << 8) |
    (state << 10)
  );
}

function encode(bank: BankState, options?: EncodeOptions): CanFrame[] {
  if (wireClaimProblem(bank)) return [];
  const v = wireValues(bank, RANGES);
  const flags = flagBytes(bank.alarms, GROWATT_ITEMS, 4);
  const identity = identityOf(options, { manufacturer: 'CS', hardwareVersion: 1, firmwareVersion: '1.0' });
  const w = (): FrameWriter => new FrameWriter(8, 'be');
  const requests = new Set<string>();
  if (v.chargeEnabled) requests.add('chargeEnable');
  if (v.dischargeEnabled) requests.add('dischargeEnable');
  // The document asks for bit 5 only; bit 4 is unused.
  if (v.forceCharge) requests.add('forceChargeI');
  const fullAh = bank.capacityAh.online;
  const t312 = w();
  flags.forEach((b, i) => t312.u8(i, b));
  return [
    w()
      .u16(0, v.cvl, 0.1)
      .u16(2, v.ccl, 0.1)
      .u16(4, v.dcl, 0.1)
      .u16(
        6,
        statusWord(
          bank,
          v,
          flags.some((b) => b !== 0),
        ),
      )
      .frame(0x311),
    t312
      .u8(4, clamp(bank.packs.online, 0, 254))
      .u16(5, MANUFACTURER_CODE)
      .u8(7, clamp(cellCount(bank), 0, 254))
      .frame(0x312),
    w()
      .s16(0, v.voltage, 0.01)
      .s16(2, v.current, 0.1)
      .s16(4, clamp(bank.temperature.max, RANGES.temperature.min, RANGES.temperature.max), 0.1)
      .u8(6, socPercent(v))
      .u8(7, v.soh)
      .frame(0x313),
    w()
      .u16(0, (fullAh * v.soc) / 100, 0.01)
      .u16(2, fullAh, 0.01)
      .u16(4, bank.cellMax.v - bank.cellMin.v, 0.001)
      .u16(6, options?.extras?.cycles ?? 0)
      .frame(0x314),
    w()
      .u8(0, bitsOf(requests, REQUEST_FLAGS))
      .u16(1, bank.cellMax.v, 0.001)
      .u16(3, bank.cellMin.v, 0.001)
      .u8(5, bank.cellMax.cell)
      .u8(6, bank.cellMin.cell)
      .frame(0x319),
    w()
      .ascii(0, (identity.manufacturer ?? '').toUpperCase(), 2, 0x20)
      .u8(2, identity.hardwareVersion ?? 0)
      .u8(3, Number((identity.firmwareVersion ?? '0').split('.')[0]) || 0)
      .frame(0x320),
    w().frame(0x321),
  ];
}

const be =
  (f: (r: FrameReader, view: InverterView) => void) =>
  (r: FrameReader, view: InverterView): void =>
    f(new FrameReader(r.data, 'be'), view);

const DECODERS: FrameDecoders = new Map([
  [
    0x311,
    be((r, view) => {
      view.cvl = r.u16(0, 0.1);
      view.ccl = r.u16(2, 0.1);
      view.dcl = r.u16(4, 0.1);
      const s = r.u16(6);
      if (s === undefined) return;
      const bit = (n: number): boolean => (s & (1 << n)) !== 0;
      Object.assign(view.fields, {
        batteryStatus: BATTERY_STATUS[s & 3],
        errorByteValid: bit(2),
        balancing: bit(3),
        sleep: bit(4),
        dischargeOutputEnabled: bit(5),
        chargeOutputEnabled: bit(6),
        terminalOpen: bit(7),
        masterMode: (s >> 8) & 3,
        inverterStatus: INVERTER_STATUS[(s >> 10) & 3],
      });
    }),
  ],
  [
    0x312,
    be((r, view) => {
      const bytes = [r.u8(0), r.u8(1), r.u8(2), r.u8(3)];
      const [t1, t2, t3, t4] = [0, 1, 2, 3].map((i) => flagNames(bytes, GROWATT_ITEMS, i));
      Object.assign(view.fields, { protectionT1: t1, protectionT2: t2, warningT3: t3, warningT4: t4 });
      addItems(view, [...t1, ...t2], [...t3, ...t4]);
      put(view.fields, 'packCount', r.u8(4));
      put(view.fields, 'manufacturerCode312', r.u16(5));
      put(view.fields, 'cellCount', r.u8(7));
    }),
  ],
  [
    0x313,
    be((r, view) => {
      view.voltage = r.s16(0, 0.01);
      view.current = r.s16(2, 0.1);
      view.temperature = r.s16(4, 0.1);
      put(view.fields, 'maxCellTemp', view.temperature);
      view.soc = r.u8(6);
      const soh = r.u8(7);
      if (soh === undefined) return;
      view.soh = soh & 0x7f;
      view.fields.sohFlag = (soh & 0x80) !== 0;
    }),
  ],
  [
    0x314,
    be((r, view) => {
      put(view.fields, 'remainingAh', r.u16(0, 0.01));
      put(view.fields, 'fullAh', r.u16(2, 0.01));
      put(view.fields, 'deltaCellmV', r.u16(4));
      put(view.fields, 'cycles', r.u16(6));
    }),
  ],
  [
    0x319,
    be((r, view) => {
      const byte = r.u8(0);
      if (byte !== undefined) {
        const on = new Set(namesOf(byte, REQUEST_FLAGS));
        view.fields.requestFlags = Object.fromEntries(REQUEST_FLAGS.map(([, n]) => [n, on.has(n)]));
        view.fields.chemistry = CHEMISTRY[byte & 3];
        view.chargeEnabled = on.has('chargeEnable');
        view.dischargeEnabled = on.has('dischargeEnable');
        view.forceCharge = on.has('forceChargeI') || on.has('forceChargeII');
      }
      put(view.fields, 'maxCellVoltage', r.u16(1, 0.001));
      put(view.fields, 'minCellVoltage', r.u16(3, 0.001));
      put(view.fields, 'maxCellId', r.u8(5));
      put(view.fields, 'minCellId', r.u8(6));
      put(view.fields, 'protectPackId', r.u8(7));
    }),
  ],
  [
    0x320,
    be((r, view) => {
      put(view.fields, 'manufacturerCode', r.ascii(0, 2));
      put(view.fields, 'hwVersion', r.u8(2));
      put(view.fields, 'swVersion', r.u8(3));
    }),
  ],
  [0x321, be((r, view) => put(view.fields, 'updateStatus', r.u8(0)))],
]);

/** The inverter's poll: the document's example payload, once per second. */
const POLL = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];

export const growattProtocol: InverterProtocol = {
  name: 'growatt',
  profiles: ['lv'],
  periodMs: 1000,
  bitrate: () => 500000,
  ranges: () => RANGES,
  validateOptions: (options) =>
    options?.profile !== undefined && options.profile !== 'lv'
      ? `unknown growatt profile "${options.profile}"; one of lv`
      : undefined,
  encode,
  decode: (frames) => decodeWith(frames, DECODERS),
  inverterFrames: () => [canFrame(0x301, POLL)],
  inverterPeriodMs: 1000,
  onInverterFrame(frame, bank, options) {
    if (frame.id !== 0x301 || frame.ext) return { linkAlive: false };
    return { linkAlive: true, reply: bank ? encode(bank, options) : undefined };
  },
};
