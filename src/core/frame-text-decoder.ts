/**
 * One protocol's decoder from a frame given as text (hex, or ASCII for Seplos V2) to the PackState it
 * carries, or the reason it was refused: what `cellsafe decode` and the library entry run. `request`
 * is the request frame an answer belongs to, for protocols whose answers do not say what was asked.
 */
import type { PackState } from './pack-state';
import type { Result } from './result';

export type FrameTextDecoder = (frame: string, request?: string) => Result<PackState>;
