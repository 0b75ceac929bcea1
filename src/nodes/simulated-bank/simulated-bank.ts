/**
 * `simulated-bank` node: the fault buttons of a simulated bank (the one a bms-serial-bus in simulator
 * mode and a can-bus simulated inverter share by name). Input: a command per message (pull or plug a
 * pack's data cable, force a cell reading, set the ambient temperature, change the speed, all clear);
 * a refused command fails the message with the reason. The status lists the faults in force.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import type { SimulatedBank } from '../../core/simulated-bank';
import { getSimulatedBank } from '../../transport/simulated-banks';
import { applyBankCommand, parseBankCommand } from './bank-commands';

interface SimulatedBankDef extends NodeDef {
  bank: string;
}

/** The faults in force, in words (status text). */
function faultsOf(bank: SimulatedBank): string[] {
  const faults: string[] = [];
  for (const id of bank.packIds) {
    if (bank.cable(id).silent) faults.push(`P${id} cable pulled`);
    for (const [index, volts] of bank.pack(id).forcedCells) faults.push(`P${id} C${index + 1} ${volts} V`);
  }
  const ambient = bank.packIds.length ? bank.pack(bank.packIds[0]).ambient : undefined;
  if (ambient !== undefined && ambient < 10) faults.push(`${ambient} °C`);
  return faults;
}

export = function (RED: NodeAPI) {
  function SimulatedBankNode(this: Node, def: SimulatedBankDef) {
    RED.nodes.createNode(this, def);
    const name = (def.bank || '').trim();
    if (!name) {
      this.status({ fill: 'red', shape: 'ring', text: 'simulatedBank.status.noBank' });
      this.on('input', (_msg: NodeMessage, _send: unknown, done: (err?: Error) => void) => {
        done(new Error('no simulated bank named'));
      });
      return;
    }
    const show = (bank: SimulatedBank): void => {
      const faults = faultsOf(bank);
      const speed = `×${bank.speed}`;
      this.status(
        faults.length
          ? { fill: 'yellow', shape: 'dot', text: `${speed} · ${faults.join(' · ')}` }
          : { fill: 'green', shape: 'dot', text: RED._('simulatedBank.status.clear', { speed }) },
      );
    };
    show(getSimulatedBank(name));

    this.on('input', (msg: NodeMessage, _send: unknown, done: (err?: Error) => void) => {
      const bank = getSimulatedBank(name);
      const command = parseBankCommand(msg.payload, bank);
      if (!command.ok) {
        done(new Error(command.reason));
        return;
      }
      applyBankCommand(bank, command.value);
      show(bank);
      done();
    });
  }

  RED.nodes.registerType(
    'simulated-bank',
    SimulatedBankNode as unknown as Parameters<NodeAPI['nodes']['registerType']>[1],
  );
};
