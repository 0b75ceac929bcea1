/**
 * The can-bus simulated inverter acting on a named simulated bank (the one the BMS simulators of a
 * bms-serial-bus answer from): the settings as the editor saves them, and starting/stopping the drive.
 * The bank's clock sets the pace (speed ×1 … ×600) for the bank and the inverter alike.
 */
import type { Clock } from '../../core/clock';
import { clampSpeed } from '../../core/scaled-clock';
import type { InverterProtocolName } from '../../transport/can-inverter-api';
import type { PowerProfile } from '../../transport/power-profile';
import { acquireSimulatedBank, releaseSimulatedBank } from '../../transport/simulated-banks';
import { InverterDrive, drivenBank, type DecodedLink } from '../../transport/simulated-inverter-drive';
import { numberSetting } from '../shared/number-setting';

export interface SimulatedBankConfig {
  simBank?: string;
  simSpeed?: string | number;
  simPower?: string;
  simPvPeakW?: string | number;
  simLoadMeanW?: string | number;
  simPvW?: string | number;
  simLoadW?: string | number;
  simStartHour?: string | number;
  simGridChargeA?: string | number;
}

export interface SimulatedBankSettings {
  bank: string;
  speed: number;
  profile: PowerProfile;
  startHour: number;
  gridChargeA: number;
}

/** The settings, undefined when no bank is named (the inverter only decodes), or why they cannot be used. */
export function simulatedBankSettings(config: SimulatedBankConfig): SimulatedBankSettings | undefined | string {
  const bank = (config.simBank ?? '').trim();
  if (!bank) return undefined;
  const power = config.simPower || 'day';
  if (power !== 'day' && power !== 'constant') return `unknown PV/load profile "${power}" (day or constant)`;
  const profile: PowerProfile =
    power === 'day'
      ? {
          kind: 'day',
          pvPeakW: numberSetting(config.simPvPeakW, 8000),
          loadMeanW: numberSetting(config.simLoadMeanW, 600),
        }
      : { kind: 'constant', pvW: numberSetting(config.simPvW, 3000), loadW: numberSetting(config.simLoadW, 600) };
  const startHour = numberSetting(config.simStartHour, 6);
  if (startHour < 0 || startHour >= 24) return `start hour ${startHour} is not within 0…24`;
  return {
    bank,
    // An empty speed (an unset ${CELLSAFE_SPEED}) runs in real time.
    speed: clampSpeed(numberSetting(config.simSpeed, 1)),
    profile,
    startHour,
    gridChargeA: Math.max(0, numberSetting(config.simGridChargeA, 50)),
  };
}

/** Starts driving the bank; the returned function stops the drive and releases the bank. */
export function driveSimulatedBank(
  settings: SimulatedBankSettings,
  family: InverterProtocolName,
  link: DecodedLink,
  linkClock: Clock,
): { drive: InverterDrive; stop: () => void } {
  const bank = acquireSimulatedBank(settings.bank);
  bank.setSpeed(settings.speed);
  const drive = new InverterDrive({
    family,
    link,
    linkClock,
    bank: drivenBank(bank),
    simClock: bank.clock,
    profile: settings.profile,
    startHour: settings.startHour,
    gridChargeA: settings.gridChargeA,
  });
  let stopped = false;
  return {
    drive,
    stop: () => {
      if (stopped) return;
      stopped = true;
      drive.close();
      releaseSimulatedBank(settings.bank);
    },
  };
}
