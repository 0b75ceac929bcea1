/**
 * A valid BankState of one healthy pack in bulk charge: the input the inverter tests feed, with
 * any field overridden (also with a wrong type, to test validation).
 */
import type { BankState } from '../../src/core/pack-state';

export function sampleBank(time: number, over: Partial<Record<keyof BankState, unknown>> = {}): BankState {
  return {
    kind: 'bank',
    time,
    cvl: 55.2,
    ccl: 100,
    dcl: 150,
    dvl: 48,
    chargeAllowed: true,
    dischargeAllowed: true,
    forceCharge: false,
    fullChargeRequest: false,
    soc: 80,
    soh: 100,
    voltage: 53.2,
    current: 12.5,
    power: 665,
    temperature: { min: 20, max: 24, avg: 22 },
    cellMin: { v: 3.31, pack: 'P1', cell: 3 },
    cellMax: { v: 3.34, pack: 'P1', cell: 9 },
    packs: { total: 1, online: 1, stale: 0, offline: 0, blockingCharge: 0, blockingDischarge: 0 },
    capacityAh: { installed: 280, online: 280 },
    chargeState: 'bulk',
    mode: 'normal',
    limitedBy: { cvl: 'config', ccl: 'config', dcl: 'config' },
    alarms: {},
    relays: { charge: true, load: true, alarm: false },
    stopCan: false,
    ...over,
  } as BankState;
}
