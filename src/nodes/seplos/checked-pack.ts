/**
 * Seplos answers → PackState through the plausibility gate: the form every Seplos path (poll, bank
 * listener, CLI) uses, so none can emit a pack the gate has not seen. The mapping itself stays in the
 * protocol files.
 */
import type { PackState } from '../../core/pack-state';
import { plausiblePack } from '../../core/plausibility';
import * as v2 from './protocol-seplos-v2';
import * as v3 from './protocol-seplos-v3';

type Checked = v2.Result<PackState>;

/** 0x42 telemetry + 0x44 alarms of one cycle. */
export function checkedV2Pack(
  t: v2.V2Telemetry,
  a: v2.V2AlarmInfo,
  ctx: v2.PackContext,
  extra?: Record<string, unknown>,
): Checked {
  return plausiblePack(v2.toPackState(t, a, ctx, extra));
}

/** A sniffed 0x5A record: no cell list, only the highest and lowest cell, which are judged instead. */
export function checkedIntraPack(p: v2.V2IntraPack, ctx: v2.PackContext): Checked {
  return plausiblePack(v2.intraPackToPackState(p, ctx), {
    noCells: true,
    statedCellVoltages: [p.highestCellMv / 1000, p.lowestCellMv / 1000],
  });
}

/** PIA + PIB + PIC; PIA's own cell extremes are judged too. `noCells` when PIB is missing (CLI). */
export function checkedV3Pack(
  a: v3.PiaBlock,
  b: v3.PibBlock,
  c: v3.PicBlock,
  ctx: v3.PackContext,
  extra?: Record<string, unknown>,
  noCells = false,
): Checked {
  return plausiblePack(v3.toPackState(a, b, c, ctx, extra), {
    noCells,
    statedCellVoltages: [a.maxCellMv / 1000, a.minCellMv / 1000],
    statedTemperatures: [a.maxCellTemperature, a.minCellTemperature],
  });
}
