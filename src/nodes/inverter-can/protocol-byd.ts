/**
 * BYD Battery-Box Premium LVS as it talks to an inverter (SolarEdge/"BYD" battery settings; the
 * frames of a real LVS on a Victron GX, dfch/BydCanProtocol): the Victron frame set with BYD's
 * identity ("BYD", "PREMIUM", product 0x694C, firmware 1.23), every 0x35A pair "OK" when
 * inactive, 0x35B events, no HiRes SOC and no name frames. Never use this towards a Victron GX:
 * Venus OS applies BYD quirks (CCL = 0 becomes 40 A); use the victron protocol there.
 * Before the first valid bank it sends nothing, for the reasons given in protocol-victron.ts.
 */
import { canFrame } from '../../transport/can-frame';
import { identityOf } from './common-frames';
import type { InverterProtocol } from '../../transport/can-inverter-api';
import { decodeVictronSet, GX_FRAMES, onGxFrame, victronSetFrames, type VictronSetStyle } from './protocol-victron';
import { LV_RANGES } from './wire-values';

const BYD_STYLE: VictronSetStyle = {
  defaults: {
    manufacturer: 'BYD',
    batteryName: '',
    productName: 'PREMIUM',
    productId: 0x694c,
    firmwareVersion: '1.23',
  },
  pairs: { inactive: 'ok-all', generalOnAlarm: false, systemStatus: false },
  hiResSoc: false,
  nameFrames: false,
  eventsFrame: true,
};

const PROFILES = ['lvs'];

export const bydProtocol: InverterProtocol = {
  name: 'byd',
  profiles: PROFILES,
  periodMs: 1000,
  bitrate: () => 500000,
  ranges: () => LV_RANGES,
  validateOptions: (options) =>
    options?.profile !== undefined && !PROFILES.includes(options.profile)
      ? `unknown byd profile "${options.profile}"; one of ${PROFILES.join(', ')}`
      : undefined,
  encode: (bank, options) => victronSetFrames(bank, options, BYD_STYLE, identityOf(options, BYD_STYLE.defaults)),
  decode: (frames) => decodeVictronSet(frames),
  inverterFrames: () => GX_FRAMES.map((f) => canFrame(f.id, f.data)),
  inverterPeriodMs: 1000,
  onInverterFrame: (frame) => onGxFrame(frame),
};
