/**
 * `cellsafe decode --protocol <p> [--request hex] <frame>`: prints the PackState of one frame.
 * Each protocol family contributes its decoders (frame text → PackState or a rejection reason).
 */
import type { FrameTextDecoder } from '../core/frame-text-decoder';
import type { CliCommand } from './command';
import { parseArgs } from './command';
import { JK_DECODERS } from '../nodes/jk-bms/cli-decode';
import { decodeSeplosV2, decodeSeplosV3 } from '../nodes/seplos/cli-decode';
import { decodeSmartBmsCli } from '../nodes/smartbms/cli-decode';

export const DECODERS: Record<string, FrameTextDecoder> = {
  ...JK_DECODERS,
  'seplos-v2': decodeSeplosV2,
  'seplos-v3': decodeSeplosV3,
  smartbms: decodeSmartBmsCli,
};

export const decodeCommand: CliCommand = {
  name: 'decode',
  summary: 'print the PackState JSON of one BMS frame',
  usage: 'cellsafe decode --protocol <jk-nw|jk-pb|jk02|seplos-v2|seplos-v3|smartbms> [--request <hex>] <frame>',
  async run(args, io) {
    const { options, positional } = parseArgs(args);
    const decoder = DECODERS[options.protocol ?? ''];
    if (!decoder) {
      io.stdout(
        JSON.stringify({
          error: `unknown protocol "${options.protocol ?? ''}"; one of: ${Object.keys(DECODERS).join(', ')}`,
        }) + '\n',
      );
      return 1;
    }
    if (positional.length === 0) {
      io.stdout(JSON.stringify({ error: 'no frame given' }) + '\n');
      return 1;
    }
    const result = decoder(positional.join(' '), options.request);
    if (!result.ok) {
      io.stdout(JSON.stringify({ error: result.reason }) + '\n');
      return 1;
    }
    io.stdout(JSON.stringify(result.value, null, 2) + '\n');
    return 0;
  },
};
