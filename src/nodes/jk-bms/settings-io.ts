/**
 * JK settings over the bus: one read per protocol (NW: the read-all answer; PB: FC 0x03 of the
 * settings block and control word, or the 0x161E trigger) and the write of one setting (PB: FC 0x10
 * at its register; NW: password frame, then the item). Pure of Node-RED; an answer that cannot be read becomes a RejectedFrame.
 */
import type { Clock } from '../../core/clock';
import type { PackSettingName, PackSettings } from '../../core/pack-settings';
import { RejectedFrame } from '../../core/rejected-frame';
import type { Result } from '../../core/result';
import type { SerialBusApi } from '../../transport/bus-api';
import { parseAnswer, readHoldingRequest } from '../../transport/modbus-rtu';
import type { SettingsProtocol } from '../shared/pack-settings-service';
import {
  JK_LIMITS,
  JK_NW_LIMITS,
  nwKeyOf,
  PB_CONTROL_READ,
  PB_SETTINGS_READ,
  nwSettings,
  pbSettingWriteRequest,
  pbSettings,
} from './jk-settings';
import {
  NW_COMMANDS,
  checkNwWriteAnswer,
  decodeNw,
  nwFramer,
  nwItemId,
  passwordRequest,
  readAllRequest,
  writeNumericItemRequest,
} from './protocol-jk-nw';
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
  // The control word is a second read; a pack that refuses it still has its settings (without those switches).
  const control = await pbBlockRead(bus, address, PB_CONTROL_READ).catch((e: unknown) => {
    if (e instanceof RejectedFrame) return {};
    throw e;
  });
  return pbSettings({ ...block, ...control });
}

/** Writes one PB setting; resolves when the pack acknowledged the register, rejects with the reason. */
export async function writePbSetting(bus: Bus, address: number, name: PackSettingName, value: number): Promise<void> {
  const request = pbSettingWriteRequest(address, name, value);
  if (!request) throw new Error(`${name} has no PB register`);
  const answer = await bus.transact({ address, request, framer: writeAnswerFramer(address) });
  const a = parseAnswer(answer, address, 0x10);
  if (!a.ok) throw new RejectedFrame(`write ${name}: ${a.reason}`);
  if (a.data.readUInt16BE(0) !== request.readUInt16BE(2))
    throw new RejectedFrame(`write ${name}: the acknowledgement names another register`);
}

/**
 * Writes one NW setting: the (empty) password frame first, ~150 ms, then the item (as esphome does);
 * resolves when the BMS confirmed the item, rejects with the reason.
 */
export async function writeNwSetting(
  bus: Bus,
  address: number,
  name: PackSettingName,
  value: number,
  clock: Clock,
): Promise<void> {
  const key = nwKeyOf(name);
  const id = key === undefined ? undefined : nwItemId(key);
  if (id === undefined) throw new Error(`${name} has no NW item`);
  await bus.transact({ address, request: passwordRequest() });
  await new Promise<void>((resolve) => clock.setTimeout(resolve, 150));
  const answer = await bus.transact({ address, request: writeNumericItemRequest(id, value), framer: nwFramer });
  must(checkNwWriteAnswer(answer, id));
}

/** JK settings for the node's settings service: reads and writes for both protocols. */
export function jkSettingsProtocol(bus: Bus, protocol: 'nw' | 'pb', method: PbMethod, clock: Clock): SettingsProtocol {
  if (protocol === 'nw') {
    return {
      read: (address) => readJkSettings(bus, protocol, method, address),
      write: (address, name, value) => writeNwSetting(bus, address, name, value, clock),
      limits: JK_NW_LIMITS,
    };
  }
  return {
    read: (address) => readJkSettings(bus, protocol, method, address),
    write: (address, name, value) => writePbSetting(bus, address, name, value),
    limits: JK_LIMITS,
    broadcastAddress: 0,
  };
}
