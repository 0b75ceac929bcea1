/**
 * Listen-only decoding of a Seplos bank bus where a master polls the slaves (we never transmit):
 * V2 — 0x5A intra-pack records and any 0x42+0x44 answers on the wire (docs/protocols/seplos.md#v2-intra-pack);
 * V3 — PIA/PIB/PIC answers of the slaves and the master's unsolicited blocks (docs/protocols/seplos.md#v3-listening).
 * Pure: bytes in, PackStates and rejection reasons out; time is passed in.
 */
import type { PackState } from '../../core/pack-state';
import type { Result } from '../../core/result';
import { type Framer, takeFrame } from '../../transport/framer';
import * as v2 from './protocol-seplos-v2';
import * as v2Payload from './seplos-v2-payload';
import * as v3 from './protocol-seplos-v3';
import { checkedIntraPack, checkedV2Pack, checkedV3Pack } from './checked-pack';

export interface ListenerCallbacks {
  /** `address` = the pack address (V2 ADR / V3 slave id); id mapping is the caller's. */
  onPack(address: number, build: (id: string) => PackState): void;
  onReject(reason: string): void;
  /** A request on the wire (proof that a master is active). */
  onRequest?(address: number): void;
}

/** Bytes held at most while waiting for the end of a frame; beyond that the buffer is garbage. */
const MAX_PENDING = 8192;

abstract class StreamListener {
  private pending = Buffer.alloc(0);
  constructor(
    private readonly framer: Framer,
    protected readonly cb: ListenerCallbacks,
  ) {}

  push(data: Buffer, now: number): void {
    this.pending = Buffer.concat([this.pending, data]);
    for (;;) {
      const { frame, rest, dropped } = takeFrame(this.pending, this.framer);
      if (dropped > 0) this.onDropped(dropped);
      this.pending = Buffer.from(rest);
      if (!frame) break;
      this.onFrame(Buffer.from(frame), now);
    }
    if (this.pending.length > MAX_PENDING) {
      this.onDropped(this.pending.length);
      this.pending = Buffer.alloc(0);
    }
  }

  /**
   * A pack through the plausibility gate: rejected (and counted) whatever its address, like any bad
   * frame on the bus; the pack id is the caller's, so the pack is built once with a placeholder.
   */
  protected emit(address: number, build: (id: string) => Result<PackState>): void {
    const checked = build('');
    if (!checked.ok) this.cb.onReject(checked.reason);
    else this.cb.onPack(address, (id) => ({ ...checked.value, id }));
  }

  protected onDropped(_bytes: number): void {
    /* line noise between frames is normal */
  }
  protected abstract onFrame(frame: Buffer, now: number): void;
}

interface Timed<T> {
  value: T;
  time: number;
}

export class V2BankListener extends StreamListener {
  /** CID2 of the last request seen per address: an answer only says RTN, not what it answers. */
  private readonly lastRequest = new Map<number, number>();
  private readonly telemetry = new Map<number, Timed<v2Payload.V2Telemetry>>();

  constructor(
    cb: ListenerCallbacks,
    private readonly maxAgeMs: number,
  ) {
    super(v2.v2Framer, cb);
  }

  protected onFrame(frame: Buffer, now: number): void {
    const parsed = v2.parseFrame(frame);
    if (!parsed.ok) {
      this.cb.onReject(parsed.reason);
      return;
    }
    const f = parsed.value;
    if (f.code === v2.CID2.intraPack) {
      if (f.lenid === 0) {
        this.request(f.adr, f.code);
        return;
      }
      const rec = v2Payload.decodeIntraPack(f.info);
      if (!rec.ok) {
        this.cb.onReject(rec.reason);
        return;
      }
      this.emit(f.adr, (id) => checkedIntraPack(rec.value, { id, address: f.adr, time: now }));
      return;
    }
    if (
      f.code === v2.CID2.telemetry ||
      f.code === v2.CID2.alarms ||
      f.code === v2.CID2.deviceInfo ||
      f.code === v2.CID2.parameters ||
      f.code === v2.CID2.protocolVersion
    ) {
      this.request(f.adr, f.code);
      return;
    }
    const asked = this.lastRequest.get(f.adr);
    this.lastRequest.delete(f.adr);
    if (f.code !== 0x00) return; // someone else's error answer: not ours to report
    if (asked === v2.CID2.telemetry) {
      const t = v2Payload.decodeTelemetry(f.info);
      if (!t.ok) {
        this.cb.onReject(t.reason);
        return;
      }
      this.telemetry.set(f.adr, { value: t.value, time: now });
    } else if (asked === v2.CID2.alarms) {
      const a = v2Payload.decodeAlarms(f.info);
      if (!a.ok) {
        this.cb.onReject(a.reason);
        return;
      }
      const t = this.telemetry.get(f.adr);
      this.telemetry.delete(f.adr);
      if (!t || now - t.time > this.maxAgeMs) return;
      this.emit(f.adr, (id) =>
        checkedV2Pack(t.value, a.value, { id, address: f.adr, time: now }, { source: 'sniffed' }),
      );
    }
  }

  private request(adr: number, cid2: number): void {
    this.lastRequest.set(adr, cid2);
    this.cb.onRequest?.(adr);
  }
}

export class V3BankListener extends StreamListener {
  private lastRequest?: { id: number; fn: number; start: number };
  private readonly blocks = new Map<
    number,
    { pia?: Timed<v3.PiaBlock>; pib?: Timed<v3.PibBlock>; pic?: Timed<v3.PicBlock> }
  >();

  constructor(
    cb: ListenerCallbacks,
    private readonly maxAgeMs: number,
  ) {
    super(v3.v3ListenFramer, cb);
  }

  protected onFrame(frame: Buffer, now: number): void {
    const ev = v3.classifyListenFrame(frame, this.lastRequest);
    if (ev.kind === 'request') {
      this.lastRequest = v3.requestStart(frame);
      this.cb.onRequest?.(ev.id);
      return;
    }
    this.lastRequest = undefined;
    if (ev.kind !== 'block') return;
    const set = this.blocks.get(ev.id) ?? {};
    this.blocks.set(ev.id, set);
    if (ev.block === 'pia') {
      const r = v3.decodePia(ev.data);
      if (!r.ok) {
        this.cb.onReject(r.reason);
        return;
      }
      set.pia = { value: r.value, time: now };
    } else if (ev.block === 'pib') {
      const r = v3.decodePib(ev.data);
      if (!r.ok) {
        this.cb.onReject(r.reason);
        return;
      }
      set.pib = { value: r.value, time: now };
    } else {
      const r = v3.decodePic(ev.data);
      if (!r.ok) {
        this.cb.onReject(r.reason);
        return;
      }
      set.pic = { value: r.value, time: now };
    }
    const { pia, pib, pic } = set;
    if (!pia || !pib || !pic) return;
    // One PackState per fresh set of the three blocks; a block left over from an old cycle is dropped.
    if (Math.max(now - pia.time, now - pib.time, now - pic.time) > this.maxAgeMs) {
      for (const k of ['pia', 'pib', 'pic'] as const) if (now - (set[k]?.time ?? now) > this.maxAgeMs) delete set[k];
      return;
    }
    this.blocks.delete(ev.id);
    const ctx = (id: string) => ({ id, address: ev.id, time: now });
    this.emit(ev.id, (id) => checkedV3Pack(pia.value, pib.value, pic.value, ctx(id), { source: 'sniffed' }));
  }
}
