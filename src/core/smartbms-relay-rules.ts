/**
 * How a 123\SmartBMS switches its CHARGE and LOAD relays (gen2 and gen3 manuals, "Charge and
 * discharge/load relay"; docs/rules.md#relays), in `normal` or `critical` mode. A relay
 * switches off as soon as ANY of its disable conditions holds and on again only when ALL of its
 * enable conditions hold; in between it keeps its state (the hysteresis). No cells known = off.
 * One implementation for the bms-rules relays and the smartbms simulator.
 */
export type RelayTableMode = 'normal' | 'critical';

export interface RelayThresholds {
  vMin: number;
  vMax: number;
  /** V-balance (gen3) / V-bypass (gen2). */
  vBalance: number;
  tMin: number;
  tMax: number;
  /** SoC % below which the charge relay may close again (normal mode only). */
  chargeRestartSoc: number;
  /** SoC % at or above which the load relay may close again (normal mode only). */
  dischargeRestartSoc: number;
}

export interface RelayView {
  /** every cell voltage with fresh data */
  cells: number[];
  /** every cell/pack temperature with fresh data */
  temps: number[];
  soc: number;
  /** cell data is flowing (the cell board chain, or the bank's packs) */
  commOk: boolean;
}

export interface RelayState {
  charge: boolean;
  load: boolean;
}

/** The relay table of one relay: its next state from the previous one (pure, no timing). */
export function tableRelay(
  mode: RelayTableMode,
  relay: 'charge' | 'load',
  prev: boolean,
  v: RelayView,
  th: RelayThresholds,
): boolean {
  const tempsOk = v.temps.every((x) => x > th.tMin && x < th.tMax);
  const tempBad = v.temps.some((x) => x < th.tMin || x > th.tMax);
  const noCells = v.cells.length === 0;
  if (relay === 'charge') {
    const disable =
      !v.commOk ||
      noCells ||
      tempBad ||
      v.cells.some((c) => c >= th.vMax) ||
      (mode === 'normal' && v.cells.every((c) => c >= th.vBalance));
    if (disable) return false;
    const enable =
      v.commOk &&
      tempsOk &&
      (mode === 'normal'
        ? v.cells.every((c) => c < th.vBalance) && v.soc < th.chargeRestartSoc
        : v.cells.every((c) => c < th.vMax));
    return enable ? true : prev;
  }
  const disable = !v.commOk || noCells || tempBad || v.cells.some((c) => c <= th.vMin);
  if (disable) return false;
  const enable =
    v.commOk &&
    tempsOk &&
    v.cells.every((c) => c > th.vMin) &&
    (mode === 'critical' || v.soc >= th.dischargeRestartSoc);
  return enable ? true : prev;
}

/** Both relays of a BMS in one mode. */
export function nextRelays(prev: RelayState, v: RelayView, th: RelayThresholds, mode: RelayTableMode): RelayState {
  return { charge: tableRelay(mode, 'charge', prev.charge, v, th), load: tableRelay(mode, 'load', prev.load, v, th) };
}

/** SoC is set to 100 % here ("SOC calculation"): every cell at V-balance, or in critical mode their average. */
export function fullSync(cells: number[], vBalance: number, mode: RelayTableMode): boolean {
  if (cells.length === 0) return false;
  if (mode === 'critical') return cells.reduce((a, v) => a + v, 0) >= vBalance * cells.length;
  return cells.every((v) => v >= vBalance);
}
