/**
 * `cellsafe decode --protocol seplos-v2|seplos-v3`: one or more frames (whitespace separated) →
 * one PackState. A telemetry frame alone gives measurements; the FET state needs the alarm frame
 * (V2 0x44 / V3 PIC) — without it charge/discharge are reported as not allowed (fail safe).
 */
import { parseHex } from '../../core/hex';
import type { PackState } from '../../core/pack-state';
import type { Result } from '../../core/result';
import { parseAnswer } from '../../transport/modbus-rtu';
import * as v2 from './protocol-seplos-v2';
import * as v2Payload from './seplos-v2-payload';
import * as v3 from './protocol-seplos-v3';
import { checkedIntraPack, checkedV2Pack, checkedV3Pack } from './checked-pack';

/** A V2 answer holds RTN, not the command: tell telemetry, alarms, parameters, device info apart by shape. */
export function classifyV2Answer(info: Buffer): number | undefined {
  const m = info[2];
  if (info.length >= 3 && m >= 1 && m <= 32) {
    const n = info[3 + 2 * m];
    const telemetryMin = 3 + 2 * m + 1 + 2 * n + 17;
    if (info.length >= telemetryMin && info.length <= telemetryMin + 10 && n >= 2) return v2.CID2.telemetry;
    const k = info[3 + m];
    if (info.length === 3 + m + 1 + k + 3 + info[3 + m + 1 + k + 2]) return v2.CID2.alarms;
  }
  if (info[1] === 0x3c && info.length > 150) return v2.CID2.parameters;
  if (info.length === 32) return v2.CID2.deviceInfo;
  return undefined;
}

/** `--request` for V2: a request frame (`~2001464 2…`) or just the CID2 in hex (`42`). */
function v2RequestCode(request: string | undefined): number | undefined {
  if (!request) return undefined;
  if (request.trim().startsWith('~')) {
    const f = v2.parseFrame(request.trim());
    return f.ok ? f.value.code : undefined;
  }
  const n = parseInt(request, 16);
  return Number.isFinite(n) ? n : undefined;
}

export function decodeSeplosV2(text: string, request?: string): Result<PackState> {
  const frames = text.split(/\s+/).filter((s) => s.length > 0);
  if (frames.length === 0) return { ok: false, reason: 'no frame given' };
  let telemetry: v2Payload.V2Telemetry | undefined;
  let alarms: v2Payload.V2AlarmInfo | undefined;
  let adr = 0;
  const asked = v2RequestCode(request);
  for (const raw of frames) {
    const parsed = v2.parseFrame(raw.replace(/\\r$/, ''));
    if (!parsed.ok) return parsed;
    const f = parsed.value;
    adr = f.adr;
    if (f.code === v2.CID2.intraPack) {
      if (f.lenid === 0) return { ok: false, reason: 'a 0x5A poll of the bank master: no pack data' };
      const rec = v2Payload.decodeIntraPack(f.info);
      if (!rec.ok) return rec;
      return checkedIntraPack(rec.value, { id: `seplos-${f.adr}`, address: f.adr, time: Date.now() });
    }
    const rc = v2.checkReturnCode(f);
    if (!rc.ok) return rc;
    const kind = (frames.length === 1 ? asked : undefined) ?? classifyV2Answer(f.info);
    if (kind === v2.CID2.telemetry) {
      const t = v2Payload.decodeTelemetry(f.info);
      if (!t.ok) return t;
      telemetry = t.value;
    } else if (kind === v2.CID2.alarms) {
      const a = v2Payload.decodeAlarms(f.info);
      if (!a.ok) return a;
      alarms = a.value;
    } else if (kind === v2.CID2.deviceInfo) {
      const d = v2Payload.decodeDeviceInfo(f.info);
      if (!d.ok) return d;
      return {
        ok: false,
        reason: `0x51 device info (${d.value.deviceName}, firmware ${d.value.firmware}, ${d.value.manufacturer}): not pack data`,
      };
    } else if (kind === v2.CID2.parameters) {
      const p = v2Payload.decodeParameters(f.info);
      if (!p.ok) return p;
      return { ok: false, reason: `0x47 parameters of ${p.value.deviceName}: not pack data` };
    } else {
      return { ok: false, reason: 'not a request, telemetry (0x42), alarm (0x44) or intra-pack (0x5A) answer' };
    }
  }
  if (!telemetry)
    return { ok: false, reason: 'a 0x44 alarm answer alone carries no measurements; add the 0x42 answer' };
  const ctx = { id: `seplos-${adr}`, address: adr, time: Date.now() };
  if (alarms) return checkedV2Pack(telemetry, alarms, ctx);
  // Without 0x44 the FET state is unknown: report both directions as not allowed.
  const none: v2Payload.V2AlarmInfo = {
    dataFlag: 0,
    commandGroup: 0,
    cellLimitStates: [],
    temperatureLimitStates: [],
    currentLimitState: 0,
    packVoltageLimitState: 0,
    customCount: 0,
    events: [0, 0, 0, 0, 0, 0],
    switchState: 0,
    balancingBitmap: 0,
    systemState: 0,
    disconnectionBitmap: 0,
    event7: 0,
    event8: 0,
    trailingBytes: [],
  };
  return checkedV2Pack(telemetry, none, ctx, { fetStateUnknown: true });
}

/** `--request` for V3: the request hex (gives id, function and start register). */
function v3Request(request: string | undefined): { id: number; fn: number; start: number } | undefined {
  if (!request) return undefined;
  const b = Buffer.from(request.replace(/\s+/g, ''), 'hex');
  return b.length >= 6 ? v3.requestStart(b) : undefined;
}

export function decodeSeplosV3(text: string, request?: string): Result<PackState> {
  const frames = text.split(/\s+/).filter((s) => s.length > 0);
  if (frames.length === 0) return { ok: false, reason: 'no frame given' };
  const req = v3Request(request);
  let pia: v3.PiaBlock | undefined;
  let pib: v3.PibBlock | undefined;
  let pic: v3.PicBlock | undefined;
  let id = 0;
  for (const hex of frames) {
    const frame = parseHex(hex);
    if (!frame) return { ok: false, reason: 'frame must be hex' };
    id = frame[0];
    const check = parseAnswer(frame, id, frame[1] & 0x7f);
    if (!check.ok) return check;
    const ev = v3.classifyListenFrame(frame, frames.length === 1 ? req : undefined);
    if (ev.kind !== 'block') {
      const start = req ? ` at 0x${req.start.toString(16)}` : '';
      return { ok: false, reason: `not a PIA, PIB or PIC answer${start} (pass the request with --request)` };
    }
    if (ev.block === 'pia') {
      const r = v3.decodePia(ev.data);
      if (!r.ok) return r;
      pia = r.value;
    } else if (ev.block === 'pib') {
      const r = v3.decodePib(ev.data);
      if (!r.ok) return r;
      pib = r.value;
    } else {
      const r = v3.decodePic(ev.data);
      if (!r.ok) return r;
      pic = r.value;
    }
  }
  if (!pia) return { ok: false, reason: 'PackState needs the PIA block (0x1000): voltage, current, SOC' };
  const extra: Record<string, unknown> = {};
  const cells: v3.PibBlock = pib ?? {
    cellsMv: [],
    cellTemperatures: [],
    cellTemperatures5to8Raw: [],
    ambientTemperature: 0,
    powerTemperature: 0,
  };
  if (!pib) extra.cellsUnknown = true;
  let status = pic;
  if (!status) {
    const blank = v3.decodePic(Buffer.alloc(18));
    if (!blank.ok) return blank;
    status = blank.value;
    extra.fetStateUnknown = true;
  }
  const checked = checkedV3Pack(pia, cells, status, { id: `seplos-${id}`, address: id, time: Date.now() }, extra, !pib);
  if (!checked.ok) return checked;
  if (!pib) {
    delete checked.value.ambientTemperature;
    delete checked.value.mosTemperature;
  }
  return checked;
}
