/** The simulated bank's fault commands: checked against the bank, then applied to its packs and cables. */
import { strict as assert } from 'node:assert';
import { SimulatedBank } from '../../../src/core/simulated-bank';
import { applyBankCommand, parseBankCommand } from '../../../src/nodes/simulated-bank/bank-commands';

const bankOf3 = () => new SimulatedBank({ packs: 3, cells: 16, capacityAh: 280, soc: 50 });

function run(bank: SimulatedBank, payload: unknown): void {
  const command = parseBankCommand(payload, bank);
  assert.ok(command.ok, command.ok ? '' : command.reason);
  applyBankCommand(bank, command.value);
}

describe('simulated bank commands', () => {
  it('pulls and plugs a pack cable: the wire-faults object the simulators read', () => {
    const bank = bankOf3();
    run(bank, { command: 'pullCable', pack: 2 });
    assert.equal(bank.cable(2).silent, true);
    assert.notEqual(bank.cable(1).silent, true);
    run(bank, { command: 'plugCable', pack: 2 });
    assert.equal(bank.cable(2).silent, false);
  });

  it('forces what a BMS reads on one cell (numbers from 1), null releases it', () => {
    const bank = bankOf3();
    run(bank, { command: 'cellVoltage', pack: 1, cell: 7, volts: 3.65 });
    assert.equal(bank.pack(1).forcedCells.get(6), 3.65);
    run(bank, { command: 'cellVoltage', pack: 1, cell: 7, volts: null });
    assert.equal(bank.pack(1).forcedCells.size, 0);
  });

  it('a freezing morning sets ambient and cells; all clear ends every fault', () => {
    const bank = bankOf3();
    run(bank, { command: 'ambient', celsius: -5, cellsToo: true });
    assert.deepEqual(
      bank.packIds.map((id) => [bank.pack(id).ambient, bank.pack(id).temperature]),
      [
        [-5, -5],
        [-5, -5],
        [-5, -5],
      ],
    );
    run(bank, { command: 'pullCable', pack: 3 });
    run(bank, { command: 'cellVoltage', pack: 2, cell: 1, volts: 3.7 });
    run(bank, { command: 'allClear' });
    assert.equal(bank.cable(3).silent, false);
    assert.equal(bank.pack(2).forcedCells.size, 0);
    assert.ok(bank.packIds.every((id) => bank.pack(id).ambient === 20));
  });

  it('sets the speed within 1…600', () => {
    const bank = bankOf3();
    run(bank, { command: 'speed', speed: 600 });
    assert.equal(bank.speed, 600);
  });

  it('refuses what does not fit the bank, with the reason, and changes nothing', () => {
    const bank = bankOf3();
    const refusals: Array<[unknown, RegExp]> = [
      ['pullCable', /object with a "command"/],
      [{ command: 'explode' }, /unknown command "explode"/],
      [{ command: 'pullCable', pack: 4 }, /no pack 4 \(packs: 1, 2, 3\)/],
      [{ command: 'pullCable', pack: 1.5 }, /pack must be a whole number/],
      [{ command: 'cellVoltage', pack: 1, cell: 17, volts: 3.6 }, /cell must be a whole number from 1 to 16/],
      [{ command: 'cellVoltage', pack: 1, cell: 2, volts: '3.6' }, /volts must be a number/],
      [{ command: 'ambient', celsius: -100 }, /celsius must be a number from -40 to 80/],
      [{ command: 'speed', speed: 1000 }, /speed must be a number from 1 to 600/],
    ];
    for (const [payload, reason] of refusals) {
      const command = parseBankCommand(payload, bank);
      assert.ok(!command.ok, JSON.stringify(payload));
      assert.match(command.reason, reason);
    }
    const empty = parseBankCommand({ command: 'pullCable', pack: 1 }, new SimulatedBank());
    assert.ok(!empty.ok && /no packs yet/.test(empty.reason));
  });
});
