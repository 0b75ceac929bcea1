/** Test support: random valid BankStates and every protocol/profile pair. */
import fc from 'fast-check';
import { ALARM_NAMES, type BankAlarmName, type BankState } from '../../../src/core/pack-state';
import type { InverterProtocol } from '../../../src/transport/can-inverter-api';
import { PROTOCOLS } from '../../../src/nodes/inverter-can/protocols';

export const BANK_ALARMS: BankAlarmName[] = [...ALARM_NAMES, 'packOffline', 'bmsCommLost'];

/** Every protocol with every profile. */
export const TARGETS: { protocol: InverterProtocol; profile: string }[] = Object.values(PROTOCOLS).flatMap((protocol) =>
  protocol.profiles.map((profile) => ({ protocol, profile })),
);

export function baseBank(over: Partial<BankState> = {}): BankState {
  return {
    kind: 'bank',
    time: 0,
    cvl: 55.2,
    ccl: 100,
    dcl: 150,
    dvl: 44,
    chargeAllowed: true,
    dischargeAllowed: true,
    forceCharge: false,
    fullChargeRequest: false,
    soc: 60,
    soh: 98,
    voltage: 52.4,
    current: -12.3,
    power: -644,
    temperature: { min: 18, max: 22, avg: 20 },
    cellMin: { v: 3.271, pack: 'P1', cell: 4 },
    cellMax: { v: 3.291, pack: 'P2', cell: 11 },
    packs: { total: 2, online: 2, stale: 0, offline: 0, blockingCharge: 0, blockingDischarge: 0 },
    capacityAh: { installed: 560, online: 560 },
    chargeState: 'bulk',
    mode: 'normal',
    limitedBy: { cvl: 'config', ccl: 'config', dcl: 'config' },
    alarms: {},
    relays: { charge: true, load: true, alarm: false },
    stopCan: false,
    ...over,
  };
}

const real = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

/** Banks whose values lie inside every protocol's ranges (SMA's are the narrowest). */
export const validBank: fc.Arbitrary<BankState> = fc
  .record({
    cvl: real(41, 63),
    ccl: real(0, 1200),
    dcl: real(0, 1200),
    dvl: real(41, 48),
    soc: real(0, 100),
    soh: real(0, 100),
    voltage: real(40, 60),
    current: real(-1500, 1500),
    tMin: real(-30, 60),
    tSpread: real(0.2, 15),
    cellMin: real(2.5, 3.6),
    cellSpread: real(0, 0.3),
    online: fc.integer({ min: 1, max: 20 }),
    forceCharge: fc.boolean(),
    fullChargeRequest: fc.boolean(),
    alarms: fc.dictionary(fc.constantFrom(...BANK_ALARMS), fc.constantFrom('warn' as const, 'alarm' as const)),
  })
  .map((r) =>
    baseBank({
      cvl: r.cvl,
      ccl: r.ccl,
      dcl: r.dcl,
      dvl: r.dvl,
      soc: r.soc,
      soh: r.soh,
      voltage: r.voltage,
      current: r.current,
      temperature: { min: r.tMin, max: r.tMin + r.tSpread, avg: r.tMin + r.tSpread / 2 },
      cellMin: { v: r.cellMin, pack: 'P1', cell: 3 },
      cellMax: { v: r.cellMin + r.cellSpread, pack: 'P2', cell: 9 },
      packs: { total: r.online, online: r.online, stale: 0, offline: 0, blockingCharge: 0, blockingDischarge: 0 },
      forceCharge: r.forceCharge,
      fullChargeRequest: r.fullChargeRequest,
      alarms: r.alarms,
    }),
  );
