/**
 * One poll and one write per protocol, over the SerialBusApi: what the node shell calls. Pure of
 * Node-RED; a frame the decoder rejects becomes a RejectedFrame (counted apart from silence).
 */
import type { Clock } from '../../core/clock';
import type { PackState } from '../../core/pack-state';
import { RejectedFrame } from '../../core/rejected-frame';
import type { Result } from '../../core/result';
import type { SerialBusApi } from '../../transport/bus-api';
import { liveToPackState, nwToPackState } from './jk-pack-state';
import {
  NW_COMMANDS,
  NW_ITEMS,
  checkNwWriteAnswer,
  decodeNw,
  nwFramer,
  passwordRequest,
  readAllRequest,
  writeItemRequest,
} from './protocol-jk-nw';
import {
  LIVE_READ,
  PB_TRIGGERS,
  checkWriteAnswer,
  decodeReadAnswer,
  decodeTriggerAnswer,
  liveReadRequest,
  readAnswerFramer,
  switchWriteRequest,
  triggerAnswerFramer,
  triggerRequest,
  writeAnswerFramer,
  type PbSwitch,
} from './protocol-jk-pb';

export type JkProtocol = 'nw' | 'pb' | 'pb-listen';
export type PbMethod = 'fc03' | 'trigger';
export const JK_COMMANDS = ['chargeFet', 'dischargeFet', 'balancer'] as const;
export type JkCommand = (typeof JK_COMMANDS)[number];

/** The pack of a decoded answer, or a RejectedFrame (counted like a checksum error) with the reason. */
function accepted(pack: Result<PackState>): PackState {
  if (!pack.ok) throw new RejectedFrame(pack.reason);
  return pack.value;
}

export interface ReadOptions {
  protocol: 'nw' | 'pb';
  method: PbMethod;
  invertCurrent: boolean;
}

export async function readPack(
  bus: SerialBusApi,
  o: ReadOptions,
  address: number,
  id: string,
  now: () => number,
): Promise<PackState> {
  if (o.protocol === 'nw') {
    const answer = await bus.transact({ address, request: readAllRequest(), framer: nwFramer });
    const nw = decodeNw(answer, { expectCommand: NW_COMMANDS.readAll });
    if (!nw.ok) throw new RejectedFrame(nw.reason);
    const meta = { id, address, time: now(), protocol: 'jk-nw' } as const;
    return accepted(nwToPackState(nw.value, meta, { invertCurrent: o.invertCurrent }));
  }
  if (o.method === 'trigger') {
    const answer = await bus.transact({
      address,
      request: triggerRequest(address, PB_TRIGGERS.cellInfo),
      framer: triggerAnswerFramer(address),
    });
    const t = decodeTriggerAnswer(answer);
    if (!t.ok) throw new RejectedFrame(t.reason);
    if (t.value.ackAddress !== address || t.value.frame.type !== 'cellInfo')
      throw new RejectedFrame('the answer is not the cell info of this address');
    return accepted(liveToPackState(t.value.frame.live, { id, address, time: now(), protocol: 'jk-pb' }));
  }
  const answer = await bus.transact({ address, request: liveReadRequest(address), framer: readAnswerFramer(address) });
  const read = decodeReadAnswer(answer, { address, ...LIVE_READ });
  if (!read.ok) throw new RejectedFrame(read.reason);
  if (read.value.block !== 'live') throw new RejectedFrame('not a live block answer');
  return accepted(liveToPackState(read.value.live, { id, address, time: now(), protocol: 'jk-pb' }));
}

const NW_SWITCH_ITEMS: Record<JkCommand, number> = {
  chargeFet: NW_ITEMS.chargeSwitch,
  dischargeFet: NW_ITEMS.dischargeSwitch,
  balancer: NW_ITEMS.balancerSwitch,
};

/** Switches a FET or the balancer; resolves when the BMS confirmed, rejects with the reason otherwise. */
export async function writeSwitch(
  bus: SerialBusApi,
  protocol: 'nw' | 'pb',
  address: number,
  command: JkCommand,
  on: boolean,
  clock: Clock,
): Promise<void> {
  if (protocol === 'nw') {
    // The BMS expects the (empty) password frame first; esphome waits ~150 ms before the write.
    await bus.transact({ address, request: passwordRequest() });
    await new Promise<void>((resolve) => clock.setTimeout(resolve, 150));
    const id = NW_SWITCH_ITEMS[command];
    const answer = await bus.transact({ address, request: writeItemRequest(id, on ? 1 : 0), framer: nwFramer });
    const ok = checkNwWriteAnswer(answer, id);
    if (!ok.ok) throw new RejectedFrame(ok.reason);
    return;
  }
  const which: PbSwitch = command;
  const answer = await bus.transact({
    address,
    request: switchWriteRequest(address, which, on),
    framer: writeAnswerFramer(address),
  });
  const ok = checkWriteAnswer(answer, address, which);
  if (!ok.ok) throw new RejectedFrame(ok.reason);
}
