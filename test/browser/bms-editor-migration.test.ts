/**
 * BMS nodes saved with earlier setting names in the real Node-RED editor (Debian chromium): imported
 * as a flow, their edit dialogs show the saved values under today's names, Done saves today's names,
 * and a node never opened keeps its earlier names through an export (what a deploy sends).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { startNodeRed, type NodeRedProcess } from '../helpers/node-red-process';
import { closeDialog, exportedNode, launch, skipWithoutChromium, type Browser } from './browser';

// The editor's globals as the page functions use them: its API, typed loosely on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
type EditorWindow = { RED: Loose; $: Loose };

const BUS = { id: 'mig_bus', type: 'bms-serial-bus', portType: 'simulator', simProtocol: 'jk-pb', simAddresses: '1' };
/** As the earlier editor saved them (smartbms as in example 04, jk in its listen-only protocol). */
const SMARTBMS = { id: 'mig_sb', type: 'smartbms', name: 'house', bus: 'mig_bus', packId: 'pack-A', dataTimeout: 30 };
const JK_LISTEN = {
  id: 'mig_jk',
  type: 'jk-bms',
  name: '',
  bus: 'mig_bus',
  protocol: 'pb-listen',
  method: 'fc03',
  addresses: '0-15',
  interval: 5,
  staleAfter: '',
  idPrefix: 'bank',
  invertCurrent: false,
  allowWrites: false,
};

/** Opens the node's edit dialog; returns the form's values of `fields`. */
async function openDialog(page: Page, id: string, fields: string[]): Promise<Record<string, unknown>> {
  await page.evaluate((nodeId) => {
    const RED = (window as unknown as EditorWindow).RED;
    RED.editor.edit(RED.nodes.node(nodeId));
  }, id);
  await page.locator('.red-ui-tray .red-ui-tray-body .form-row').first().waitFor({ state: 'visible' });
  await page.waitForTimeout(300);
  return page.evaluate((names) => {
    const $ = (window as unknown as EditorWindow).$;
    return Object.fromEntries(names.map((f) => [f, $(`#node-input-${f}`).val()]));
  }, fields);
}

describe('BMS editor forms read flows saved with earlier setting names (chromium)', function () {
  this.timeout(180000);
  let nr: NodeRedProcess | undefined;
  let browser: Browser | undefined;
  let userDir = '';

  before(async function () {
    skipWithoutChromium(this);
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellsafe-bms-migration-'));
    nr = await startNodeRed({ userDir, dashboard: false, timeoutMs: 60000 });
    browser = await launch();
    await browser.page.goto(`${nr.url}/`);
    await browser.page.waitForFunction(() => (window as unknown as EditorWindow).RED?.nodes?.getType?.('smartbms'));
    await browser.page.evaluate(
      (nodes) => {
        const RED = (window as unknown as EditorWindow).RED;
        const z = RED.workspaces.active();
        RED.view.importNodes(
          nodes.map((n) => (n.type === 'bms-serial-bus' ? n : { ...n, z, x: 200, y: 100, wires: [[], []] })),
          { generateIds: false },
        );
      },
      [BUS, SMARTBMS, JK_LISTEN],
    );
  });

  after(async () => {
    await browser?.close();
    await nr?.stop();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('a node never opened keeps its earlier names through an export', async () => {
    const node = await exportedNode(browser!.page, SMARTBMS.id);
    assert.equal(node.packId, 'pack-A');
    assert.equal(node.dataTimeout, 30);
    assert.equal(node.idPrefix, undefined);
  });

  it('smartbms: packId and dataTimeout show as Pack id and Lost after; Done saves idPrefix and staleAfter', async () => {
    const page = browser!.page;
    assert.deepEqual(await openDialog(page, SMARTBMS.id, ['idPrefix', 'staleAfter']), {
      idPrefix: 'pack-A',
      staleAfter: '30',
    });
    await closeDialog(page);
    const node = await exportedNode(page, SMARTBMS.id);
    assert.equal(node.idPrefix, 'pack-A');
    assert.equal(String(node.staleAfter), '30');
  });

  it('jk-bms: protocol pb-listen shows as JK PB in mode listen, its blank lost-after as the 15 s it meant', async () => {
    const page = browser!.page;
    assert.deepEqual(await openDialog(page, JK_LISTEN.id, ['protocol', 'mode', 'staleAfter', 'idPrefix']), {
      protocol: 'pb',
      mode: 'listen',
      staleAfter: '15',
      idPrefix: 'bank',
    });
    assert.ok(await page.locator('#node-input-staleAfter').isVisible(), 'lost-after shown in listen mode');
    assert.ok(!(await page.locator('#node-input-allowWrites').isVisible()), 'no writes in listen mode');
    await closeDialog(page);
    const node = await exportedNode(page, JK_LISTEN.id);
    assert.deepEqual([node.protocol, node.mode, String(node.staleAfter)], ['pb', 'listen', '15']);
    assert.deepEqual(browser!.takeProblems(nr!.url), [], 'no console errors');
  });
});
