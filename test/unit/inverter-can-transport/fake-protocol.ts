/**
 * Tiny stand-ins for real encoders, so the transport and transmitter tests do not depend on any
 * protocol's field layout: 0x351 carries CVL/CCL/DCL (u16 0.1 V/A, LE), 0x355 SOC, 0x359 byte 0
 * bit 0 the communication alarm.
 */
import type { BankState } from '../../../src/core/pack-state';
import { canFrame, type CanFrame } from '../../../src/transport/can-frame';
import type { FieldRanges, InverterProtocol, InverterView } from '../../../src/transport/can-inverter-api';

const u16 = (v: number): number[] => {
  const x = Math.max(0, Math.min(0xffff, Math.round(v * 10)));
  return [x & 0xff, x >> 8];
};

function encode(bank: BankState): CanFrame[] {
  return [
    canFrame(0x351, [...u16(bank.cvl), ...u16(bank.ccl), ...u16(bank.dcl), 0, 0]),
    canFrame(0x355, [Math.round(bank.soc), 0]),
    canFrame(0x359, [bank.alarms.communication ? 1 : 0, 0, 0, 0]),
  ];
}

function decode(frames: CanFrame[]): InverterView {
  const view: InverterView = { alarms: [], warnings: [], fields: {} };
  for (const f of frames) {
    if (f.id === 0x351) {
      view.cvl = f.data.readUInt16LE(0) / 10;
      view.ccl = f.data.readUInt16LE(2) / 10;
      view.dcl = f.data.readUInt16LE(4) / 10;
    } else if (f.id === 0x355) view.soc = f.data[0];
    else if (f.id === 0x359 && f.data[0] & 1) view.alarms.push('communication');
  }
  return view;
}

const range = { min: 0, max: 6553.5, lsb: 0.1 };
const ranges: FieldRanges = {
  cvl: range,
  ccl: range,
  dcl: range,
  dvl: range,
  soc: range,
  soh: range,
  voltage: range,
  current: range,
  temperature: range,
};

/** Pylon-like: transmits every second unsolicited; the inverter ACKs with 0x305. */
export const fakeAcked: InverterProtocol = {
  name: 'pylontech',
  profiles: ['generic'],
  periodMs: 1000,
  bitrate: () => 500000,
  ranges: () => ranges,
  validateOptions: () => undefined,
  encode,
  decode,
  inverterFrames: () => [canFrame(0x305, [0, 0, 0, 0, 0, 0, 0, 0])],
  inverterPeriodMs: 1000,
  onInverterFrame: (f) => ({ linkAlive: f.id === 0x305 }),
};

/** Growatt-like: the inverter polls with 0x301 and the battery answers with its frame set. */
export const fakePolled: InverterProtocol = {
  ...fakeAcked,
  name: 'growatt',
  inverterFrames: () => [canFrame(0x301, [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88])],
  onInverterFrame: (f, bank) =>
    f.id === 0x301 ? { linkAlive: true, reply: bank ? encode(bank) : [] } : { linkAlive: false },
};

/** Victron-like: no inverter-side supervision at all. */
export const fakeUnsupervised: InverterProtocol = {
  name: 'victron',
  profiles: ['500k'],
  periodMs: 1000,
  bitrate: () => 500000,
  ranges: () => ranges,
  validateOptions: () => undefined,
  encode,
  decode,
};
