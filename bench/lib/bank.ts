/** A plausible BankState for encoder benchmarks and fault checks (16S LFP, 3 packs). */
import type { BankState } from '../../src/core/pack-state';

export function sampleBank(k: number, time = Date.UTC(2026, 0, 1)): BankState {
  const soc = 20 + (k % 70);
  return {
    kind: 'bank',
    time,
    cvl: 55.2,
    ccl: 100 + (k % 170),
    dcl: 200 + (k % 70),
    dvl: 48,
    chargeAllowed: true,
    dischargeAllowed: true,
    forceCharge: false,
    fullChargeRequest: false,
    soc,
    soh: 99,
    voltage: 52.8 + (k % 10) / 10,
    current: -40 + (k % 80),
    power: 0,
    temperature: { min: 18 + (k % 5), max: 24 + (k % 5), avg: 21 },
    cellMin: { v: 3.29, pack: 'P2', cell: 7 },
    cellMax: { v: 3.31 + (k % 5) / 1000, pack: 'P1', cell: 3 },
    packs: { total: 3, online: 3, stale: 0, offline: 0, blockingCharge: 0, blockingDischarge: 0 },
    capacityAh: { installed: 840, online: 840 },
    chargeState: 'bulk',
    mode: 'normal',
    limitedBy: { cvl: 'target', ccl: 'share:P1', dcl: 'share:P2' },
    alarms: k % 9 === 0 ? { cellImbalance: 'warn' } : {},
    relays: { charge: true, load: true, alarm: false },
    stopCan: false,
  };
}
