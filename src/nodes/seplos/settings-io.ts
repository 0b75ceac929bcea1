/**
 * Seplos settings over the bus: V2 the 0x47 parameter answer, V3 the SPA block (FC 0x04, 0x1300)
 * and the SFA switches (FC 0x01, coils 0x1400). Read only. Pure of Node-RED; an answer that cannot
 * be read becomes a RejectedFrame.
 */
import type { PackSettings } from '../../core/pack-settings';
import { RejectedFrame } from '../../core/rejected-frame';
import type { Result } from '../../core/result';
import type { SerialBusApi } from '../../transport/bus-api';
import { answerFramer, parseAnswer, readRequest } from '../../transport/modbus-rtu';
import type { SettingsProtocol } from '../shared/pack-settings-service';
import { CID2 } from './protocol-seplos-v2';
import { CONFIG_BLOCKS, decodeFunctionSwitches, decodeSettings } from './protocol-seplos-v3-settings';
import { v2Ask, type Generation } from './reader';
import { decodeParameters } from './seplos-v2-payload';
import { v2Settings, v3Settings } from './seplos-settings';

type Bus = Pick<SerialBusApi, 'transact'>;

function must<T>(r: Result<T>): T {
  if (!r.ok) throw new RejectedFrame(r.reason);
  return r.value;
}

async function v3Read(bus: Bus, address: number, block: { fn: number; start: number; quantity: number }) {
  const answer = await bus.transact({
    address,
    request: readRequest(address, block.fn, block.start, block.quantity),
    framer: answerFramer(address, block.fn),
  });
  const a = parseAnswer(answer, address, block.fn);
  if (!a.ok) throw new RejectedFrame(a.reason);
  return a.data;
}

/** The settings of one pack, read now. */
export async function readSeplosSettings(bus: Bus, generation: Generation, address: number): Promise<PackSettings> {
  if (generation === 'v2') return v2Settings(must(decodeParameters(await v2Ask(bus, address, CID2.parameters))));
  const spa = must(decodeSettings(await v3Read(bus, address, CONFIG_BLOCKS.spa)));
  const sfa = must(decodeFunctionSwitches(await v3Read(bus, address, CONFIG_BLOCKS.sfa)));
  return v3Settings(spa, sfa);
}

/** Seplos settings for the node's settings service: reads only (no write is sent by our nodes). */
export function seplosSettingsProtocol(bus: Bus, generation: Generation): SettingsProtocol {
  return { read: (address) => readSeplosSettings(bus, generation, address), limits: {} };
}
