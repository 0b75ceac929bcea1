/**
 * The bms-rules edit dialog in the real Node-RED editor (Debian chromium) with a real Node-RED runtime:
 * every visible label is words (no code names, no JSON) and every field has a tooltip; a new node set up
 * through the dialog (chemistry, cells, two packs typed into the table) deploys and runs with those packs,
 * as its BankState shows; a flow saved with the JSON packs text loads into the table and deploys
 * unchanged; a bad cell of the packs table (capacity "abc" or "-5", max charge "x", a duplicate or empty id)
 * is marked with Node-RED's input-error class beside the runtime's reason, and both go once it is fixed;
 * a high cut below absorb shows the runtime's reason in the dialog, and the deployed node
 * refuses it with the same words; with the quick start deployed, an empty capacity or current cell shows the
 * value the node will use and its source ("280 (from BMS)", "100 (default)"). Screenshots go to test-output/browser/.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { DebugListener, startNodeRed, type NodeRedProcess } from '../helpers/node-red-process';
import { CODE_LIKE } from '../helpers/code-like';
import type { SeenPack } from '../../src/nodes/bms-rules/packs-seen';
import {
  closeDialog,
  dragFromPalette,
  exportedNode,
  launch,
  screenshots,
  skipWithoutChromium,
  type Browser,
} from './browser';

// The editor's globals as the page functions use them: its API, typed loosely on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
type EditorWindow = { RED: Loose; $: Loose };

/** As the JSON textarea of the earlier dialog saved them (spacing and key order kept by the user). */
const SAVED_PACKS =
  '[{"id": "house-1", "capacityAh": 280, "maxChargeA": 140, "maxDischargeA": 150}, {"capacityAh": 100, "id": "house-2", "maxChargeA": 50, "maxDischargeA": 50}]';
const SAVED_RULES =
  '{"cellsSeries": 16, "vCellAbsorb": 3.45, "systemMaxChargeA": 200, "batteryTemperature": {"pack": "house-2", "sensor": 1}}';

async function openDialog(page: Page, id: string): Promise<void> {
  await page.evaluate((nodeId) => {
    const RED = (window as unknown as EditorWindow).RED;
    RED.editor.edit(RED.nodes.node(nodeId));
  }, id);
  await page.locator('.red-ui-tray .cellsafe-rules-form').waitFor({ state: 'visible' });
  // the presets endpoint fills the placeholders
  await page.waitForFunction(() => document.querySelector('#cellsafe-rp-vCellAbsorb')?.getAttribute('placeholder'));
}

/** A debug node on the active tab showing output 1 (BankState) of the node, wired by the editor's API. */
async function watchBank(page: Page, rulesId: string): Promise<string> {
  return page.evaluate((source) => {
    const RED = (window as unknown as EditorWindow).RED;
    const debugId = RED.nodes.id();
    RED.view.importNodes(
      [
        {
          id: debugId,
          type: 'debug',
          z: RED.workspaces.active(),
          x: 500,
          y: 300,
          active: true,
          tosidebar: true,
          complete: 'payload',
          wires: [],
        },
      ],
      { generateIds: false },
    );
    RED.nodes.addLink({ source: RED.nodes.node(source), sourcePort: 0, target: RED.nodes.node(debugId) });
    RED.nodes.dirty(true);
    return debugId;
  }, rulesId);
}

/** Clicks Deploy and waits until the runtime has the flow. */
async function deploy(page: Page): Promise<void> {
  await page.click('#red-ui-header-button-deploy');
  await page.waitForFunction(() => !(window as unknown as EditorWindow).RED.nodes.dirty(), undefined, {
    timeout: 20000,
  });
}

interface BankMessage {
  kind: string;
  packStates: Record<string, { configured: boolean }>;
  capacityAh: { installed: number };
}

async function nextBank(debug: DebugListener, debugId: string, since: number): Promise<BankMessage> {
  const end = Date.now() + 15000;
  while (Date.now() < end) {
    const found = debug.messages.find((m) => m.id === debugId && m.received >= since);
    if (found) return found.msg as BankMessage;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no BankState from the deployed node within 15 s');
}

/** The node's status text as the editor shows it (the runtime sends it over the editor's comms). */
async function waitForStatus(page: Page, id: string, test: (text: string) => boolean, what: string): Promise<string> {
  const end = Date.now() + 30000;
  let text = '';
  while (Date.now() < end) {
    text = await page.evaluate(
      (nodeId) => String((window as unknown as EditorWindow).RED.nodes.node(nodeId)?.status?.text ?? ''),
      id,
    );
    if (test(text)) return text;
    await page.waitForTimeout(250);
  }
  throw new Error(`status of ${id} never ${what}; last: "${text}"`);
}

const packTable = (page: Page): Promise<string[][]> =>
  page.evaluate(() =>
    [...document.querySelectorAll('#cellsafe-packs-list .cellsafe-pack-row')]
      .filter((row) => !row.classList.contains('cellsafe-pack-header'))
      .map((row) => [...row.querySelectorAll('input')].map((input) => input.value)),
  );

/** The input of a packs-table cell, both counted from 0. */
const packCell = (page: Page, row: number, column: number) =>
  page
    .locator('#cellsafe-packs-list .cellsafe-pack-row:not(.cellsafe-pack-header)')
    .nth(row)
    .locator('input')
    .nth(column);

/** Two packs typed into the packs table, row by row, as a user adds them. */
const TWO_PACKS = [
  ['rack-a', '280', '140', '150'],
  ['rack-b', '314', '150', '160'],
];

async function addPacks(page: Page, packs: string[][]): Promise<void> {
  for (const [index, cells] of packs.entries()) {
    await page.locator('.cellsafe-rules-packs .red-ui-editableList-addButton').click();
    for (const [column, value] of cells.entries()) await packCell(page, index, column).fill(value);
  }
}

/** [row, column] of each packs-table cell marked with Node-RED's invalid-field class. */
const markedCells = (page: Page): Promise<number[][]> =>
  page.evaluate(() =>
    [...document.querySelectorAll('#cellsafe-packs-list .cellsafe-pack-row:not(.cellsafe-pack-header)')].flatMap(
      (row, rowIndex) =>
        [...row.querySelectorAll('input')]
          .map((input, column) => (input.classList.contains('input-error') ? [rowIndex, column] : []))
          .filter((cell) => cell.length > 0),
    ),
  );

describe('bms-rules dialog (chromium)', function () {
  this.timeout(180000);
  let nr: NodeRedProcess | undefined;
  let browser: Browser | undefined;
  let debug: DebugListener | undefined;
  let userDir = '';

  before(async function () {
    skipWithoutChromium(this);
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellsafe-bms-rules-dialog-'));
    nr = await startNodeRed({ userDir, dashboard: false, timeoutMs: 60000 });
    debug = await DebugListener.connect(nr.url);
    browser = await launch();
    await browser.page.goto(`${nr.url}/`);
    await browser.page.waitForFunction(
      () =>
        (window as unknown as EditorWindow).RED?.nodes?.getType?.('bms-rules') &&
        document.querySelector('.red-ui-palette-node'),
    );
    browser.takeProblems(nr.url);
  });

  after(async () => {
    debug?.close();
    await browser?.close();
    await nr?.stop();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await browser!.page.evaluate(() => {
      const RED = (window as unknown as EditorWindow).RED;
      RED.workspaces.show(RED.workspaces.add().id);
    });
  });

  afterEach(() => {
    assert.deepEqual(browser!.takeProblems(nr!.url), [], 'no console errors');
  });

  it('every visible label is words, not a code name or JSON, and every field has a tooltip', async () => {
    const page = browser!.page;
    const id = await dragFromPalette(page, 'bms-rules', 200, 100);
    await openDialog(page, id);
    await page.locator('.cellsafe-rules-packs .red-ui-editableList-addButton').click();
    await page.evaluate(() =>
      document.querySelectorAll('.cellsafe-rules-group').forEach((d) => d.setAttribute('open', '')),
    );
    const found = await page.evaluate(() => {
      const tray = document.querySelector('.red-ui-tray-body')!;
      const visible = (el: Element) => (el as HTMLElement).offsetParent !== null;
      const texts = [...tray.querySelectorAll('label, summary, .cellsafe-pack-header span, th, button, a, option')]
        .filter(visible)
        .map((el) =>
          (el.childNodes.length
            ? [...el.childNodes]
                .filter((n) => n.nodeType === 3)
                .map((n) => n.textContent)
                .join('')
            : el.textContent)!.trim(),
        )
        .filter((text) => text !== '');
      const fields = [...tray.querySelectorAll('input, select, textarea')].filter(
        // the editor's own hidden inputs that keep password managers away are not dialog fields
        (el) => visible(el) && (el as HTMLInputElement).type !== 'hidden' && !el.id.startsWith('red-ui-trap-'),
      );
      const untitled = fields
        .filter((el) => !el.getAttribute('title') && !el.closest('.form-row')?.querySelector('label[title]'))
        .map((el) => el.id || el.outerHTML.slice(0, 80));
      const rowsWithoutTooltip = [...tray.querySelectorAll('.form-row')]
        .filter((row) => visible(row) && !row.querySelector('label[title]:not([title=""])'))
        .map((row) => row.getAttribute('data-setting') ?? row.outerHTML.slice(0, 80));
      return { texts, fields: fields.length, untitled, rowsWithoutTooltip };
    });
    await page.screenshot({ path: path.join(screenshots, 'bms-rules-dialog-all-groups.png'), fullPage: true });
    const codeLike = found.texts.filter((text) => CODE_LIKE.test(text));
    assert.deepEqual(codeLike, [], 'labels that read as code');
    assert.deepEqual(found.untitled, [], 'fields without a tooltip');
    assert.deepEqual(found.rowsWithoutTooltip, [], 'rows whose label has no tooltip');
    assert.ok(found.texts.length > 140, `labels checked: ${found.texts.length}`);
    assert.ok(found.fields > 140, `fields checked: ${found.fields}`);
    console.log(`    ${found.texts.length} visible labels and ${found.fields} fields checked`);
    await page.click('#node-dialog-cancel');
  });

  it('a new node set up in the dialog (LiFePO4, 16 cells, two packs in the table) deploys and runs with those packs', async () => {
    const page = browser!.page;
    const id = await dragFromPalette(page, 'bms-rules', 200, 100);
    await openDialog(page, id);
    // the placeholders and bank voltages follow the chosen preset
    await page.selectOption('#cellsafe-rp-chemistry', 'lto');
    assert.equal(await page.getAttribute('#cellsafe-rp-vCellAbsorb', 'placeholder'), '2.55');
    await page.selectOption('#cellsafe-rp-chemistry', 'lifepo4');
    assert.equal(await page.getAttribute('#cellsafe-rp-vCellAbsorb', 'placeholder'), '3.45');
    await page.fill('#cellsafe-rp-cellsSeries', '16');
    await addPacks(page, TWO_PACKS);
    assert.equal(
      await page.locator('.cellsafe-rules-bank[data-bank-for=vCellAbsorb]').textContent(),
      '16 × 3.45 V = 55.2 V',
    );
    await page.screenshot({ path: path.join(screenshots, 'bms-rules-dialog-new-node.png') });
    await closeDialog(page);
    const node = await exportedNode(page, id);
    assert.deepEqual(JSON.parse(String(node.packs)), [
      { id: 'rack-a', capacityAh: 280, maxChargeA: 140, maxDischargeA: 150 },
      { id: 'rack-b', capacityAh: 314, maxChargeA: 150, maxDischargeA: 160 },
    ]);
    const debugId = await watchBank(page, id);
    const since = Date.now();
    await deploy(page);
    const bank = await nextBank(debug!, debugId, since);
    assert.equal(bank.kind, 'bank');
    assert.deepEqual(Object.keys(bank.packStates).sort(), ['rack-a', 'rack-b']);
    assert.ok(Object.values(bank.packStates).every((p) => p.configured));
    assert.equal(bank.capacityAh.installed, 594);
  });

  it("a bad cell in the packs table is marked (input-error) beside the runtime's reason; fixing it clears both", async () => {
    const page = browser!.page;
    const id = await dragFromPalette(page, 'bms-rules', 200, 100);
    await openDialog(page, id);
    await addPacks(page, TWO_PACKS);
    const reasons = page.locator('#cellsafe-rules-reasons');
    // the runtime's reason for the packs (check-config answers after the dialog's 300 ms pause)
    const reasonShown = (pattern: RegExp) =>
      page.waitForFunction(
        (source) => {
          const box = document.querySelector<HTMLElement>('#cellsafe-rules-reasons')!;
          const text = box.offsetParent === null ? '' : box.innerText;
          return new RegExp(source).test(text);
        },
        pattern.source,
        { timeout: 5000 },
      );
    await reasonShown(/^$/);
    assert.deepEqual(await markedCells(page), [], 'valid packs: no cell marked');
    const cases: Array<{ column: number; bad: string; good: string; reason: RegExp }> = [
      { column: 1, bad: 'abc', good: '314', reason: /Pack 2: Capacity \(Ah\) must be a positive number/ },
      { column: 1, bad: '-5', good: '314', reason: /Pack 2: Capacity \(Ah\) must be a positive number/ },
      { column: 2, bad: 'x', good: '150', reason: /Pack 2: Max charge \(A\) must be a positive number/ },
      { column: 0, bad: 'rack-a', good: 'rack-b', reason: /Pack 2: the Pack id "rack-a" is already used by pack 1/ },
      { column: 0, bad: '', good: 'rack-b', reason: /Pack 2: the Pack id must not be empty/ },
    ];
    for (const { column, bad, good, reason } of cases) {
      await packCell(page, 1, column).fill(bad);
      assert.deepEqual(await markedCells(page), [[1, column]], `"${bad}" in row 2, column ${column + 1}`);
      await reasonShown(reason);
      if (bad === 'abc') await page.screenshot({ path: path.join(screenshots, 'bms-rules-dialog-bad-cell.png') });
      await packCell(page, 1, column).fill(good);
      assert.deepEqual(await markedCells(page), [], `"${good}" in row 2, column ${column + 1}`);
      await reasonShown(/^$/);
    }
    assert.equal(await reasons.isVisible(), false, 'no reason left once fixed');
    await page.click('#node-dialog-cancel');
    // a closing tray still holds inputs with the same ids as the next dialog's
    await page.waitForFunction(() => !document.querySelector('.red-ui-tray'));
  });

  it('a flow saved with the JSON packs text shows its packs in the table and deploys unchanged', async () => {
    const page = browser!.page;
    const id = await page.evaluate(
      ({ packs, rules }) => {
        const RED = (window as unknown as EditorWindow).RED;
        const nodeId = RED.nodes.id();
        RED.view.importNodes(
          [
            {
              id: nodeId,
              type: 'bms-rules',
              z: RED.workspaces.active(),
              x: 200,
              y: 100,
              name: 'saved',
              bankName: 'house',
              packs,
              rules,
              telemetry: false,
              topicPrefix: 'cellsafe',
              discoveryPrefix: 'homeassistant',
              wires: [[], [], [], [], [], []],
            },
          ],
          { generateIds: false },
        );
        return nodeId;
      },
      { packs: SAVED_PACKS, rules: SAVED_RULES },
    );
    await openDialog(page, id);
    assert.deepEqual(await packTable(page), [
      ['house-1', '280', '140', '150'],
      ['house-2', '100', '50', '50'],
    ]);
    const temperature = await page.$eval(
      '#cellsafe-rp-batteryTemperature',
      (select) => (select as HTMLSelectElement).selectedOptions[0].textContent,
    );
    assert.equal(temperature, 'Pack house-2, sensor 1');
    assert.match(
      (await page.locator('.cellsafe-rules-group[data-group=voltages] .cellsafe-rules-changed').textContent()) ?? '',
      /1 changed/,
      'a saved advanced value marks its group',
    );
    await page.screenshot({ path: path.join(screenshots, 'bms-rules-dialog-saved-flow.png') });
    await closeDialog(page);
    const node = await exportedNode(page, id);
    assert.equal(node.packs, SAVED_PACKS, 'packs text kept byte for byte');
    assert.equal(node.rules, SAVED_RULES, 'rules text kept byte for byte');
    const debugId = await watchBank(page, id);
    const since = Date.now();
    await deploy(page);
    const bank = await nextBank(debug!, debugId, since);
    assert.deepEqual(Object.keys(bank.packStates).sort(), ['house-1', 'house-2']);
    assert.equal(bank.capacityAh.installed, 380);
    const flows = (await (
      await fetch(`${nr!.url}/flows`, { headers: { 'Node-RED-API-Version': 'v1' } })
    ).json()) as Array<Record<string, unknown>>;
    const deployed = flows.find((n) => n.id === id)!;
    assert.equal(deployed.packs, SAVED_PACKS);
    assert.equal(deployed.rules, SAVED_RULES);
  });

  it('a high cut below absorb shows the reason in the dialog; the deployed node refuses it with the same words', async () => {
    const page = browser!.page;
    const id = await dragFromPalette(page, 'bms-rules', 200, 100);
    await openDialog(page, id);
    await page.locator('.cellsafe-rules-group[data-group=voltages] summary').click();
    await page.fill('#cellsafe-rp-cellHighCut', '3.40');
    const reasons = page.locator('#cellsafe-rules-reasons');
    await reasons.waitFor({ state: 'visible', timeout: 5000 });
    const shown = (await reasons.innerText()).trim();
    assert.match(shown, /Cell high cut \(V per cell\)/);
    assert.match(
      (await page.locator('.cellsafe-rules-group[data-group=voltages] .cellsafe-rules-changed').textContent()) ?? '',
      /1 changed/,
    );
    await page.screenshot({ path: path.join(screenshots, 'bms-rules-dialog-invalid-order.png') });
    await closeDialog(page);
    await deploy(page);
    const lines = shown.split('\n').map((line) => line.trim());
    const refused = () => lines.every((line) => nr!.output().includes(line));
    const end = Date.now() + 10000;
    while (!refused() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    const log =
      nr!
        .output()
        .split('\n')
        .find((line) => line.includes(lines[0])) ?? '';
    assert.ok(refused(), `the runtime refuses with the dialog's words: ${JSON.stringify(lines)}; log: ${log}`);
  });

  it('with the quick start deployed, "Add packs seen" lists its simulated packs with capacity; adding them ends the unconfigured status', async () => {
    const page = browser!.page;
    const id = 'qs_rules';
    await page.evaluate((nodeId) => {
      const RED = (window as unknown as EditorWindow).RED;
      RED.workspaces.show(RED.nodes.node(nodeId).z);
    }, id);
    await openDialog(page, id);
    const remove = page.locator('#cellsafe-packs-list .red-ui-editableList-item-remove');
    for (let left = await remove.count(); left > 0; left--) {
      await remove.first().click();
      await page.waitForFunction(
        (n) => document.querySelectorAll('#cellsafe-packs-list .red-ui-editableList-item-remove').length < n,
        left,
      );
    }
    await closeDialog(page);
    await deploy(page);
    const unconfigured = await waitForStatus(
      page,
      id,
      (text) => /3 unconfigured packs/.test(text),
      'named the unconfigured packs',
    );

    await openDialog(page, id);
    await page.click('#cellsafe-packs-seen-button');
    const seen = page.locator('.cellsafe-seen-table tr:has(td)');
    await seen.nth(2).waitFor({ state: 'visible' });
    const rows = await seen.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent)),
    );
    assert.deepEqual(
      rows.map((row) => row[0]),
      ['jk-1', 'jk-2', 'jk-3'],
    );
    for (const row of rows) assert.ok(Number(row[3]) > 0, `capacity listed for ${row[0]}: ${JSON.stringify(row)}`);
    await page.screenshot({ path: path.join(screenshots, 'bms-rules-dialog-packs-seen.png') });
    for (const box of await page.locator('.cellsafe-seen-pick').all()) await box.check();
    await page.click('#cellsafe-seen-add');
    const table = await packTable(page);
    assert.deepEqual(
      table.map((row) => [row[0], row[1]]),
      rows.map((row) => [row[0], row[3]]),
      'added with the capacity seen',
    );
    assert.ok(
      table.every((row) => row[2] === '' && row[3] === ''),
      'currents left to the BMS settings',
    );
    const sensors = await page.locator('#cellsafe-rp-batteryTemperature option').allTextContents();
    assert.ok(sensors.includes('Pack jk-3, sensor 1'), `battery temperature choices: ${sensors.join(', ')}`);
    await closeDialog(page);
    await deploy(page);
    const after = await waitForStatus(
      page,
      id,
      (text) => text !== '' && !/unconfigured/.test(text),
      'lost "unconfigured"',
    );
    console.log(`    status before: "${unconfigured}"; after adding the packs seen: "${after}"`);
  });

  it('an empty capacity or current cell shows the value the node will use: from the BMS settings of a pack seen, else the default', async () => {
    const page = browser!.page;
    const id = 'qs_rules';
    // the quick start's simulated JK PB packs report their settings once their BMS node has read them
    let jk1: SeenPack | undefined;
    const end = Date.now() + 30000;
    while (!jk1?.settingsCapacityAh && Date.now() < end) {
      const seen = (await (await fetch(`${nr!.url}/bms-rules/${id}/packs-seen`)).json()) as SeenPack[];
      jk1 = seen.find((pack) => pack.id === 'jk-1');
      if (!jk1?.settingsCapacityAh) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(jk1?.settingsCapacityAh && jk1.maxChargeA && jk1.maxDischargeA, `jk-1 seen: ${JSON.stringify(jk1)}`);
    await page.evaluate((nodeId) => {
      const RED = (window as unknown as EditorWindow).RED;
      RED.workspaces.show(RED.nodes.node(nodeId).z);
    }, id);
    await openDialog(page, id);
    const rows = page.locator('#cellsafe-packs-list .cellsafe-pack-row:not(.cellsafe-pack-header)');
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector('input')!.value));
    const row = rows.nth(ids.indexOf('jk-1'));
    const cell = (column: string) => row.locator(`[data-column=${column}]`);
    await cell('capacityAh').fill('');
    await cell('maxDischargeA').fill('');
    // the dialog asks for the packs seen when it opens: wait for that answer
    const fromBms = `${jk1.settingsCapacityAh} (from BMS)`;
    await page
      .waitForFunction(
        ({ index, want }) => {
          const shown = document.querySelectorAll('#cellsafe-packs-list .cellsafe-pack-row:not(.cellsafe-pack-header)');
          return shown[index]?.querySelector('[data-column=capacityAh]')?.getAttribute('placeholder') === want;
        },
        { index: ids.indexOf('jk-1'), want: fromBms },
        { timeout: 10000 },
      )
      .catch(() => undefined);
    assert.equal(await cell('capacityAh').getAttribute('placeholder'), fromBms);
    assert.match((await cell('capacityAh').getAttribute('title')) ?? '', /from the BMS settings of jk-1/);
    assert.equal(await cell('maxDischargeA').getAttribute('placeholder'), `${jk1.maxDischargeA} (from BMS)`);
    // a pack not seen falls back to the unconfigured-pack value
    await page.locator('.cellsafe-rules-packs .red-ui-editableList-addButton').click();
    const spare = rows.last();
    await spare.locator('[data-column=id]').fill('spare-9');
    assert.equal(await spare.locator('[data-column=capacityAh]').getAttribute('placeholder'), '100 (default)');
    assert.equal(await spare.locator('[data-column=maxChargeA]').getAttribute('placeholder'), '50 (default)');
    await page.screenshot({ path: path.join(screenshots, 'bms-rules-dialog-pack-sources.png') });
    // a typed value wins and shows no source
    await cell('capacityAh').fill('300');
    assert.equal(await cell('capacityAh').getAttribute('placeholder'), '');
    assert.equal(await cell('capacityAh').getAttribute('title'), 'Capacity (Ah)');
    await page.click('#node-dialog-cancel');
  });
});
