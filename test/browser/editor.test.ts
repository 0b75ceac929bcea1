/**
 * Every node type of the package in the real Node-RED editor (Debian chromium): dragged from the
 * palette onto a workspace, its edit dialog opened (config nodes through the node that uses
 * them), no console errors, every field label and the help render, and a bad value is marked by
 * the editor's validation.
 * Screenshots go to test-output/browser/ for review.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { startNodeRed, type NodeRedProcess } from '../helpers/node-red-process';
import { dragFromPalette, launch, screenshots, skipWithoutChromium, type Browser } from './browser';

const MODULE = '@cellsafe/node-red-bms';

// The editor's globals as the page functions use them: its API, typed loosely on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
interface EditorWindow {
  RED: Loose;
  $: Loose;
}

interface TypeInfo {
  type: string;
  config: boolean;
  users: Array<{ type: string; prop: string }>;
}

/**
 * Checks the open edit tray: labels translated, at least one field, and for each validated text
 * field a value its own validator rejects gets the editor's error mark. Returns the field marked.
 */
async function checkTray(page: Page, prefix: 'node-input' | 'node-config-input', type: string): Promise<string> {
  const tray = page.locator('.red-ui-tray').last();
  await tray.locator('.red-ui-tray-body .form-row').first().waitFor({ state: 'visible' });
  await page.waitForTimeout(300); // oneditprepare may fill selects from admin endpoints
  // a dialog's collapsed groups (bms-rules advanced settings) are opened, as a user would to reach them
  await tray.evaluate((el) => el.querySelectorAll('details').forEach((group) => group.setAttribute('open', '')));
  const raw = await tray.evaluate((el) =>
    [...el.querySelectorAll('[data-i18n]')]
      .filter((e) => (e as HTMLElement).offsetParent !== null && !e.getAttribute('data-i18n')!.startsWith('['))
      .map((e) => ({ key: e.getAttribute('data-i18n')!, text: (e.textContent ?? '').trim() }))
      .filter((e) => !e.text || e.text === e.key || /^[\w-]+\.[\w.-]+$/.test(e.text)),
  );
  assert.deepEqual(raw, [], `${type}: untranslated labels`);
  const fields = await tray.locator(`[id^="${prefix}-"]`).count();
  assert.ok(fields > 0, `${type}: no fields`);

  const marked = await page.evaluate(
    async ({ prefix, t }) => {
      const RED = (window as unknown as EditorWindow).RED;
      const $ = (window as unknown as EditorWindow).$;
      const defaults = RED.nodes.getType(t).defaults as Record<
        string,
        { validate?: (v: unknown, o?: unknown) => unknown }
      >;
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      async function tryFields(): Promise<string> {
        for (const [key, def] of Object.entries(defaults)) {
          const input = $(`#${prefix}-${key}`);
          if (!def.validate || !input.is('input[type=text], input:not([type])') || !input.is(':visible')) continue;
          const before = input.val();
          for (const bad of ['abc', '-1', '', '99999999', '1-', '0']) {
            input.val(bad).trigger('change').trigger('keyup');
            await sleep(20);
            if (input.hasClass('input-error')) {
              input.val(before).trigger('change');
              return `${key}=${JSON.stringify(bad)}`;
            }
          }
          input.val(before).trigger('change');
        }
        return '';
      }
      const found = await tryFields();
      if (found) return found;
      // Fields that only show for another mode (e.g. a serial port for an slcan adapter).
      for (const el of $(`.red-ui-tray:last select[id^="${prefix}-"]:visible`).toArray()) {
        const sel = $(el);
        const before = sel.val();
        for (const opt of sel.find('option').toArray()) {
          sel.val($(opt).val()).trigger('change');
          await sleep(50);
          const f = await tryFields();
          if (f) {
            sel.val(before).trigger('change');
            return `${f} (${el.id}=${$(opt).val()})`;
          }
        }
        sel.val(before).trigger('change');
      }
      return '';
    },
    { prefix, t: type },
  );
  assert.ok(marked, `${type}: no text field whose bad value the editor marks`);
  return marked;
}

const trayClosed = (page: Page) => page.waitForFunction(() => !document.querySelector('.red-ui-tray'));

async function checkHelp(page: Page, type: string): Promise<void> {
  await page.evaluate((t) => {
    const RED = (window as unknown as EditorWindow).RED;
    RED.sidebar.show('help');
    RED.sidebar.help.show(t);
  }, type);
  const help = page.locator('.red-ui-panel > .red-ui-help').filter({ visible: true }).first();
  await help.waitFor({ state: 'visible' });
  const text = await help.innerText();
  assert.match(text, /Details/, `${type}: help has a Details section`);
  assert.ok(text.length > 200, `${type}: help text renders (${text.length} chars)`);
  assert.doesNotMatch(text, /<script|data-help-name/, `${type}: help is rendered, not raw`);
}

describe('editor panels in chromium', function () {
  this.timeout(240000);
  let nr: NodeRedProcess | undefined;
  let browser: Browser | undefined;
  let types: TypeInfo[] = [];
  let userDir = '';

  before(async function () {
    skipWithoutChromium(this);
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellsafe-editor-'));
    nr = await startNodeRed({ userDir, dashboard: false, timeoutMs: 60000 });
    browser = await launch();
    await browser.page.goto(`${nr.url}/`);
    await browser.page.waitForFunction(
      () =>
        (window as unknown as EditorWindow).RED?.nodes?.getType?.('bms-serial-bus') &&
        document.querySelector('.red-ui-palette-node'),
    );
    types = await browser.page.evaluate((mod) => {
      const RED = (window as unknown as EditorWindow).RED;
      const all: string[] = RED.nodes.registry
        .getNodeList()
        .filter((s: { module: string }) => s.module === mod)
        .flatMap((s: { types: string[] }) => s.types);
      const defs = Object.fromEntries(all.map((t) => [t, RED.nodes.getType(t)]));
      return all.map((t) => ({
        type: t,
        config: defs[t].category === 'config',
        users: all
          .filter((u) => defs[u].category !== 'config')
          .flatMap((u) =>
            Object.entries(defs[u].defaults as Record<string, { type?: string }>)
              .filter(([, d]) => d.type === t)
              .map(([prop]) => ({ type: u, prop })),
          ),
      }));
    }, MODULE);
    assert.ok(
      types.some((t) => t.type === 'bms-serial-bus'),
      'package types in the editor',
    );
    browser.takeProblems(nr.url);
  });

  after(async () => {
    await browser?.close();
    await nr?.stop();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('opens the edit dialog of every node type without console errors, with fields, help and validation', async () => {
    const page = browser!.page;
    await page.evaluate(() => {
      const RED = (window as unknown as EditorWindow).RED;
      RED.workspaces.show(RED.workspaces.add().id);
    });
    const report: string[] = [];
    let n = 0;
    for (const info of types.filter((t) => !t.config)) {
      const id = await dragFromPalette(page, info.type, 150 + 160 * (n % 4), 80 + 60 * Math.floor(n / 4));
      n++;
      await page.evaluate((nodeId) => {
        const RED = (window as unknown as EditorWindow).RED;
        RED.editor.edit(RED.nodes.node(nodeId));
      }, id);
      const field = await checkTray(page, 'node-input', info.type);
      await checkHelp(page, info.type);
      await page.screenshot({ path: path.join(screenshots, `edit-${info.type}.png`) });
      await page.click('#node-dialog-cancel');
      await trayClosed(page);
      report.push(`${info.type}: ${field}`);
      const problems = browser!.takeProblems(nr!.url);
      assert.deepEqual(problems, [], `${info.type}: console errors`);
    }
    for (const info of types.filter((t) => t.config)) {
      const user = info.users[0];
      assert.ok(user, `${info.type}: some node type uses this config node`);
      const id = await page.evaluate((t) => {
        const RED = (window as unknown as EditorWindow).RED;
        return RED.nodes.filterNodes({ type: t, z: RED.workspaces.active() })[0].id;
      }, user.type);
      await page.evaluate((nodeId) => {
        const RED = (window as unknown as EditorWindow).RED;
        RED.editor.edit(RED.nodes.node(nodeId));
      }, id);
      await page.locator(`#node-input-btn-${user.prop}-add`).click();
      const field = await checkTray(page, 'node-config-input', info.type);
      await checkHelp(page, info.type);
      await page.screenshot({ path: path.join(screenshots, `edit-${info.type}.png`) });
      await page.click('#node-config-dialog-cancel');
      await page.click('#node-dialog-cancel');
      await trayClosed(page);
      report.push(`${info.type} (config, via ${user.type}): ${field}`);
      const problems = browser!.takeProblems(nr!.url);
      assert.deepEqual(problems, [], `${info.type}: console errors`);
    }
    await page.screenshot({ path: path.join(screenshots, 'workspace.png') });
    console.log(`    checked ${report.length} types, field marked invalid per type: ${report.join('; ')}`);
  });
});
