/**
 * The bms-rules settings schema and what the build makes of it: every parameter has a human label with
 * its unit, a tooltip and a group; the built dialog has one row per setting showing exactly that label and
 * tooltip; the built help documents every setting under its label and saved name.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULTS, resolveConfig } from '../../../src/nodes/bms-rules/config';
import { PACK_COLUMNS, SCHEMA_GROUPS, SETTINGS_SCHEMA, labelOf } from '../../../src/nodes/bms-rules/config-schema';
import { REPO_ROOT } from '../../helpers/fixtures';
import { CODE_LIKE } from '../../helpers/code-like';

const DIST = path.join(REPO_ROOT, 'dist/nodes/bms-rules');

describe('bms-rules settings schema', () => {
  it('names every parameter and node property once', () => {
    const names = SETTINGS_SCHEMA.map((s) => s.name);
    assert.equal(new Set(names).size, names.length, 'no setting twice');
    const rules = SETTINGS_SCHEMA.filter((s) => s.storage === 'rules').map((s) => s.name);
    const parameters = Object.keys(DEFAULTS).filter((k) => !['bankName', 'packs'].includes(k));
    assert.deepEqual([...rules].sort(), parameters.sort());
    const own = SETTINGS_SCHEMA.filter((s) => s.storage === 'node').map((s) => s.name);
    assert.deepEqual(own.sort(), ['bankName', 'discoveryPrefix', 'name', 'packs', 'telemetry', 'topicPrefix']);
  });

  it('every label is words with its unit, every setting has a tooltip and a known group', () => {
    const groups = SCHEMA_GROUPS.map((g) => g.id as string);
    for (const s of SETTINGS_SCHEMA) {
      assert.doesNotMatch(s.label, CODE_LIKE, `${s.name}: label "${s.label}"`);
      assert.ok(s.label.length > 3 && /^[A-Z]/.test(s.label), `${s.name}: label "${s.label}"`);
      if (s.unit) assert.ok(s.label.endsWith(`(${s.unit})`), `${s.name}: unit in "${s.label}"`);
      assert.ok(s.tooltip.length > 10, `${s.name}: tooltip`);
      assert.doesNotMatch(s.tooltip, CODE_LIKE, `${s.name}: tooltip "${s.tooltip}"`);
      assert.ok(groups.includes(s.group), `${s.name}: group ${s.group}`);
      if (s.input === 'choice') assert.ok(s.choices && s.choices.length > 1, `${s.name}: choices`);
    }
    assert.equal(labelOf('cellHighCut'), 'Cell high cut (V per cell)');
    assert.equal(labelOf('vCellAbsorb'), 'Absorb voltage (V per cell)');
  });

  it('pack reasons name the row as people count it and the field by its packs-table column label', () => {
    const rating = { capacityAh: 100, maxChargeA: 50, maxDischargeA: 50 };
    const cases: Array<[unknown, string]> = [
      [
        {
          packs: [
            { ...rating, id: 'P1' },
            { ...rating, id: '' },
          ],
        },
        'Pack 2: the Pack id must not be empty',
      ],
      [{ packs: [{ ...rating, id: 'x'.repeat(65) }] }, 'Pack 1: the Pack id must be at most 64 characters (got 65)'],
      [{ packs: [{ ...rating, id: 'P1', maxDischargeA: -5 }] }, 'Pack 1: Max discharge (A)'],
      [{ defaultPack: { ...rating, capacityAh: 0 } }, 'Unconfigured pack: Capacity (Ah)'],
      [{ packs: [{ id: 'P1' }, { id: 'P1' }] }, 'Pack 2: the Pack id "P1" is already used by pack 1'],
    ];
    for (const [user, start] of cases) {
      const resolved = resolveConfig(user);
      assert.ok(!resolved.ok, JSON.stringify(user));
      assert.ok(resolved.reason.startsWith(start), resolved.reason);
      // a quoted pack id is the user's own text; everything else is words
      assert.doesNotMatch(resolved.reason.replace(/"[^"]*"/g, 'the id'), CODE_LIKE, resolved.reason);
    }
    assert.equal(labelOf('packs'), 'Packs');
    assert.equal(labelOf('defaultPack'), 'Unconfigured pack (Ah, A, A)');
  });

  it('basic holds name, chemistry, cells in series, packs, system currents and relay modes', () => {
    assert.deepEqual(
      SETTINGS_SCHEMA.filter((s) => s.group === 'basic').map((s) => s.name),
      [
        'name',
        'chemistry',
        'cellsSeries',
        'packs',
        'systemMaxChargeA',
        'systemMaxDischargeA',
        'chargeRelayMode',
        'loadRelayMode',
      ],
    );
  });

  it('the choices are the values the runtime accepts', () => {
    const choices = (name: string) => SETTINGS_SCHEMA.find((s) => s.name === name)!.choices!.map((c) => c.value);
    assert.deepEqual(choices('chemistry'), ['lifepo4', 'lto', 'nmc', 'li-ion']);
    assert.deepEqual(choices('chargeRelayMode'), ['limits', 'normal', 'critical']);
    assert.deepEqual(choices('shareMode'), ['capacity', 'count']);
    assert.deepEqual(choices('socSource'), ['weighted', 'own', 'min']);
  });
});

describe('bms-rules dialog and help as built from the schema', () => {
  const editor = fs.readFileSync(path.join(DIST, 'bms-rules.html'), 'utf8');

  it("the packs table has exactly pack-columns.ts's columns, the labels the runtime's pack reasons use", () => {
    const table = editor.match(/var PACK_COLUMNS = (.*);\n/);
    assert.ok(table, 'the packs columns in the built dialog');
    assert.deepEqual(JSON.parse(table[1]), PACK_COLUMNS);
    // the unconfigured-pack inputs are the rating columns, in the same order and words
    const parts = [...editor.matchAll(/data-key="defaultPack" data-part="(\w+)" title="([^"]*)"/g)];
    assert.deepEqual(
      parts.map((part) => [part[1], part[2]]),
      PACK_COLUMNS.filter(([key]) => key !== 'id'),
    );
  });
  const help = fs.readFileSync(path.join(DIST, 'locales/en-US/bms-rules.html'), 'utf8');
  const unescape = (html: string) =>
    html
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');

  it('one row per setting with its label and tooltip; the groups after basic are collapsed', () => {
    assert.doesNotMatch(editor, /\{\{/, 'every template slot filled');
    for (const s of SETTINGS_SCHEMA) {
      const row = editor.match(
        new RegExp(
          `<div class="form-row[^"]*" data-setting="${s.name}">[\\s\\S]*?<label [^>]*title="([^"]*)">([^<]*)</label>`,
        ),
      );
      assert.ok(row, `${s.name}: row in the built dialog`);
      assert.equal(unescape(row[2]), s.label);
      assert.equal(unescape(row[1]), s.tooltip);
    }
    const details = [...editor.matchAll(/<details class="cellsafe-rules-group" data-group="(\w+)">/g)].map((m) => m[1]);
    assert.deepEqual(
      details,
      SCHEMA_GROUPS.map((g) => g.id).filter((g) => g !== 'basic'),
    );
    assert.doesNotMatch(editor, /<details[^>]* open/, 'groups start collapsed');
    assert.match(
      editor,
      /category: 'battery',\s*color: '#C7E9C0',\s*icon: 'cellsafe-rules.svg',\s*inputs: 1,\s*outputs: 6,/,
    );
  });

  it('the help documents every setting under its label and saved name, with Inputs, Outputs and Details', () => {
    for (const s of SETTINGS_SCHEMA) {
      assert.ok(
        help.includes(`<dt>${s.label.replace(/&/g, '&amp;')}<span class="property-type">${s.name}</span>`),
        s.name,
      );
    }
    assert.match(help, /data-help-name="bms-rules"/);
    assert.match(help, /<h3>Inputs<\/h3>[\s\S]*<h3>Outputs<\/h3>[\s\S]*<h3>Details<\/h3>/);
  });
});
