/**
 * `cellsafe simulate --bank`: the simulated packs answer from a simulated bank that a current moves,
 * so a real Node-RED install sees cells charge, taper, balance and discharge before it meets
 * hardware. The current is constant (`--current 40`, A, + = charging) or follows a day
 * (`--current day`: PV half sine from 06:00 to 20:00 minus a household load, divided by the bank
 * voltage); the bank's own BMS protection stops it at the top and bottom, as nothing here obeys the
 * limits CellSafe computes. Simulated time starts at the wall-clock time and runs `--speed` times faster.
 */
import type { SimulatedBank } from '../core/simulated-bank';
import { clampSpeed } from '../core/scaled-clock';
import { powerAt, type PowerProfile } from '../transport/power-profile';
import { getSimulatedBank } from '../transport/simulated-banks';

export interface BankSetup {
  name: string;
  bank: SimulatedBank;
  /** One status line: simulated time, current, bus voltage, SoC and highest cell per pack. */
  status(): string;
}

const DAY_MS = 86_400_000;

/** The bank current a `--current` option asks for, or a reason it cannot be read. */
export function bankCurrent(
  option: string,
  profile: PowerProfile,
): { ok: true; current: (timeMs: number, volts: number) => number } | { ok: false; reason: string } {
  if (option === 'day') {
    return {
      ok: true,
      current: (timeMs, volts) => {
        const power = powerAt(profile, ((timeMs % DAY_MS) + DAY_MS) % DAY_MS);
        return volts > 0 ? (power.pvW - power.loadW) / volts : 0;
      },
    };
  }
  const amps = Number(option);
  if (option.trim() === '' || !Number.isFinite(amps))
    return { ok: false, reason: `--current: "${option}" is not a number of A or "day"` };
  return { ok: true, current: () => amps };
}

/** Creates (or finds) the bank and sets its current and speed from the command's options. */
export function setUpBank(
  options: Record<string, string>,
): { ok: true; setup: BankSetup } | { ok: false; reason: string } {
  const name = !options.bank || options.bank === 'true' ? 'simulate' : options.bank;
  const soc = Number(options.soc ?? 50);
  if (!(soc >= 0 && soc <= 100)) return { ok: false, reason: `--soc: "${options.soc}" is not 0…100` };
  const profile: PowerProfile = {
    kind: 'day',
    pvPeakW: Number(options['pv-peak'] ?? 8000),
    loadMeanW: Number(options['load-mean'] ?? 1200),
  };
  const current = bankCurrent(options.current ?? 'day', profile);
  if (!current.ok) return current;
  const bank = getSimulatedBank(name, { soc, startMs: Date.now(), capacityAh: numberOr(options.capacity, undefined) });
  bank.setSpeed(clampSpeed(options.speed ?? 1));
  bank.setCurrent((timeMs) => current.current(timeMs, bank.voltage));
  return { ok: true, setup: { name, bank, status: () => statusLine(bank) } };
}

function numberOr(text: string | undefined, fallback: number | undefined): number | undefined {
  const n = Number(text);
  return text !== undefined && Number.isFinite(n) && n > 0 ? n : fallback;
}

function statusLine(bank: SimulatedBank): string {
  const time = new Date(bank.clock.now()).toISOString().slice(11, 16);
  const packs = bank.packIds
    .map((id) => {
      const p = bank.pack(id);
      return `#${id} ${p.soc.toFixed(1)}% ${p.current.toFixed(1)} A max ${p.cellMax.toFixed(3)} V ${p.temperature.toFixed(1)} °C`;
    })
    .join(' | ');
  return `${time} UTC ${bank.current.toFixed(1)} A ${bank.voltage.toFixed(2)} V  ${packs}\n`;
}
