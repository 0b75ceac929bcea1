/**
 * The three BMS help texts as built (scripts/build-editor.js fills the shared help layout,
 * src/nodes/shared/form-rows/bms-help.html, with each node's sections from editor/help.html): one static
 * `data-help-name` block per node with Inputs, Outputs (PackState, Events) and Details, every placeholder
 * filled, the shared-settings paragraph once, and the node's own text in it. Reads dist, so
 * `npm run build` comes first (as `npm test` does).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

const dist = path.resolve(__dirname, '../../../dist/nodes');
const HELPS = [
  { dir: 'jk-bms', type: 'jk-bms', own: ['JK PB (Modbus)', 'protocol <code>pb-listen</code> is read as'] },
  { dir: 'seplos', type: 'seplos-bms', own: ['DIP addresses (switches 1–4', 'Read device info'] },
  { dir: 'smartbms', type: 'smartbms', own: ['What is inferred', '<code>packId</code> is read as'] },
];

const count = (text: string, part: string): number => text.split(part).length - 1;

describe('BMS help (built)', () => {
  for (const { dir, type, own } of HELPS) {
    it(`${type}: one data-help-name block with Inputs, Outputs and Details, the shared paragraph once`, () => {
      const help = fs.readFileSync(path.join(dist, dir, 'locales', 'en-US', `${type}.html`), 'utf8');
      assert.doesNotMatch(help, /\{\{|<!-- \w+ -->/, 'no placeholder or section marker left');
      assert.equal(count(help, '<script type="text/html" data-help-name='), 1);
      assert.equal(count(help, `<script type="text/html" data-help-name="${type}">`), 1);
      assert.ok(help.trimEnd().endsWith('</script>'));
      const headings = [...help.matchAll(/<h3>(\w+)<\/h3>/g)].map((m) => m[1]);
      assert.deepEqual(headings, ['Inputs', 'Outputs', 'Details', 'References']);
      assert.match(help, /<li>PackState\s+<dl class="message-properties">\s+<dt>topic/);
      assert.match(help, /<li>Events\s+<dl class="message-properties">\s+<dt>payload/);
      assert.equal(count(help, '<h4>Settings shared by the BMS nodes</h4>'), 1);
      for (const text of own) assert.equal(count(help, text), 1, `${type} help has its own "${text}"`);
    });
  }
});
