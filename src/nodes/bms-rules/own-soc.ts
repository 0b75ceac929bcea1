/**
 * The bank SoC: the engine's own coulomb counter (synced the 123\SmartBMS way) and the SoC reported
 * from the chosen source.
 */
import { fullSync } from '../../core/smartbms-relay-rules';
import type { Aggregate } from './aggregate';
import type { EngineState } from './engine-state';

const OWN_SOC_EMPTY_MS = 60_000;

/** Integrates the bank current into the own SoC (only while packs report), then applies the sync points. */
export function stepOwnSoc(
  state: EngineState,
  agg: Aggregate | undefined,
  fullEvent: number | undefined,
  cells: number[],
  dt: number,
  now: number,
): void {
  if (!agg) return;
  state.ownSoc ??= agg.soc;
  const percent = ((agg.current * dt) / 3_600_000 / Math.max(1, agg.onlineAh)) * 100;
  state.ownSoc = Math.min(100, Math.max(0, state.ownSoc + percent));
  // the 123\SmartBMS sync points: 100 % at a full charge or with every cell at V-balance, 0 % once
  // a cell has stayed below the cut (discharge blocked) for a minute
  if (fullEvent !== undefined || fullSync(cells, state.cfg.relayVBalance, 'normal')) state.ownSoc = 100;
  const cellLow = state.latches.cellLow;
  if (cellLow.on && now - (cellLow.setAt ?? now) >= OWN_SOC_EMPTY_MS) state.ownSoc = 0;
}

/** The SoC sent: own, lowest pack or capacity-weighted; held at 98 % until the first full charge if asked. */
export function reportedSoc(state: EngineState, latest: Aggregate | undefined): number {
  const config = state.cfg;
  let soc: number;
  if (config.socSource === 'own') soc = state.ownSoc ?? 0;
  else if (config.socSource === 'min') soc = latest?.socMin ?? 0;
  else soc = latest?.soc ?? 0;
  if (config.sendSoc98UntilFull && state.charge.lastFull === undefined) soc = Math.min(soc, 98);
  return soc;
}
