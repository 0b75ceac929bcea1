/**
 * Commands to a simulated bank (the demo's fault buttons): read from a message payload, checked
 * against the bank (its packs and cells), applied. No Node-RED import.
 */
import { MAX_SPEED, MIN_SPEED } from '../../core/scaled-clock';
import { fail, ok, type Result } from '../../core/result';
import type { SimulatedBank } from '../../core/simulated-bank';

export type BankCommand =
  | { command: 'pullCable'; pack: number }
  | { command: 'plugCable'; pack: number }
  | { command: 'cellVoltage'; pack: number; cell: number; volts: number | null }
  | { command: 'ambient'; celsius: number; cellsToo: boolean }
  | { command: 'speed'; speed: number }
  | { command: 'allClear' };

export const COMMAND_NAMES = ['pullCable', 'plugCable', 'cellVoltage', 'ambient', 'speed', 'allClear'] as const;

type Fields = Record<string, unknown>;

function integerIn(fields: Fields, key: string, min: number, max: number): Result<number> {
  const value = fields[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    return fail(`${key} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
  }
  return ok(value);
}

function numberIn(fields: Fields, key: string, min: number, max: number): Result<number> {
  const value = fields[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    return fail(`${key} must be a number from ${min} to ${max} (got ${JSON.stringify(value)})`);
  }
  return ok(value);
}

function packOf(fields: Fields, bank: SimulatedBank): Result<number> {
  const ids = bank.packIds;
  if (ids.length === 0) return fail('the bank has no packs yet (is a bms-serial-bus simulating it?)');
  const pack = integerIn(fields, 'pack', 1, 255);
  if (!pack.ok) return pack;
  return ids.includes(pack.value) ? pack : fail(`the bank has no pack ${pack.value} (packs: ${ids.join(', ')})`);
}

function cellVoltage(fields: Fields, bank: SimulatedBank): Result<BankCommand> {
  const pack = packOf(fields, bank);
  if (!pack.ok) return pack;
  const cell = integerIn(fields, 'cell', 1, bank.pack(pack.value).cells.length);
  if (!cell.ok) return cell;
  if (fields.volts === null) return ok({ command: 'cellVoltage', pack: pack.value, cell: cell.value, volts: null });
  const volts = numberIn(fields, 'volts', 0, 5);
  if (!volts.ok) return volts;
  return ok({ command: 'cellVoltage', pack: pack.value, cell: cell.value, volts: volts.value });
}

/** The command a payload asks for, or why it cannot be done on this bank. */
export function parseBankCommand(payload: unknown, bank: SimulatedBank): Result<BankCommand> {
  if (typeof payload !== 'object' || payload === null) return fail('payload must be an object with a "command"');
  const fields = payload as Fields;
  switch (fields.command) {
    case 'pullCable':
    case 'plugCable': {
      const pack = packOf(fields, bank);
      return pack.ok ? ok({ command: fields.command, pack: pack.value }) : pack;
    }
    case 'cellVoltage':
      return cellVoltage(fields, bank);
    case 'ambient': {
      const celsius = numberIn(fields, 'celsius', -40, 80);
      return celsius.ok
        ? ok({ command: 'ambient', celsius: celsius.value, cellsToo: fields.cellsToo === true })
        : celsius;
    }
    case 'speed': {
      const speed = numberIn(fields, 'speed', MIN_SPEED, MAX_SPEED);
      return speed.ok ? ok({ command: 'speed', speed: speed.value }) : speed;
    }
    case 'allClear':
      return ok({ command: 'allClear' });
    default:
      return fail(`unknown command ${JSON.stringify(fields.command)}; one of ${COMMAND_NAMES.join(', ')}`);
  }
}

export function applyBankCommand(bank: SimulatedBank, command: BankCommand): void {
  switch (command.command) {
    case 'pullCable':
      bank.pullCable(command.pack, true);
      break;
    case 'plugCable':
      bank.pullCable(command.pack, false);
      break;
    case 'cellVoltage':
      bank.forceCellVoltage(command.pack, command.cell, command.volts ?? undefined);
      break;
    case 'ambient':
      bank.setAmbient(command.celsius, { cellsToo: command.cellsToo });
      break;
    case 'speed':
      bank.setSpeed(command.speed);
      break;
    case 'allClear':
      bank.allClear();
      break;
  }
}
