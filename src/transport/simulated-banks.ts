/**
 * Process-wide simulated banks by name, so the BMS simulators (in-process ports of bms-serial-bus,
 * `cellsafe simulate --bank`) and the simulated inverter of can-bus move the same packs.
 *
 * - `getSimulatedBank(name, options?)`: the bank, created on first use (options apply only then;
 *   defaults in DEFAULT_BANK_OPTIONS).
 * - `acquireSimulatedBank(name)` / `releaseSimulatedBank(name)`: users that need the bank moving
 *   count themselves in; the bank follows the wall clock (at its speed) while anyone holds it, and
 *   keeps its state when the last user leaves (a redeploy continues where it was).
 * - `simulatedBankPacks(name, addresses, packOptions)`: the SimulatedPack entries a device simulator
 *   answers from (model and wire faults shared with the bank), acquired; call `release()` on close.
 *   `simulatorPacks(options, addresses, own)` is the one call a device simulator makes: the bank's
 *   packs when `options.bank` names one, else its own.
 * - `forgetSimulatedBanks()`: stops and drops every bank (tests).
 */
import { SimulatedBank, type SimulatedBankOptions } from '../core/simulated-bank';
import type { PackModelOptions } from '../core/pack-model';
import type { SimulatedPack, SimulatorOptions } from './simulator-api';

/** A bank nobody configured: 16S 280 Ah packs at 50 %, one cell of pack 1 starting 2 % ahead. */
export const DEFAULT_BANK_OPTIONS: SimulatedBankOptions = {
  cells: 16,
  capacityAh: 280,
  soc: 50,
  runner: { pack: 1, cell: 5, socPct: 2 },
};

interface Entry {
  bank: SimulatedBank;
  users: number;
}

const banks = new Map<string, Entry>();

function entry(name: string, options?: SimulatedBankOptions): Entry {
  let found = banks.get(name);
  if (!found) {
    found = { bank: new SimulatedBank({ ...DEFAULT_BANK_OPTIONS, ...options }), users: 0 };
    banks.set(name, found);
  }
  return found;
}

export function getSimulatedBank(name: string, options?: SimulatedBankOptions): SimulatedBank {
  return entry(name, options).bank;
}

export function acquireSimulatedBank(name: string): SimulatedBank {
  const found = entry(name);
  found.users++;
  found.bank.start();
  return found.bank;
}

export function releaseSimulatedBank(name: string): void {
  const found = banks.get(name);
  if (!found || found.users === 0) return;
  found.users--;
  if (found.users === 0) found.bank.stop();
}

export function simulatedBankNames(): string[] {
  return [...banks.keys()];
}

export function forgetSimulatedBanks(): void {
  for (const found of banks.values()) found.bank.stop();
  banks.clear();
}

/** The packs a device simulator answers from, and what to call when it closes. */
export interface SimulatorPacks {
  packs: Map<number, SimulatedPack>;
  release: () => void;
}

/** The packs at `addresses` of bank `name`, as a device simulator holds them; the bank is acquired. */
export function simulatedBankPacks(
  name: string,
  addresses: readonly number[],
  packOptions: PackModelOptions = {},
): SimulatorPacks {
  const bank = acquireSimulatedBank(name);
  const packs = new Map<number, SimulatedPack>();
  for (const address of addresses) {
    packs.set(address, { address, model: bank.pack(address, packOptions), faults: bank.cable(address) });
  }
  let released = false;
  return {
    packs,
    release() {
      if (released) return;
      released = true;
      releaseSimulatedBank(name);
    },
  };
}

/**
 * A device simulator's packs: bank `options.bank`'s packs at `addresses` (sized by the simulator's
 * cells and capacity options, when the bank creates them), or the simulator's own from `own()`.
 */
export function simulatorPacks(
  options: SimulatorOptions,
  addresses: readonly number[],
  own: () => Map<number, SimulatedPack>,
): SimulatorPacks {
  if (!options.bank) return { packs: own(), release: () => undefined };
  return simulatedBankPacks(options.bank, addresses, { cells: options.cells, capacityAh: options.capacityAh });
}
