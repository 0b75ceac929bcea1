/**
 * Reads one Seplos pack through the bus: the request/answer sequence per generation (V2: 0x42 then
 * 0x44, one at a time — two back-to-back requests confuse the BMS; V3: PIA, PIB, PIC), plus the
 * identity blocks read once (V2 0x51 + 0x47, V3 VIA). Pure of Node-RED: the node shell wires it up.
 */
import type { PackState } from '../../core/pack-state';
import { RejectedFrame } from '../../core/rejected-frame';
import type { Result } from '../../core/result';
import type { SerialBusApi } from '../../transport/bus-api';
import { answerFramer } from '../../transport/modbus-rtu';
import * as v2 from './protocol-seplos-v2';
import * as v2Payload from './seplos-v2-payload';
import * as v3 from './protocol-seplos-v3';
import { checkedV2Pack, checkedV3Pack } from './checked-pack';

export type Generation = 'v2' | 'v3';
type Bus = Pick<SerialBusApi, 'transact'>;

function must<T>(r: Result<T>): T {
  if (!r.ok) throw new RejectedFrame(r.reason);
  return r.value;
}

export async function v2Ask(bus: Bus, address: number, cid2: number): Promise<Buffer> {
  const answer = await bus.transact({ address, request: v2.buildRequest(address, cid2), framer: v2.v2Framer });
  const f = must(v2.parseFrame(answer));
  if (f.adr !== address) throw new RejectedFrame(`answer from address ${f.adr}, expected ${address}`);
  return must(v2.checkReturnCode(f)).info;
}

async function v3Ask(bus: Bus, address: number, block: v3.BlockSpec): Promise<Buffer> {
  const answer = await bus.transact({
    address,
    request: v3.buildBlockRequest(address, block),
    framer: answerFramer(address, block.fn),
  });
  return must(v3.parseBlockAnswer(answer, address, block));
}

/**
 * Identity of a pack, read once and attached to its PackStates: `extra.device` (decoded V2 0x51 or
 * V3 VIA), `extra.model` and `extra.firmware` (shown in the node status), and V2 `extra.parameters`.
 */
export async function readIdentity(
  bus: Bus,
  generation: Generation,
  address: number,
): Promise<Record<string, unknown>> {
  if (generation === 'v3') {
    const device = must(v3.decodeIdentification(await v3Ask(bus, address, v3.BLOCKS.via)));
    return { device, model: device.deviceName, firmware: device.firmwareVersion };
  }
  const device = must(v2Payload.decodeDeviceInfo(await v2Ask(bus, address, v2.CID2.deviceInfo)));
  const identity = { device, model: device.deviceName, firmware: device.firmware };
  // Some firmware has no 0x47 on this port (RTN 04): identity is still useful without it.
  const parameters = await v2Ask(bus, address, v2.CID2.parameters)
    .then((info) => must(v2Payload.decodeParameters(info)).values)
    .catch((e: unknown) => {
      if (e instanceof RejectedFrame) return undefined;
      throw e;
    });
  return parameters ? { ...identity, parameters } : identity;
}

/**
 * Status text of the identified packs: "SIM16S200A-V3 fw 1.5" when they all agree, "2 models" when
 * they differ, "" before any is identified.
 */
export function identitySummary(identities: Iterable<Record<string, unknown>>): string {
  const names = new Set<string>();
  for (const { model, firmware } of identities) {
    if (typeof model === 'string' && model) names.add(typeof firmware === 'string' ? `${model} fw ${firmware}` : model);
  }
  if (names.size > 1) return `${names.size} models`;
  return names.size === 1 ? [...names][0] : '';
}

/** One poll of one pack → its PackState. Rejects with RejectedFrame or the bus's BusError. */
export async function readPack(
  bus: Bus,
  generation: Generation,
  address: number,
  id: string,
  now: () => number,
  extra: Record<string, unknown>,
): Promise<PackState> {
  if (generation === 'v2') {
    const t = must(v2Payload.decodeTelemetry(await v2Ask(bus, address, v2.CID2.telemetry)));
    const a = must(v2Payload.decodeAlarms(await v2Ask(bus, address, v2.CID2.alarms)));
    return must(checkedV2Pack(t, a, { id, address, time: now() }, extra));
  }
  const a = must(v3.decodePia(await v3Ask(bus, address, v3.BLOCKS.pia)));
  const b = must(v3.decodePib(await v3Ask(bus, address, v3.BLOCKS.pib)));
  const c = must(v3.decodePic(await v3Ask(bus, address, v3.BLOCKS.pic)));
  return must(checkedV3Pack(a, b, c, { id, address, time: now() }, extra));
}
