/**
 * Seplos answers → PackState through the plausibility gate: the form every Seplos path (poll, bank
 * listener, CLI) uses, so none can emit a pack the gate has not seen. The mapping itself stays in the
 * protocol files.
 */
import type { PackState } from '../../core/pack-state';
import { plausiblePack } from '../../core/plausibility';
import type { Result } from '../../core/result';
import * as v2Payload from './seplos-v2-payload';
import * as v2PackState from './seplos-v2-pack-state';
import type { PackContext } from './seplos-shared';
import * as v3 from './protocol-seplos-v3';

/** 0x42 telemetry + 0x44 alarms of one cycle. */
export function checkedV2Pack(
  t: v2Payload.V2Telemetry,
  a: v2Payload.V2AlarmInfo,
  ctx: PackContext,
  extra?: Record<string, unknown>,
): Result<PackState> {
  return plausiblePack(v2PackState.toPackState(t, a, ctx, extra));
}

/** A sniffed 0x5A record: no cell list, only the highest and lowest cell, which are judged instead. */
export function checkedIntraPack(p: v2Payload.V2IntraPack, ctx: PackContext): Result<PackState> {
  return plausiblePack(v2PackState.intraPackToPackState(p, ctx), {
    noCells: true,
    statedCellVoltages: [p.highestCellMv / 1000, p.lowestCellMv / 1000],
  });
}

/** PIA + PIB + PIC; PIA's own cell extremes are judged too. `noCells` when PIB is missing (CLI). */
export function checkedV3Pack(
  a: v3.PiaBlock,
  b: v3.PibBlock,
  c: v3.PicBlock,
  ctx: PackContext,
  extra?: Record<string, unknown>,
  noCells = false,
): Result<PackState> {
  return plausiblePack(v3.toPackState(a, b, c, ctx, extra), {
    noCells,
    statedCellVoltages: [a.maxCellMv / 1000, a.minCellMv / 1000],
    statedTemperatures: [a.maxCellTemperature, a.minCellTemperature],
  });
}
