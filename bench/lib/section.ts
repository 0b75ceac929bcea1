/** What every benchmark section returns: its figures, each with the target it is judged against. */

export interface Figure {
  /** What was measured, e.g. "jk-pb decode". */
  name: string;
  value: number;
  unit: string;
  /** The target in words, e.g. "≥ 20,000 frames/s"; absent when the figure is informational. */
  target?: string;
  /** true = met, false = missed (a finding), undefined = no target. */
  met?: boolean;
  note?: string;
}

export interface SectionResult {
  id: string;
  title: string;
  /** How it was measured, one short paragraph for the report. */
  method: string;
  figures: Figure[];
  /** Raw detail kept in results.json (distributions, per-run numbers). */
  detail?: unknown;
  /** Why a part could not be measured (missing piece, API gap). */
  skipped?: string[];
}

export const atLeast = (value: number, min: number): boolean => value >= min;
export const atMost = (value: number, max: number): boolean => value <= max;
