/**
 * Layers, imports only downward: core → transport → nodes/shared → nodes/<node> → cli, never
 * sideways between node folders, no Node-RED in pure files (the `cellsafe/layers` ESLint rule that
 * `npm run lint` runs), and no import cycles anywhere in src.
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { ESLint } from 'eslint';
import { importCycles, importGraph } from '../helpers/import-graph';

const root = path.resolve(__dirname, '../..');
const src = path.join(root, 'src');

/** The layer rule's messages for `text` as if it were the file `file` (relative to src). */
async function layerMessages(file: string, text: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: root }).lintText(text, { filePath: path.join(src, file) });
  return result.messages.filter((m) => m.ruleId === 'cellsafe/layers').map((m) => m.message);
}

describe('layering', function () {
  this.timeout(60_000);

  it('lint fails on an upward import (transport importing a node folder, core importing transport)', async () => {
    const transport = await layerMessages(
      'transport/planted.ts',
      "import { JK_SIMULATORS } from '../nodes/jk-bms/simulator';\nexport const planted = JK_SIMULATORS;\n",
    );
    assert.equal(transport.length, 1);
    assert.match(transport[0], /upward import: transport may not import from nodes\/jk-bms/);
    const core = await layerMessages('core/planted.ts', "export type { BusStatus } from '../transport/bus-api';\n");
    assert.match(core.join(), /upward import: core may not import from transport/);
    const shared = await layerMessages(
      'nodes/shared/planted.ts',
      "import x = require('../seplos/simulator');\nvoid x;\n",
    );
    assert.match(shared.join(), /upward import: nodes\/shared may not import from nodes\/seplos/);
    const node = await layerMessages('nodes/smartbms/planted.ts', "export { main } from '../../cli/cellsafe';\n");
    assert.match(node.join(), /upward import: nodes\/smartbms may not import from cli/);
  });

  it('lint fails on a sideways import between two node folders', async () => {
    const messages = await layerMessages(
      'nodes/can-bus/planted.ts',
      "import { protocolByName } from '../inverter-can/protocols';\nexport const planted = protocolByName;\n",
    );
    assert.deepEqual(messages.length, 1);
    assert.match(messages[0], /sideways import: nodes\/can-bus may not import from nodes\/inverter-can/);
  });

  it('lint fails on Node-RED in a pure file, and allows it in a node shell', async () => {
    const nodeRed = "import type { NodeAPI } from 'node-red';\nexport type Api = NodeAPI;\n";
    assert.equal((await layerMessages('nodes/jk-bms/protocol-planted.ts', nodeRed)).length, 1);
    assert.equal((await layerMessages('transport/planted.ts', nodeRed)).length, 1);
    assert.deepEqual(await layerMessages('nodes/jk-bms/jk-bms-planted.ts', nodeRed), []);
  });

  it('downward imports and imports within a folder pass', async () => {
    const text = [
      "import { RealClock } from '../../core/clock';",
      "import { takeFrame } from '../../transport/framer';",
      "import { packSummary } from '../shared/pack-summary';",
      "import { decodeNw } from './protocol-jk-nw';",
      'export const planted = [RealClock, takeFrame, packSummary, decodeNw];',
    ].join('\n');
    assert.deepEqual(await layerMessages('nodes/jk-bms/planted.ts', `${text}\n`), []);
    assert.deepEqual(await layerMessages('cli/planted.ts', "export { SIMULATORS } from './simulators';\n"), []);
  });

  it('src has no upward or sideways import', async () => {
    const results = await new ESLint({ cwd: root }).lintFiles(['src']);
    const problems = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId === 'cellsafe/layers')
        .map((m) => `${path.relative(root, r.filePath)}:${m.line} ${m.message}`),
    );
    assert.deepEqual(problems, []);
  });

  it('finds an import cycle when there is one', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    assert.deepEqual(
      importCycles(graph).map((cycle) => [...cycle].sort()),
      [['a', 'b', 'c'], ['e']],
    );
  });

  it('src has no import cycle', () => {
    const graph = importGraph(src);
    assert.ok(graph.size > 50, `read the whole tree (${graph.size} files)`);
    assert.ok(graph.get(path.join(src, 'cli/decode.ts'))?.includes(path.join(src, 'nodes/jk-bms/cli-decode.ts')));
    const cycles = importCycles(graph).map((cycle) => cycle.map((file) => path.relative(src, file)));
    assert.deepEqual(cycles, []);
  });
});
