/**
 * JK settings over the bus: one read per protocol (NW: the read-all answer; PB: FC 0x03 of the
 * settings block and control word, or the 0x161E trigger) and, for PB, the FC 0x10 write of one
 * setting. Pure of Node-RED; an answer that cannot be read becomes a RejectedFrame.
 */
import type { PackSettingName, PackSettings } from '../../core/pack-settings';
import { RejectedFrame } from '../../core/rejected-frame';
import type { Result } from '../../core/result';
import type { SerialBusApi } from '../../transport/bus-api';
import { parseAnswer, readHoldingRequest } from '../../transport/modbus-rtu';
import type { SettingsProtocol } from '../shared/pack-settings-service';
import {
  JK_LIMITS,
  PB_CONTROL_READ,
  PB_SETTINGS_READ,
  nwSettings,
  pbFieldOf,
  pbSettingWriteRequest,
  pbSettings,
} from './jk-settings';
import { NW_COMMANDS, decodeNw, nwFramer, readAllRequest } from './protocol-jk-nw';
import {
  PB_TRIGGERS,
  decodeReadAnswer,
  decodeTriggerAnswer,
  readAnswerFramer,
  triggerAnswerFramer,
  triggerRequest,
  writeAnswerFramer,
} from './protocol-jk-pb';
import type { PbMethod } from './reader';

type Bus = Pick<SerialBusApi, 'transact'>;

function must<T>(r: Result<T>): T {
  if (!r.ok) throw new RejectedFrame(r.reason);
  return r.value;
}

async function pbBlockRead(
  bus: Bus,
  address: number,
  read: { start: number; quantity: number },
): Promise<Record<string, number | boolean>> {
  const answer = await bus.transact({
    address,
    request: readHoldingRequest(address, read.start, read.quantity),
    framer: readAnswerFramer(address),
  });
  const decoded = must(decodeReadAnswer(answer, { address, ...read }));
  if (decoded.block !== 'settings') throw new RejectedFrame('not a settings block answer');
  return decoded.settings;
}

async function pbTriggerRead(bus: Bus, address: number): Promise<Record<string, number | boolean>> {
  const answer = await bus.transact({
    address,
    request: triggerRequest(address, PB_TRIGGERS.settings),
    framer: triggerAnswerFramer(address),
  });
  const t = must(decodeTriggerAnswer(answer));
  if (t.ackAddress !== address || t.frame.type !== 'settings')
    throw new RejectedFrame('the answer is not the settings of this address');
  return t.frame.settings;
}

/** The settings of one pack, read now. */
export async function readJkSettings(
  bus: Bus,
  protocol: 'nw' | 'pb',
  method: PbMethod,
  address: number,
): Promise<PackSettings> {
  if (protocol === 'nw') {
    const answer = await bus.transact({ address, request: readAllRequest(), framer: nwFramer });
    return nwSettings(must(decodeNw(answer, { expectCommand: NW_COMMANDS.readAll })));
  }
  if (method === 'trigger') return pbSettings(await pbTriggerRead(bus, address));
  const block = await pbBlockRead(bus, address, PB_SETTINGS_READ);
  const control = await pbBlockRead(bus, address, PB_CONTROL_READ);
  return pbSettings({ ...block, ...control });
}

/** Writes one PB setting; resolves when the pack acknowledged the register, rejects with the reason. */
export async function writePbSetting(bus: Bus, address: number, name: PackSettingName, value: number): Promise<void> {
  const request = pbSettingWriteRequest(address, name, value);
  const spec = pbFieldOf(name);
  if (!request || !spec) throw new Error(`${name} has no PB register`);
  const answer = await bus.transact({ address, request, framer: writeAnswerFramer(address) });
  const a = parseAnswer(answer, address, 0x10);
  if (!a.ok) throw new RejectedFrame(`write ${name}: ${a.reason}`);
  if (a.data.readUInt16BE(0) !== request.readUInt16BE(2))
    throw new RejectedFrame(`write ${name}: the acknowledgement names another register`);
}

/** JK settings for the node's settings service: reads per protocol, writes for PB only (so far). */
export function jkSettingsProtocol(bus: Bus, protocol: 'nw' | 'pb', method: PbMethod): SettingsProtocol {
  return {
    read: (address) => readJkSettings(bus, protocol, method, address),
    write: protocol === 'pb' ? (address, name, value) => writePbSetting(bus, address, name, value) : undefined,
    limits: JK_LIMITS,
  };
}
