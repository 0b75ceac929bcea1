/**
 * The packs table as people see it: its column labels and the label of the unconfigured-pack setting.
 * The runtime's pack reasons name fields by these words (the edit dialog shows those reasons), and the
 * settings schema takes the table's labels from here. Pure data.
 */
import type { PackConfig } from './config-types';

/** The packs table's columns, in display order: the property in a saved flow and its label. */
export const PACK_COLUMNS: ReadonlyArray<readonly [keyof PackConfig & string, string]> = [
  ['id', 'Pack id'],
  ['capacityAh', 'Capacity (Ah)'],
  ['maxChargeA', 'Max charge (A)'],
  ['maxDischargeA', 'Max discharge (A)'],
];

export const PACKS_LABEL = 'Packs';
export const DEFAULT_PACK_LABEL = 'Unconfigured pack';

/** A column's label; the property name itself when it is not a column. */
export const packColumnLabel = (name: string): string => PACK_COLUMNS.find(([key]) => key === name)?.[1] ?? name;
