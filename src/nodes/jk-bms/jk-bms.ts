/**
 * `jk-bms` node: JK-B (NW frames) or JK PB packs (Modbus, or listening to a bank master) on one
 * `bms-serial-bus`. Output 1: one fresh PackState per pack per cycle (`msg.topic` = pack id), never
 * a repeat of old values. Output 2: events — communication lost/restored per pack, write results.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { parseAddressList } from '../../core/address-list';
import { RealClock } from '../../core/clock';
import { PackNodeReporter, failStatus, findBus, numberSetting, packIds } from '../shared/pack-node-reporter';
import { liveToPackState } from './jk-pack-state';
import {
  JK_COMMANDS,
  RejectedFrame,
  readPack,
  writeSwitch,
  type JkCommand,
  type JkProtocol,
  type PbMethod,
} from './jk-reader';
import { PbSniffer } from './protocol-jk-pb';

interface JkConfig extends NodeDef {
  bus: string;
  protocol: JkProtocol;
  method: PbMethod;
  addresses: string;
  /** Poll interval, s. */
  interval: string | number;
  idPrefix: string;
  allowWrites: boolean;
  invertCurrent: boolean;
  /** Listen mode: a pack not heard for this many seconds has lost communication. */
  staleAfter: string | number;
}

export = function (RED: NodeAPI) {
  function JkBms(this: Node, config: JkConfig) {
    RED.nodes.createNode(this, config);
    const clock = new RealClock();
    const protocol: JkProtocol = config.protocol === 'pb' || config.protocol === 'pb-listen' ? config.protocol : 'nw';
    const bus = findBus(RED, this, config.bus, 'jkBms');
    if (!bus) return;
    const parsed = parseAddressList(
      config.addresses || (protocol === 'pb-listen' ? '0-15' : '1'),
      0,
      protocol === 'nw' ? 255 : 247,
    );
    if (!parsed.ok) {
      failStatus(this, 'jkBms.status.badAddress', `addresses: ${parsed.reason}`);
      return;
    }
    const addresses = parsed.value;
    if (protocol === 'nw' && addresses.length !== 1) {
      failStatus(this, 'jkBms.status.badAddress', RED._('jkBms.errors.nwOneAddress'));
      return;
    }
    if (protocol === 'pb' && addresses.includes(0)) this.warn(RED._('jkBms.errors.addressZero'));
    const packId = packIds(config.idPrefix, config.name, 'jk');
    const reporter = new PackNodeReporter(this, clock, bus, { addresses, packId });

    if (protocol === 'pb-listen') {
      const sniffer = new PbSniffer();
      reporter.listen(Math.max(1000, numberSetting(config.staleAfter, 15) * 1000), (data) => {
        for (const ev of sniffer.push(data)) {
          if (!ev.ok) {
            reporter.reject(ev.reason);
            continue;
          }
          const { frame, ackAddress } = ev.value;
          if (frame.type === 'cellInfo' && addresses.includes(ackAddress)) {
            const meta = { id: packId(ackAddress), address: ackAddress, time: clock.now(), protocol: 'jk-pb' } as const;
            const pack = liveToPackState(frame.live, meta);
            if (pack.ok) reporter.emit(pack.value);
            else reporter.reject(pack.reason, ackAddress);
          }
        }
      });
    } else {
      const read = {
        protocol,
        method: config.method === 'trigger' ? 'trigger' : 'fc03',
        invertCurrent: config.invertCurrent === true,
      } as const;
      reporter.poll(
        Math.max(500, numberSetting(config.interval, 5) * 1000),
        (address) => readPack(bus, read, address, packId(address), () => clock.now()),
        (e) => e instanceof RejectedFrame,
      );
    }
    reporter.connect();

    this.on('input', (msg, send, done) => {
      const p = (msg as NodeMessage & { payload?: unknown }).payload as
        { command?: unknown; value?: unknown; address?: unknown } | undefined;
      const refuse = (reason: string): void => done(new Error(reason));
      if (!p || typeof p !== 'object') {
        refuse('msg.payload must be { command, value, address }');
        return;
      }
      if (!config.allowWrites) {
        refuse('writes are disabled on this node (enable "Allow writes" in its settings)');
        return;
      }
      if (protocol === 'pb-listen') {
        refuse('listen-only mode never transmits: no writes');
        return;
      }
      if (!JK_COMMANDS.includes(p.command as JkCommand)) {
        refuse(`msg.payload.command must be one of ${JK_COMMANDS.join(', ')}`);
        return;
      }
      if (typeof p.value !== 'boolean') {
        refuse('msg.payload.value must be true (on) or false (off)');
        return;
      }
      const address = p.address === undefined && addresses.length === 1 ? addresses[0] : p.address;
      if (typeof address !== 'number' || !addresses.includes(address)) {
        refuse(`msg.payload.address must be one of this node's addresses (${addresses.join(', ')})`);
        return;
      }
      const command = p.command as JkCommand;
      const on = p.value;
      writeSwitch(bus, protocol, address, command, on, clock).then(
        () => {
          (msg as NodeMessage).topic = packId(address);
          (msg as NodeMessage).payload = { kind: 'write', id: packId(address), address, command, value: on, ok: true };
          send([null, msg as NodeMessage]);
          done();
        },
        (e: unknown) =>
          done(
            new Error(
              `write ${command}=${String(on)} to pack ${address} failed: ${e instanceof Error ? e.message : String(e)}`,
            ),
          ),
      );
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      try {
        reporter.close();
      } finally {
        done();
      }
    });
  }
  RED.nodes.registerType('jk-bms', JkBms as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
