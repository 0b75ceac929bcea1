// The bms-rules edit dialog and the Parameters part of its help, generated from the settings schema
// (src/nodes/bms-rules/config-schema.ts, read compiled from dist): one form row per setting with its label,
// unit (in the label) and tooltip, the basic settings first and every other group collapsed. The packs table's
// columns come from the same module (its PACK_COLUMNS, from pack-columns.ts). Called by build-editor.js.

const escapeHtml = (text) =>
  String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** The label of a row; `for` ties it to its input so a click focuses the field. */
const label = (setting, forId) =>
  `<label for="${forId}" title="${escapeHtml(setting.tooltip)}">${escapeHtml(setting.label)}</label>`;

/** The input of a setting kept in the `rules` JSON (read and written by the dialog script). */
function rulesInput(setting, packColumns) {
  const attrs = `id="cellsafe-rp-${setting.name}" class="cellsafe-rp" data-key="${setting.name}" title="${escapeHtml(setting.tooltip)}"`;
  if (setting.input === 'switch' || setting.input === 'choice') {
    const options =
      setting.input === 'switch'
        ? [
            { value: 'true', label: 'Yes' },
            { value: 'false', label: 'No' },
          ]
        : setting.choices;
    const empty = setting.name === 'chemistry' ? '' : '<option value="">preset</option>';
    const items = options.map((o) => `<option value="${escapeHtml(o.value)}">${escapeHtml(o.label)}</option>`);
    return `<select ${attrs}>${empty}${items.join('')}</select>`;
  }
  if (setting.input === 'pack') {
    // a pack's values are the packs table's rating columns (all but the id)
    return packColumns
      .filter(([part]) => part !== 'id')
      .map(
        ([part, title]) =>
          `<input type="text" class="cellsafe-rp-part" data-key="${setting.name}" data-part="${part}" title="${escapeHtml(title)}" style="width: 70px">`,
      )
      .join(' ');
  }
  const width = setting.input === 'table' ? '55%' : '90px';
  const bank = setting.bankVoltage ? ` <span class="cellsafe-rules-bank" data-bank-for="${setting.name}"></span>` : '';
  return `<input type="text" ${attrs} style="width: ${width}">${bank}`;
}

/** The input of a setting the node keeps as its own property (Node-RED reads and writes `node-input-<name>`). */
function nodeInput(setting) {
  const id = `node-input-${setting.name}`;
  const title = `title="${escapeHtml(setting.tooltip)}"`;
  if (setting.input === 'switch')
    return `<input type="checkbox" id="${id}" ${title} style="width: auto; margin: 0 6px 0 0;">`;
  if (setting.input === 'packs') return `<input type="hidden" id="${id}">`;
  return `<input type="text" id="${id}" ${title}>`;
}

function row(setting, packColumns) {
  const forId = setting.storage === 'node' ? `node-input-${setting.name}` : `cellsafe-rp-${setting.name}`;
  const input = setting.storage === 'node' ? nodeInput(setting) : rulesInput(setting, packColumns);
  if (setting.input === 'packs') {
    return [
      `<div class="form-row cellsafe-rules-packs" data-setting="packs">`,
      `  ${label(setting, 'cellsafe-packs-list')}`,
      `  ${input}`,
      `  <ol id="cellsafe-packs-list" title="${escapeHtml(setting.tooltip)}"></ol>`,
      `  <button type="button" class="red-ui-button" id="cellsafe-packs-seen-button" title="List the packs this deployed node has received and add the chosen ones"><i class="fa fa-search"></i> Add packs seen</button>`,
      `  <div id="cellsafe-packs-seen" style="display: none;"></div>`,
      `</div>`,
    ].join('\n    ');
  }
  return `<div class="form-row" data-setting="${setting.name}">${label(setting, forId)}${input}</div>`;
}

/** The dialog's rows: the basic settings open, each other group a collapsed <details> with its rows. */
function form(schema, groups, packColumns) {
  return groups
    .map(({ id, label: groupLabel }) => {
      const rows = schema.filter((s) => s.group === id).map((s) => `    ${row(s, packColumns)}`);
      if (id === 'basic') return rows.join('\n');
      return [
        `  <details class="cellsafe-rules-group" data-group="${id}">`,
        `    <summary>${escapeHtml(groupLabel)} <span class="cellsafe-rules-changed"></span></summary>`,
        ...rows,
        `  </details>`,
      ].join('\n');
    })
    .join('\n');
}

/** What the dialog script needs to read a field of `rules`: the input kind of each parameter. */
const inputKinds = (schema) =>
  JSON.stringify(Object.fromEntries(schema.filter((s) => s.storage === 'rules').map((s) => [s.name, s.input])));

/** The Parameters part of the help: per group, each setting's label, unit, tooltip and saved name. */
function help(schema, groups) {
  return groups
    .map(({ id, label: groupLabel }) => {
      const items = schema
        .filter((s) => s.group === id)
        .map(
          (s) =>
            `    <dt>${escapeHtml(s.label)}<span class="property-type">${s.name}</span></dt>\n    <dd>${escapeHtml(s.tooltip)}</dd>`,
        );
      return `  <h4>${escapeHtml(groupLabel)}</h4>\n  <dl class="message-properties">\n${items.join('\n')}\n  </dl>`;
    })
    .join('\n');
}

module.exports = function bmsRulesEditor(schemaModule) {
  const { SETTINGS_SCHEMA, SCHEMA_GROUPS, PACK_COLUMNS } = schemaModule;
  return {
    form: form(SETTINGS_SCHEMA, SCHEMA_GROUPS, PACK_COLUMNS),
    inputKinds: inputKinds(SETTINGS_SCHEMA),
    // the packs table's columns as the runtime names them in its reasons (src/nodes/bms-rules/pack-columns.ts)
    packColumns: JSON.stringify(PACK_COLUMNS),
    parameters: help(SETTINGS_SCHEMA, SCHEMA_GROUPS),
  };
};
