/**
 * The cell chemistries CellSafe knows, spelled as saved flows spell them (the bms-rules `chemistry`
 * setting). The rules have a preset for each; the battery model behind the simulators has an OCV
 * curve for all but `li-ion`.
 */
export const CHEMISTRIES = ['lifepo4', 'lto', 'nmc', 'li-ion'] as const;
export type Chemistry = (typeof CHEMISTRIES)[number];
