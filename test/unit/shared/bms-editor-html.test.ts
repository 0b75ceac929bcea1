/**
 * The three BMS editor forms as built (scripts/build-editor.js fills each template with the rows they
 * share): every placeholder filled, the shared rows present once, every i18n key in the node's catalog,
 * and today's setting names in the form. Reads dist, so `npm run build` comes first (as `npm test` does).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

const dist = path.resolve(__dirname, '../../../dist/nodes');
/** Priority polling: when a pack counts as close to a limit (polling nodes only). */
const NEAR_LIMIT = ['limitCellLow', 'limitCellHigh', 'nearCellMv', 'limitTempLow', 'limitTempHigh', 'nearTempC'];
const FORMS = [
  {
    dir: 'jk-bms',
    type: 'jk-bms',
    ns: 'jkBms',
    fields: ['name', 'bus', 'addresses', 'interval', 'staleAfter', 'idPrefix', 'mode', ...NEAR_LIMIT],
  },
  {
    dir: 'seplos',
    type: 'seplos-bms',
    ns: 'seplosBms',
    fields: ['name', 'bus', 'addresses', 'interval', 'staleAfter', 'idPrefix', 'mode', ...NEAR_LIMIT],
  },
  { dir: 'smartbms', type: 'smartbms', ns: 'smartbms', fields: ['name', 'bus', 'staleAfter', 'idPrefix'] },
];

/** The value of a dotted key in a locale catalog, or undefined. */
function lookUp(catalog: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], catalog);
}

describe('BMS editor forms (built)', () => {
  for (const { dir, type, ns, fields } of FORMS) {
    it(`${type}: shared rows filled, every field of today's vocabulary, every i18n key in its catalog`, () => {
      const html = fs.readFileSync(path.join(dist, dir, `${type}.html`), 'utf8');
      const catalog = JSON.parse(fs.readFileSync(path.join(dist, dir, 'locales', 'en-US', `${type}.json`), 'utf8'));
      assert.doesNotMatch(html, /\{\{/, 'no placeholder left');
      for (const field of fields) {
        assert.equal(html.split(`id="node-input-${field}"`).length - 1, 1, `one input for ${field}`);
      }
      assert.doesNotMatch(html, /id="node-input-(packId|dataTimeout)"/, 'earlier names have no form field');
      const keys = [...html.matchAll(/data-i18n="(?:\[placeholder\])?([\w.-]+)"/g)].map((m) => m[1]);
      assert.ok(keys.length >= fields.length);
      for (const key of keys) {
        assert.ok(key.startsWith(`${ns}.`), `${key} in the node's namespace`);
        assert.equal(typeof lookUp(catalog, key), 'string', `${key} in locales/en-US/${type}.json`);
      }
    });
  }
});
