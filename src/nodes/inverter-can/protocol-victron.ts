/**
 * Victron "CAN-bus BMS" frame set (docs/protocols/inverter-can.md#victron) for a GX device with DVCC: the SMA frames
 * plus module counts, cell extremes, ids, energy and names. The same set, with BYD's identity and
 * styles, is the BYD LVS protocol (protocol-byd.ts).
 *
 * The bank never presents itself to a Victron as Pylontech or BYD: Venus OS applies quirks to
 * those products (rewrites CVL, turns CCL = 0 into C/4 or 40 A), which
 * would defeat our limits. Such names/ids are refused by validateOptions and replaced by ours.
 *
 * Deliberate differences from real captures (test/unit/inverter-can/vectors.test.ts DEVIATIONS):
 * 0x355 always carries HiRes SOC; 0x35A marks only supervised items OK (no contactor claim; a
 * short circuit shows as discharge over-current) plus the system-online pair; 0x356 bytes 6-7 are
 * 0; 0x374/0x375 name the cell "<pack>C<nn>"; the victron set omits the all-zero 0x35B.
 *
 * Before the first valid bank (victron and byd): nothing. A GX keeps a battery alive on 0x351,
 * which carries CVL/CCL/DCL, and reads SoC and voltage from 0x355/0x356; no frame of the set keeps
 * the link without a claim (name frames alone show a battery without values). Silence lets the GX
 * apply its own "BMS connection lost" handling until real values come.
 */
import type { BankState } from '../../core/pack-state';
import { canFrame, type CanFrame } from '../../transport/can-frame';
import { FrameReader, FrameWriter, put } from './can-encoding';
import {
  NUL,
  batteryFrame,
  capacityFrame,
  cellExtremesFrame,
  decodeWith,
  identityOf,
  limitsFrame,
  modulesFrame,
  pairsFrame,
  productFrame,
  readBattery,
  readCapacity,
  readCellExtremes,
  readModules,
  readProduct,
  socFrame,
  textFrame,
  SMA_VICTRON_DECODERS,
  type FrameDecoders,
  type PairPolicy,
} from './common-frames';
import type {
  BatteryIdentity,
  EncodeOptions,
  InverterFrameResult,
  InverterProtocol,
  InverterView,
} from '../../transport/can-inverter-api';
import { LV_RANGES, wireClaimProblem, wireValues } from './wire-values';

/** How one battery brand fills the Victron frame set. */
export interface VictronSetStyle {
  defaults: Required<
    Pick<BatteryIdentity, 'manufacturer' | 'batteryName' | 'productName' | 'productId' | 'firmwareVersion'>
  >;
  pairs: PairPolicy;
  /** 0x355 bytes 4-5 HiRes SOC (BYD leaves them 0). */
  hiResSoc: boolean;
  /** 0x370/0x371 battery name. */
  nameFrames: boolean;
  /** 0x35B events (BYD sends zeros). */
  eventsFrame: boolean;
}

/** Cell id text for 0x374/0x375: "<pack>C<nn>", cut to 8 characters keeping the cell number; empty when unknown. */
export function cellIdText(pack: string, cell: number): string {
  if (pack === '' && cell === 0) return '';
  const suffix = `C${String(Math.max(0, Math.round(cell))).padStart(2, '0')}`;
  return `${pack.slice(0, Math.max(0, 8 - suffix.length))}${suffix}`.slice(0, 8);
}

export function victronSetFrames(
  bank: BankState,
  options: EncodeOptions | undefined,
  style: VictronSetStyle,
  identity: BatteryIdentity,
): CanFrame[] {
  if (wireClaimProblem(bank)) return [];
  const v = wireValues(bank, LV_RANGES);
  const extras = options?.extras ?? {};
  const name = identity.batteryName ?? '';
  const frames = [
    limitsFrame(v),
    socFrame(v, 8, style.hiResSoc),
    batteryFrame(v, 0.01, 8),
    pairsFrame(bank.alarms, style.pairs),
  ];
  if (style.eventsFrame) frames.push(canFrame(0x35b, Buffer.alloc(8)));
  frames.push(textFrame(0x35e, identity.manufacturer ?? '', NUL), productFrame(identity, bank.capacityAh.online));
  if (style.nameFrames) frames.push(textFrame(0x370, name.slice(0, 8), NUL), textFrame(0x371, name.slice(8, 16), NUL));
  frames.push(
    modulesFrame(bank),
    cellExtremesFrame(bank),
    textFrame(0x374, cellIdText(bank.cellMin.pack, bank.cellMin.cell), NUL),
    textFrame(0x375, cellIdText(bank.cellMax.pack, bank.cellMax.cell), NUL),
    textFrame(0x376, extras.minTempId ?? '', NUL),
    textFrame(0x377, extras.maxTempId ?? '', NUL),
    new FrameWriter(8)
      .u32(0, extras.chargedKWh ?? 0, 0.1)
      .u32(4, extras.dischargedKWh ?? 0, 0.1)
      .frame(0x378),
    capacityFrame(bank),
    textFrame(0x382, identity.productName ?? '', NUL),
    canFrame(0x360, Buffer.alloc(8, v.forceCharge ? 0xff : 0x00)),
  );
  return frames;
}

const text =
  (key: string) =>
  (r: FrameReader, view: InverterView): void =>
    put(view.fields, key, r.ascii(0, 8));

const VICTRON_SET_DECODERS: FrameDecoders = new Map([
  ...SMA_VICTRON_DECODERS,
  [
    0x356,
    (r, view) => {
      readBattery(r, view, 0.01);
      put(view.fields, 'extra0x356Bytes6_7', r.u16(6));
    },
  ],
  [
    0x35f,
    (r, view) => {
      const p = readProduct(r);
      put(view.fields, 'productId', p.id);
      put(view.fields, 'firmwareVersion', p.firmware);
      put(view.fields, 'availableCapacityAh', p.capacityAh);
      put(view.fields, 'extra0x35FBytes6_7', p.tail);
    },
  ],
  [
    0x360,
    (r, view) => {
      const flag = r.u8(0);
      if (flag === undefined) return;
      view.forceCharge = flag === 0xff;
      view.fields.forceChargeRequest = view.forceCharge;
    },
  ],
  [0x372, readModules],
  [0x373, readCellExtremes],
  [0x374, text('minCellVoltageId')],
  [0x375, text('maxCellVoltageId')],
  [0x376, text('minCellTempId')],
  [0x377, text('maxCellTempId')],
  [
    0x378,
    (r, view) => {
      put(view.fields, 'chargedEnergyKWh', r.u32(0, 0.1));
      put(view.fields, 'dischargedEnergyKWh', r.u32(4, 0.1));
    },
  ],
  [0x379, readCapacity],
  [0x382, text('productName')],
]);

export function decodeVictronSet(frames: CanFrame[]): InverterView {
  const view = decodeWith(frames, VICTRON_SET_DECODERS);
  // The 16-character name spans two frames.
  const half = (id: number): string => frames.find((f) => f.id === id && !f.ext)?.data.toString('latin1') ?? '';
  const name = (half(0x370).padEnd(8, '\0') + half(0x371)).replace(/[\0 ]+$/, '').replace(/[^\x20-\x7e]/g, '?');
  if (name !== '') view.fields.batteryName = name;
  return view;
}

/** What a GX sends: keep-alive 0x305, 0x306, and 0x307 "VIC" identification. */
export const GX_FRAMES: readonly CanFrame[] = [
  canFrame(0x305, Buffer.alloc(8)),
  canFrame(0x306, Buffer.alloc(8)),
  canFrame(0x307, [0x12, 0x34, 0x56, 0x78, 0x56, 0x49, 0x43, 0x00]),
];

export function onGxFrame(frame: CanFrame): InverterFrameResult {
  return { linkAlive: !frame.ext && frame.id >= 0x305 && frame.id <= 0x307 };
}

const VICTRON_STYLE: VictronSetStyle = {
  defaults: {
    manufacturer: 'CellSafe',
    batteryName: 'CellSafe bank',
    productName: 'CELLSAFE',
    productId: 0,
    firmwareVersion: '0.1',
  },
  pairs: { inactive: 'ok-supported', generalOnAlarm: false, systemStatus: true },
  hiResSoc: true,
  nameFrames: true,
  eventsFrame: false,
};

/** Product ids Venus OS applies quirks to: Pylontech "LI" and BYD. */
const QUIRK_PRODUCT_IDS = new Set([0x494c, 0x694c]);
const QUIRK_NAME = /pylon|byd/i;

function victronIdentityProblem(identity: BatteryIdentity | undefined): string | undefined {
  for (const key of ['manufacturer', 'batteryName', 'productName'] as const) {
    const value = identity?.[key];
    if (value !== undefined && QUIRK_NAME.test(value)) {
      return `${key} "${value}" would make a Victron GX apply its Pylontech/BYD quirks to our limits; choose another name`;
    }
  }
  if (identity?.productId !== undefined && QUIRK_PRODUCT_IDS.has(identity.productId)) {
    return `productId 0x${identity.productId.toString(16)} is a Pylontech/BYD id a Victron GX applies quirks to`;
  }
  return undefined;
}

/** The given identity with every Pylontech/BYD-looking value replaced by our default. */
function victronIdentity(options: EncodeOptions | undefined): BatteryIdentity {
  const id = identityOf(options, VICTRON_STYLE.defaults);
  for (const key of ['manufacturer', 'batteryName', 'productName'] as const) {
    if (QUIRK_NAME.test(id[key] ?? '')) id[key] = VICTRON_STYLE.defaults[key];
  }
  if (QUIRK_PRODUCT_IDS.has(id.productId ?? 0)) id.productId = VICTRON_STYLE.defaults.productId;
  return id;
}

const PROFILES = ['500k', '250k'];

export const victronProtocol: InverterProtocol = {
  name: 'victron',
  profiles: PROFILES,
  periodMs: 1000,
  bitrate: (profile) => (profile === '250k' ? 250000 : 500000),
  ranges: () => LV_RANGES,
  validateOptions(options) {
    if (options?.profile !== undefined && !PROFILES.includes(options.profile)) {
      return `unknown victron profile "${options.profile}"; one of ${PROFILES.join(', ')}`;
    }
    return victronIdentityProblem(options?.identity);
  },
  encode: (bank, options) => victronSetFrames(bank, options, VICTRON_STYLE, victronIdentity(options)),
  decode: (frames) => decodeVictronSet(frames),
  inverterFrames: () => GX_FRAMES.map((f) => canFrame(f.id, f.data)),
  inverterPeriodMs: 1000,
  onInverterFrame: (frame) => onGxFrame(frame),
};
