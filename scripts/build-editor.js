// Writes the editor HTML that is generated rather than kept by hand: the five inverter nodes share one
// form and one help text (per-protocol differences are data), and the bms-rules dialog and help come from
// its settings schema in src/nodes/bms-rules/config-schema.ts. The output stays static
// `data-template-name` / `data-help-name` blocks, as the Node-RED editor and the Flow Library read them.
// Runs after tsc and copy-assets (it reads the compiled config from dist).
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const srcNodes = path.join(root, 'src', 'nodes');
const distNodes = path.join(root, 'dist', 'nodes');

/** Replaces every `{{key}}` in a template; a key without a value is a mistake in the template. */
function fill(template, values) {
  return template.replace(/\{\{(\w+)\}\}/g, (_, key) => {
    if (!(key in values)) throw new Error(`template value "${key}" missing`);
    return values[key];
  });
}

/** Splits a file of `<!-- name -->` sections into {name: text} (each text without its final newline). */
function sections(text) {
  const parts = text.split(/^<!-- (\w+) -->\n/m).slice(1);
  const result = {};
  for (let i = 0; i < parts.length; i += 2) result[parts[i]] = parts[i + 1].replace(/\n$/, '');
  return result;
}

function inverterCan() {
  const dir = path.join(srcNodes, 'inverter-can', 'editor');
  const read = (name) => fs.readFileSync(path.join(dir, name), 'utf8');
  const protocols = JSON.parse(read('protocols.json')).map((p) => ({ ...p, paletteLabel: p.type.replace('-', ' ') }));
  const registerTypes = protocols.map((p) => fill(read('register-type.html'), p)).join('\n');
  const forms = protocols.map((p) => '\n' + fill(read('form.html'), p)).join('');
  const helps = protocols.map((p) => fill(read('help.html'), { ...p, ...sections(read(`help-${p.protocol}.html`)) }));
  return {
    'inverter-can.html': fill(read('editor-script.html'), { registerTypes }) + forms,
    'locales/en-US/inverter-can.html': helps.join('\n'),
  };
}

/** The bms-rules dialog and help, generated from its settings schema (scripts/build-bms-rules-editor.js). */
function bmsRules() {
  const dir = path.join(srcNodes, 'bms-rules', 'editor');
  const values = require('./build-bms-rules-editor')(require(path.join(distNodes, 'bms-rules', 'config-schema.js')));
  return {
    'bms-rules.html': fill(fs.readFileSync(path.join(dir, 'bms-rules.html'), 'utf8'), values),
    'locales/en-US/bms-rules.html': fill(fs.readFileSync(path.join(dir, 'help.html'), 'utf8'), values),
  };
}

const formRows = (name) => fs.readFileSync(path.join(srcNodes, 'shared', 'form-rows', name), 'utf8');

/** One of a node's own fields as a select or checkbox row (src/nodes/shared/form-rows/fields.html). */
function fieldRow(ns, spec) {
  const rows = sections(formRows('fields.html'));
  const classes = spec.class ? ` ${spec.class}` : '';
  if (spec.checkbox) return fill(rows.checkboxRow, { ns, classes, field: spec.checkbox });
  const options = spec.options.map((value) => fill(rows.option, { ns, field: spec.select, value })).join('\n');
  return fill(rows.selectRow, { ns, classes, field: spec.select, icon: spec.icon, options });
}

/**
 * A BMS node's editor HTML and help: its form template with the rows the three BMS forms share
 * (src/nodes/shared/form-rows/bms.html) and its own fields (editor/rows.json), and its help sections
 * (editor/help.html) in the help layout they share (src/nodes/shared/form-rows/bms-help.html).
 */
function bmsEditor(dir, type, ns) {
  const own = (name) => fs.readFileSync(path.join(srcNodes, dir, 'editor', name), 'utf8');
  const rows = Object.entries(sections(formRows('bms.html'))).map(([name, row]) => [name, fill(row, { ns, type })]);
  const ownRows = Object.entries(JSON.parse(own('rows.json'))).map(([name, spec]) => [name, fieldRow(ns, spec)]);
  return {
    [`${type}.html`]: fill(own(`${type}.html`), Object.fromEntries([...rows, ...ownRows])),
    [`locales/en-US/${type}.html`]: fill(formRows('bms-help.html'), { type, ...sections(own('help.html')) }),
  };
}

/**
 * The can-bus config dialog: its template (editor/can-bus.html) with its single-input rows, each from one row
 * layout (editor/rows.html) and its spec in editor/rows.json; a part the spec leaves out is left out of the row.
 */
function canBus() {
  const own = (name) => fs.readFileSync(path.join(srcNodes, 'can-bus', 'editor', name), 'utf8');
  const layout = sections(own('rows.html'));
  const part = (name, spec) => (spec[name] === undefined ? '' : fill(layout[name], spec));
  const rowOf = (spec) =>
    fill(layout.inputRow, {
      field: spec.field,
      classes: spec.class ? ` ${spec.class}` : '',
      icon: spec.icon ? `${part('icon', spec)} ` : '',
      ...Object.fromEntries(
        ['width', 'placeholder', 'placeholderKey', 'unit', 'hint'].map((name) => [name, part(name, spec)]),
      ),
    });
  const rows = Object.entries(JSON.parse(own('rows.json'))).map(([name, spec]) => [name, rowOf(spec)]);
  return { 'can-bus.html': fill(own('can-bus.html'), Object.fromEntries(rows)) };
}

function write(node, files) {
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(distNodes, node, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
}

write('can-bus', canBus());
write('inverter-can', inverterCan());
write('bms-rules', bmsRules());
write('jk-bms', bmsEditor('jk-bms', 'jk-bms', 'jkBms'));
write('seplos', bmsEditor('seplos', 'seplos-bms', 'seplosBms'));
write('smartbms', bmsEditor('smartbms', 'smartbms', 'smartbms'));
