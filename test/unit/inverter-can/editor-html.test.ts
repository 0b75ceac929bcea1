/**
 * The inverter nodes' editor HTML as the Node-RED editor and the Flow Library scorecard read it:
 * the file as built (npm run build generates it from src/nodes/inverter-can/editor/; no script run),
 * one `<script type="text/html" data-template-name>` per registered type, with a field for every
 * property in the type's defaults, and one help block per type.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { REPO_ROOT } from '../../helpers/fixtures';

const dist = path.join(REPO_ROOT, 'dist/nodes/inverter-can');
const html = fs.readFileSync(path.join(dist, 'inverter-can.html'), 'utf8');
const help = fs.readFileSync(path.join(dist, 'locales/en-US/inverter-can.html'), 'utf8');

/** Runs the editor script against a stub RED to learn each registered type's defaults. */
function registeredDefaults(): Map<string, string[]> {
  const types = new Map<string, string[]>();
  const RED = {
    nodes: { registerType: (type: string, def: { defaults: object }) => types.set(type, Object.keys(def.defaults)) },
  };
  const window: Record<string, unknown> = {};
  const code = [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
  vm.runInNewContext(
    code,
    Object.assign(window, {
      window,
      RED,
      $: () => {
        throw new Error('the editor script must not build the DOM at load time');
      },
    }),
  );
  return types;
}

describe('inverter-can editor HTML', () => {
  const types = registeredDefaults();

  it('registers the five inverter node types', () => {
    assert.deepEqual([...types.keys()].sort(), ['byd-can', 'growatt-can', 'pylontech-can', 'sma-can', 'victron-can']);
  });

  for (const [type, keys] of types) {
    it(`${type}: a static edit template with a field for every default`, () => {
      const blocks = [
        ...html.matchAll(
          new RegExp(`<script type="text/html" data-template-name="${type}">([\\s\\S]*?)</script>`, 'g'),
        ),
      ];
      assert.equal(blocks.length, 1, `one static template for ${type}`);
      for (const key of keys) assert.match(blocks[0][1], new RegExp(`id="node-input-${key}"`), `${type}: field ${key}`);
    });

    it(`${type}: one help block with Inputs, Outputs and Details`, () => {
      const blocks = [
        ...help.matchAll(new RegExp(`<script type="text/html" data-help-name="${type}">([\\s\\S]*?)</script>`, 'g')),
      ];
      assert.equal(blocks.length, 1, `one help block for ${type}`);
      assert.match(blocks[0][1], /<h3>Inputs<\/h3>[\s\S]*<h3>Outputs<\/h3>[\s\S]*<h3>Details<\/h3>/);
      assert.doesNotMatch(blocks[0][1], /\{\{|<!--/, 'every template slot filled');
    });
  }
});
