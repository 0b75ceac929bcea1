/**
 * CAN over an slcan (Lawicel ASCII) USB adapter on a serial port: CANable, USBtin, CANUSB...
 * Open: `C` (close whatever an earlier session left open), `S<n>` (bitrate), `O`; each command is
 * answered CR (ok) or BELL (refused). Transmit `t<iii><l><dd..>` / `T<iiiiiiii><l><dd..>` (RTR: `r`/`R`),
 * answered `z`/`Z` or BELL; received frames arrive as the same lines, optionally followed by a
 * 4-digit timestamp. Unplug → reconnect with backoff.
 */
import type { Clock, TimerId } from '../core/clock';
import type { BusPort, SerialSettings } from './bus-port';
import { EventedChannel, frameProblem, type CanStatus } from './can-channel';
import type { CanFrame } from './can-frame';
import { claimDevice, releaseDevice, serialised } from './port-registry';
import { SerialDevicePort } from './serial-port';

/** Lawicel bitrate command per bit/s. */
export const SLCAN_BITRATES: Readonly<Record<number, string>> = {
  10000: 'S0',
  20000: 'S1',
  50000: 'S2',
  100000: 'S3',
  125000: 'S4',
  250000: 'S5',
  500000: 'S6',
  800000: 'S7',
  1000000: 'S8',
};

const BELL = '\x07';
const CR = '\r';
/** After this many refused transmissions in a row the adapter is reported as failing. */
const REFUSALS_BEFORE_ERROR = 3;

const hex = (n: number, width: number): string => n.toString(16).toUpperCase().padStart(width, '0');

/** The Lawicel line (with CR) that transmits a frame. */
export function encodeSlcan(frame: CanFrame): string {
  const kind = frame.rtr ? (frame.ext ? 'R' : 'r') : frame.ext ? 'T' : 't';
  const id = hex(frame.id, frame.ext ? 8 : 3);
  const data = frame.rtr ? '' : frame.data.toString('hex').toUpperCase();
  return `${kind}${id}${frame.data.length}${data}${CR}`;
}

/** A received `t`/`T`/`r`/`R` line (without CR) as a frame; undefined when malformed. */
export function parseSlcanLine(line: string): CanFrame | undefined {
  const kind = line[0];
  if (kind !== 't' && kind !== 'T' && kind !== 'r' && kind !== 'R') return undefined;
  const ext = kind === 'T' || kind === 'R';
  const rtr = kind === 'r' || kind === 'R';
  const idLen = ext ? 8 : 3;
  const body = line.slice(1);
  if (!/^[0-9A-Fa-f]*$/.test(body) || body.length < idLen + 1) return undefined;
  const id = parseInt(body.slice(0, idLen), 16);
  const dlc = parseInt(body[idLen], 16);
  if (dlc > 8 || id > (ext ? 0x1fffffff : 0x7ff)) return undefined;
  const dataLen = rtr ? 0 : dlc * 2;
  const rest = body.length - idLen - 1 - dataLen;
  if (rest !== 0 && rest !== 4) return undefined; // optional 4-digit timestamp
  const data = rtr ? Buffer.alloc(dlc) : Buffer.from(body.slice(idLen + 1, idLen + 1 + dataLen), 'hex');
  return { id, ext, rtr, data };
}

export interface SlcanOptions {
  path: string;
  /** CAN bitrate in bit/s; must be one of SLCAN_BITRATES. */
  bitrate: number;
  /** Serial line speed towards the adapter (USB CDC adapters ignore it). */
  baudRate?: number;
  clock: Clock;
  /** Seam for tests; default opens the real device. */
  openPort?: (settings: SerialSettings) => BusPort;
  /** How long an adapter may take to answer a command. */
  answerTimeoutMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

type Answer = 'ok' | 'refused' | 'timeout';

export class SlcanChannel extends EventedChannel {
  private readonly owner = `can-slcan:${Math.random().toString(36).slice(2)}`;
  private readonly bitrateCommand: string;
  private port?: BusPort;
  private deviceKey?: string;
  private rx = '';
  private open = false;
  private closing = false;
  private refusals = 0;
  private reconnectMs: number;
  private reconnectTimer?: TimerId;
  private pendingAnswer?: (answer: Answer) => void;
  /** Counters for status and tests. */
  readonly counters = { sent: 0, received: 0, refused: 0, dropped: 0, malformed: 0 };

  constructor(private readonly options: SlcanOptions) {
    super();
    const command = SLCAN_BITRATES[options.bitrate];
    this.reconnectMs = options.reconnectMinMs ?? 1000;
    if (!command) {
      this.bitrateCommand = '';
      this.events.setStatus({
        state: 'error',
        reason: `unsupported slcan bitrate ${options.bitrate}; use one of ${Object.keys(SLCAN_BITRATES).join(', ')}`,
      });
      return;
    }
    this.bitrateCommand = command;
    this.connect();
  }

  send(frame: CanFrame): void {
    const port = this.port;
    if (!this.open || !port || frameProblem(frame)) {
      this.counters.dropped += 1;
      return;
    }
    this.counters.sent += 1;
    port.write(Buffer.from(encodeSlcan(frame), 'ascii')).catch(() => {
      this.counters.dropped += 1;
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.options.clock.clearTimeout(this.reconnectTimer);
    this.pendingAnswer?.('timeout');
    const port = this.port;
    const key = this.deviceKey;
    this.port = undefined;
    this.open = false;
    this.events.setStatus({ state: 'closed' });
    this.events.clear();
    if (port && key) {
      await serialised(key, async () => {
        // Leave the adapter off the bus so it stops ACKing; best effort, the port may be gone.
        await port.write(Buffer.from(`C${CR}`, 'ascii')).catch(() => undefined);
        await port.close();
      });
    }
    if (key) releaseDevice(key, this.owner);
  }

  private connect(): void {
    if (this.closing) return;
    const claim = claimDevice(this.options.path, this.owner);
    if (!claim.ok) {
      this.fail({ state: 'error', reason: claim.reason });
      return;
    }
    this.deviceKey = claim.key;
    this.events.setStatus({ state: 'connecting' });
    serialised(claim.key, () => this.openAdapter()).then(
      (status) => {
        if (this.closing) return;
        if (status.state === 'connected') {
          this.reconnectMs = this.options.reconnectMinMs ?? 1000;
          this.open = true;
          this.events.setStatus(status);
        } else {
          this.fail(status);
        }
      },
      (err: Error) => this.fail({ state: 'disconnected', reason: err.message }),
    );
  }

  /** Opens the port and runs C / S<n> / O. Resolves with the resulting status. */
  private async openAdapter(): Promise<CanStatus> {
    if (this.closing) return { state: 'closed' };
    const port = (this.options.openPort ?? ((s) => new SerialDevicePort(s)))({
      path: this.options.path,
      baudRate: this.options.baudRate ?? 115200,
    });
    port.on('data', (d: Buffer) => this.receive(port, d));
    port.on('error', (e: Error) => {
      if (this.port === port && !this.closing) this.events.setStatus({ state: 'error', reason: e.message });
    });
    port.on('close', (disconnected: boolean) => this.portClosed(port, disconnected));
    await port.open();
    // close() while the port was opening saw no port to close: this must not leave it open.
    if (this.closing) {
      await port.close();
      return { state: 'closed' };
    }
    this.port = port;
    this.rx = '';
    await this.command(port, 'C'); // refused when nothing was open: fine
    if (this.closing) return { state: 'closed' };
    if ((await this.command(port, this.bitrateCommand)) !== 'ok') {
      await this.drop(port);
      return {
        state: 'error',
        reason: `adapter did not accept bitrate command ${this.bitrateCommand} (${this.options.bitrate} bit/s)`,
      };
    }
    if (this.closing) return { state: 'closed' };
    const opened = await this.command(port, 'O');
    if (opened !== 'ok') {
      await this.drop(port);
      return {
        state: 'error',
        reason:
          opened === 'timeout' ? 'adapter does not answer slcan commands' : 'adapter refused to open the CAN channel',
      };
    }
    return { state: 'connected' };
  }

  /** Closes a port we are giving up on without it counting as an unplug. */
  private async drop(port: BusPort): Promise<void> {
    if (this.port === port) this.port = undefined;
    await port.close();
  }

  private command(port: BusPort, text: string): Promise<Answer> {
    return new Promise<Answer>((resolve) => {
      const timer = this.options.clock.setTimeout(() => finish('timeout'), this.options.answerTimeoutMs ?? 1000);
      const finish = (answer: Answer): void => {
        this.options.clock.clearTimeout(timer);
        if (this.pendingAnswer === finish) this.pendingAnswer = undefined;
        resolve(answer);
      };
      this.pendingAnswer = finish;
      port.write(Buffer.from(text + CR, 'ascii')).catch(() => finish('timeout'));
    });
  }

  private receive(port: BusPort, data: Buffer): void {
    if (port !== this.port) return;
    this.rx += data.toString('latin1');
    for (;;) {
      const cr = this.rx.indexOf(CR);
      const bell = this.rx.indexOf(BELL);
      const end = cr < 0 ? bell : bell < 0 ? cr : Math.min(cr, bell);
      if (end < 0) break;
      const line = this.rx.slice(0, end).replace(/\n/g, '');
      const refused = this.rx[end] === BELL;
      this.rx = this.rx.slice(end + 1);
      if (refused) this.answer('refused');
      else this.line(line);
    }
    // A line never exceeds 1 + 8 + 1 + 16 + 4 characters: anything longer is noise.
    if (this.rx.length > 64) {
      this.counters.malformed += 1;
      this.rx = '';
    }
  }

  private line(line: string): void {
    if (line === '') {
      this.answer('ok');
      return;
    }
    if (line === 'z' || line === 'Z') {
      this.answer('ok');
      return;
    }
    const frame = parseSlcanLine(line);
    if (frame) {
      if (!this.open) return;
      this.counters.received += 1;
      this.events.emitFrame(frame);
    } else if ('tTrR'.includes(line[0])) {
      this.counters.malformed += 1;
    } // other lines (version, status flags) carry nothing we use
  }

  private answer(answer: 'ok' | 'refused'): void {
    if (this.pendingAnswer) {
      this.pendingAnswer(answer);
      return;
    }
    if (!this.open) return;
    // Answers to transmissions: a run of refusals means bus-off or nobody ACKing our frames.
    if (answer === 'refused') {
      this.counters.refused += 1;
      this.refusals += 1;
      if (this.refusals >= REFUSALS_BEFORE_ERROR) {
        this.events.setStatus({
          state: 'error',
          reason: 'adapter refuses frames (bus off, wrong bitrate or nobody on the bus to ACK)',
        });
      }
    } else {
      this.refusals = 0;
      this.events.setStatus({ state: 'connected' });
    }
  }

  private portClosed(port: BusPort, disconnected: boolean): void {
    if (port !== this.port || this.closing) return;
    this.port = undefined;
    this.open = false;
    this.pendingAnswer?.('timeout');
    this.fail({ state: 'disconnected', reason: disconnected ? 'adapter unplugged' : 'port closed' });
  }

  private fail(status: CanStatus): void {
    if (this.closing) return;
    this.events.setStatus(status);
    const port = this.port;
    this.port = undefined;
    this.open = false;
    if (port?.isOpen) void port.close().catch(() => undefined);
    this.options.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = this.options.clock.setTimeout(() => this.connect(), this.reconnectMs);
    this.reconnectMs = Math.min(this.reconnectMs * 2, this.options.reconnectMaxMs ?? 30000);
  }
}
