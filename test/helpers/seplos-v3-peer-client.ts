/**
 * A Modbus master that finds and reads a Seplos V3 pack the way dbus-serialbattery's Seplos V3 driver
 * does, over a real serial port (a pty in tests), so a test can show that such a peer accepts the
 * simulated pack. The sequence, facts only:
 * - 19200 8N1, 0.4 s answer timeout, address 0 is a real unicast address.
 * - Detection: for each address 0–15, up to two tries of FC 04 0x1700 × 10; the pack is found when
 *   that text contains "XZH-ElecTech Co.,Ltd". Then model (0x170A × 10), serial (0x1715 × 15) and
 *   firmware (0x1714 × 1, two digits "15" → "1.5"), in that order.
 * - Each poll: SPA 0x1300 × 0x6A, PIA 0x1000 × 0x12, PIB 0x1100 × 0x1A, SCA 0x1500 × 4 (FC 04), then
 *   coils PIC 0x1200 × 0x90 and SFA 0x1400 × 0x50 (FC 01); one failed read fails the poll.
 * Answers are checked as a Modbus library does (address, function, byte count, CRC) and the contents
 * are left raw (register words, coil bits) for the test to read like the peer does.
 */
import { answerFramer, parseAnswer, readRequest } from '../../src/transport/modbus-rtu';
import { takeFrame } from '../../src/transport/framer';
import { SerialDevicePort } from '../../src/transport/serial-port';

export const PEER_BAUD = 19200;
const ANSWER_TIMEOUT_MS = 400;
const TRIES = 2;
const MANUFACTURER = 'XZH-ElecTech Co.,Ltd';

export interface PeerRead {
  address: number;
  fn: number;
  start: number;
  quantity: number;
  /** 'ok', 'timeout' or the rejection reason (e.g. a Modbus exception). */
  outcome: string;
}

export interface PeerPack {
  address: number;
  manufacturer: string;
  model: string;
  serial: string;
  firmware: string;
}

export interface PeerPoll {
  spa: number[];
  pia: number[];
  pib: number[];
  sca: number[];
  pic: boolean[];
  sfa: boolean[];
}

const stripNul = (text: string): string => text.replace(/\0+$/, '');

export class SeplosV3PeerClient {
  /** Every read in order, with its outcome: the sequence the test checks. */
  readonly log: PeerRead[] = [];
  private pending = Buffer.alloc(0);

  private constructor(private readonly port: SerialDevicePort) {
    port.on('data', (d: Buffer) => {
      this.pending = Buffer.concat([this.pending, d]);
    });
  }

  static async open(path: string): Promise<SeplosV3PeerClient> {
    const port = new SerialDevicePort({ path, baudRate: PEER_BAUD });
    await port.open();
    return new SeplosV3PeerClient(port);
  }

  close(): Promise<void> {
    return this.port.close();
  }

  /** The detection sequence over addresses 0–15; undefined when no pack identifies itself. */
  async detect(addresses: number[] = [...Array(16).keys()]): Promise<PeerPack | undefined> {
    for (const address of addresses) {
      for (let attempt = 0; attempt < TRIES; attempt++) {
        const factory = await this.readText(address, 0x1700, 10);
        if (factory === undefined) continue;
        if (!factory.includes(MANUFACTURER)) break;
        const model = await this.readText(address, 0x170a, 10);
        const serial = await this.readText(address, 0x1715, 15);
        const firmware = await this.readText(address, 0x1714, 1);
        if (model === undefined || serial === undefined || firmware === undefined) continue;
        const digits = stripNul(firmware);
        return {
          address,
          manufacturer: factory,
          model: stripNul(model),
          serial: stripNul(serial),
          firmware: `${digits[0]}.${digits[1]}`,
        };
      }
    }
    return undefined;
  }

  /** One poll cycle; undefined when any of the six reads fails. */
  async poll(address: number): Promise<PeerPoll | undefined> {
    const spa = await this.readRegisters(address, 0x1300, 0x6a);
    const pia = await this.readRegisters(address, 0x1000, 0x12);
    const pib = await this.readRegisters(address, 0x1100, 0x1a);
    const sca = await this.readRegisters(address, 0x1500, 0x04);
    const pic = await this.readBits(address, 0x1200, 0x90);
    const sfa = await this.readBits(address, 0x1400, 0x50);
    if (!spa || !pia || !pib || !sca || !pic || !sfa) return undefined;
    return { spa, pia, pib, sca, pic, sfa };
  }

  private async readText(address: number, start: number, quantity: number): Promise<string | undefined> {
    return (await this.read(address, 0x04, start, quantity))?.toString('latin1');
  }

  private async readRegisters(address: number, start: number, quantity: number): Promise<number[] | undefined> {
    const data = await this.read(address, 0x04, start, quantity);
    return data && Array.from({ length: quantity }, (_, i) => data.readUInt16BE(i * 2));
  }

  private async readBits(address: number, start: number, count: number): Promise<boolean[] | undefined> {
    const data = await this.read(address, 0x01, start, count);
    return data && Array.from({ length: count }, (_, i) => (data[i >> 3] & (1 << (i & 7))) !== 0);
  }

  /** One request; the answer's data when it is a valid answer of the expected size. */
  private async read(address: number, fn: number, start: number, quantity: number): Promise<Buffer | undefined> {
    const entry: PeerRead = { address, fn, start, quantity, outcome: 'timeout' };
    this.log.push(entry);
    this.pending = Buffer.alloc(0);
    await this.port.write(readRequest(address, fn, start, quantity));
    const frame = await this.awaitFrame(answerFramer(address, fn));
    if (!frame) return undefined;
    const answer = parseAnswer(frame, address, fn);
    const expected = fn === 0x01 ? Math.ceil(quantity / 8) : quantity * 2;
    if (!answer.ok) entry.outcome = answer.reason;
    else if (answer.data.length !== expected) entry.outcome = `${answer.data.length} bytes, expected ${expected}`;
    else entry.outcome = 'ok';
    return entry.outcome === 'ok' && answer.ok ? answer.data : undefined;
  }

  private async awaitFrame(framer: ReturnType<typeof answerFramer>): Promise<Buffer | undefined> {
    const end = Date.now() + ANSWER_TIMEOUT_MS;
    while (Date.now() < end) {
      const { frame } = takeFrame(this.pending, framer);
      if (frame) return Buffer.from(frame);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return undefined;
  }
}
