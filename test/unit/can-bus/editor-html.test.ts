/**
 * The can-bus config dialog as built (npm run build generates it from src/nodes/can-bus/editor/): every
 * setting in the node's defaults has exactly one input or select, and every i18n key the dialog uses is in
 * its catalog. Reads dist, so `npm run build` comes first (as `npm test` does).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { REPO_ROOT } from '../../helpers/fixtures';

const html = fs.readFileSync(path.join(REPO_ROOT, 'dist/nodes/can-bus/can-bus.html'), 'utf8');
const locales = path.join(REPO_ROOT, 'src/nodes/can-bus/locales/en-US');

/** Runs the editor script against a stand-in RED to learn the settings the node registers. */
function registeredDefaults(): string[] {
  let defaults: object | undefined;
  const RED = {
    nodes: { registerType: (_type: string, definition: { defaults: object }) => (defaults = definition.defaults) },
    validators: { number: () => () => true, regex: () => () => true },
  };
  const code = [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
  vm.runInNewContext(code, { RED });
  assert.ok(defaults, 'the script registers can-bus');
  return Object.keys(defaults);
}

/** The value of a dotted key in a locale catalog, or undefined. */
function lookUp(catalog: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], catalog);
}

describe('can-bus editor HTML (built)', () => {
  const template = html.match(/<script type="text\/html" data-template-name="can-bus">([\s\S]*?)<\/script>/);

  it('one static edit template with every placeholder filled', () => {
    assert.ok(template, 'a data-template-name="can-bus" block');
    assert.doesNotMatch(html, /\{\{/, 'no placeholder left');
  });

  it('exactly one input or select for every setting in defaults', () => {
    const fields = registeredDefaults();
    assert.ok(fields.length >= 16, `${fields.length} settings`);
    for (const field of fields) {
      const ids = template![1].split(`id="node-config-input-${field}"`).length - 1;
      assert.equal(ids, 1, `one element with id node-config-input-${field}`);
      assert.match(template![1], new RegExp(`<(input|select)\\b[^>]*\\bid="node-config-input-${field}"`), field);
    }
  });

  it('every data-i18n key is in locales/en-US/can-bus.json', () => {
    const catalogs = fs.readdirSync(locales).filter((name) => name.endsWith('.json'));
    const catalog = Object.assign(
      {},
      ...catalogs.map((name) => JSON.parse(fs.readFileSync(path.join(locales, name), 'utf8'))),
    );
    const keys = [...html.matchAll(/data-i18n="(?:\[\w+\])?([\w.-]+)"/g)].map((m) => m[1]);
    assert.ok(keys.length >= 20, `${keys.length} keys`);
    for (const key of keys) assert.equal(typeof lookUp(catalog, key), 'string', `${key} in the catalog`);
  });
});
