/**
 * How an inverter acts on what the battery tells it over CAN, one physics step at a time: the
 * simulated inverter's brain. Pure; no clock, no Node-RED.
 *
 * It charges with the PV surplus up to the charge current limit (CCL) and stops raising the voltage
 * at the charge voltage limit (CVL): near CVL an integral loop on the bank voltage makes the current
 * fall (constant-voltage phase). It discharges the load deficit up to the discharge limit (DCL); the
 * rest comes from the grid. On a force-charge request it charges from the grid until the bank is
 * near CVL. Without fresh frames it stops, after the time its family keeps running on old limits.
 */
import type { InverterProtocolName, InverterView } from './can-inverter-api';

/** The limits the inverter acts on after reading the frames (and their age). */
export interface AppliedLimits {
  cvl: number;
  ccl: number;
  dcl: number;
  chargeAllowed: boolean;
  dischargeAllowed: boolean;
  forceCharge: boolean;
}

/** How long an inverter family keeps charging / discharging on its last limits without fresh frames (ms). */
export interface SilencePolicy {
  chargeStopMs: number;
  dischargeStopMs: number;
}

export const SILENCE_POLICY: Readonly<Record<InverterProtocolName, SilencePolicy>> = {
  // Victron: DVCC stops the chargers soon after the BMS is lost; the Multi shuts down after 5 min.
  victron: { chargeStopMs: 10_000, dischargeStopMs: 300_000 },
  // SMA Sunny Island: standby after 60 s without limit frames.
  sma: { chargeStopMs: 60_000, dischargeStopMs: 60_000 },
  pylontech: { chargeStopMs: 10_000, dischargeStopMs: 10_000 },
  growatt: { chargeStopMs: 10_000, dischargeStopMs: 10_000 },
  byd: { chargeStopMs: 10_000, dischargeStopMs: 10_000 },
};

/** Families whose inverters charge/discharge only while the matching enable flag is set (Pylon 0x35C, Growatt). */
const FLAG_FAMILIES: ReadonlySet<InverterProtocolName> = new Set(['pylontech', 'growatt']);

const STOPPED: AppliedLimits = {
  cvl: 0,
  ccl: 0,
  dcl: 0,
  chargeAllowed: false,
  dischargeAllowed: false,
  forceCharge: false,
};

const finiteOrZero = (value: number | undefined): number =>
  value !== undefined && Number.isFinite(value) ? Math.max(0, value) : 0;

/**
 * What the inverter obeys: the decoded limits, the enable flags where its family uses them, and
 * nothing once the frames are older than its family's silence policy. No view (nothing received) stops it.
 */
export function appliedLimits(
  view: InverterView | undefined,
  family: InverterProtocolName,
  silenceMs: number,
): AppliedLimits {
  if (!view || view.cvl === undefined || view.ccl === undefined || view.dcl === undefined) return STOPPED;
  const policy = SILENCE_POLICY[family];
  const usesFlags = FLAG_FAMILIES.has(family);
  const ccl = finiteOrZero(view.ccl);
  const dcl = finiteOrZero(view.dcl);
  const chargeFlag = usesFlags ? view.chargeEnabled === true : true;
  const dischargeFlag = usesFlags ? view.dischargeEnabled === true : true;
  const chargeAllowed = chargeFlag && ccl > 0 && silenceMs <= policy.chargeStopMs;
  return {
    cvl: finiteOrZero(view.cvl),
    ccl,
    dcl,
    chargeAllowed,
    dischargeAllowed: dischargeFlag && dcl > 0 && silenceMs <= policy.dischargeStopMs,
    forceCharge: chargeAllowed && view.forceCharge === true,
  };
}

export interface InverterStepInput {
  limits: AppliedLimits;
  /** PV power available (W) and the household load (W). */
  pvW: number;
  loadW: number;
  /** Bank terminal voltage now (V). */
  bankVoltage: number;
  /** Bank current of the previous step (A, + = charging). */
  previousCurrent: number;
  /** The inverter's estimate of the bank's internal resistance (ohm), for its constant-voltage loop. */
  resistanceOhm: number;
  /** What the grid charger can deliver on a force-charge request (A). */
  gridChargeA: number;
}

export interface InverterStep {
  /** Bank current (A, + = charging). */
  current: number;
  /** PV power used (W); the rest is curtailed. */
  pvUsedW: number;
  /** Power drawn from the grid (W). */
  gridW: number;
  curtailedW: number;
}

/** Gain of the constant-voltage loop: halves the voltage error each step when the resistance estimate is right. */
const CV_GAIN = 0.5;
/** Force charge ends this close to CVL (V). */
const FORCE_CHARGE_MARGIN_V = 0.05;

const IDLE: InverterStep = { current: 0, pvUsedW: 0, gridW: 0, curtailedW: 0 };

/** The bank current for one step, and where the power comes from (PV used + grid = load + battery). */
export function inverterStep(input: InverterStepInput): InverterStep {
  const volts = input.bankVoltage;
  const pvW = finiteOrZero(input.pvW);
  const loadW = finiteOrZero(input.loadW);
  if (!Number.isFinite(volts) || volts <= 0) return { ...IDLE, gridW: loadW, curtailedW: pvW };
  const current = bankCurrent(input, pvW, loadW);
  const batteryW = current * volts;
  const pvUsedW = Math.min(pvW, Math.max(0, loadW + batteryW));
  return { current, pvUsedW, gridW: loadW + batteryW - pvUsedW, curtailedW: pvW - pvUsedW };
}

function bankCurrent(input: InverterStepInput, pvW: number, loadW: number): number {
  const { limits, bankVoltage: volts } = input;
  const [cvl, ccl, dcl] = [limits.cvl, limits.ccl, limits.dcl].map(finiteOrZero);
  let want = (pvW - loadW) / volts;
  const forcing = limits.forceCharge && volts < cvl - FORCE_CHARGE_MARGIN_V;
  if (forcing) want = Math.max(want, finiteOrZero(input.gridChargeA));
  if (want > 0) {
    if (!limits.chargeAllowed) return 0;
    const previous = Number.isFinite(input.previousCurrent) ? input.previousCurrent : 0;
    const resistance = Number.isFinite(input.resistanceOhm) && input.resistanceOhm > 0 ? input.resistanceOhm : 1e-3;
    const constantVoltage = previous + (CV_GAIN * (cvl - volts)) / resistance;
    return Math.max(0, Math.min(want, ccl, constantVoltage));
  }
  if (!limits.dischargeAllowed) return 0;
  return -Math.min(-want, dcl);
}
