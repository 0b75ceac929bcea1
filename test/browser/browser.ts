/**
 * Debian's chromium driven by playwright-core (no browser download), headless, with a fresh
 * profile per run; console errors and page errors are collected for the tests to assert on.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { strict as assert } from 'node:assert';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/fixtures';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumAvailable = (): boolean => fs.existsSync(CHROMIUM);
export const screenshots = path.join(REPO_ROOT, 'test-output/browser');

export interface ConsoleProblem {
  kind: 'console' | 'pageerror';
  text: string;
  url?: string;
}

/** Skips the calling suite, saying why, when Debian's chromium is not installed. */
export function skipWithoutChromium(ctx: Mocha.Context): void {
  if (chromiumAvailable()) return;
  console.log(
    `    browser tests skipped: no chromium at ${CHROMIUM} (Debian: apt-get install chromium; .ci/run installs it)`,
  );
  ctx.skip();
}

export interface Browser {
  page: Page;
  /**
   * Console errors and uncaught page errors since the last call, then forgets them. Failed loads
   * from other origins (the editor's online palette catalogue, without a network) are not ours.
   */
  takeProblems(ownUrl: string): ConsoleProblem[];
  close(): Promise<void>;
}

export async function launch(): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cellsafe-chromium-'));
  fs.mkdirSync(screenshots, { recursive: true });
  // The fresh profile directory is chromium's --user-data-dir.
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // tsx compiles the functions passed to page.evaluate with esbuild's keepNames, which calls a
  // `__name` helper that only exists in Node: give the page a no-op one.
  await context.addInitScript({ content: 'window.__name = (f) => f;' });
  const page = context.pages()[0] ?? (await context.newPage());
  let problems: ConsoleProblem[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push({ kind: 'console', text: m.text(), url: m.location().url });
  });
  page.on('pageerror', (e) => {
    problems.push({ kind: 'pageerror', text: `${e.message}\n${e.stack ?? ''}` });
  });
  return {
    page,
    takeProblems(ownUrl) {
      const p = problems.filter((x) => x.kind === 'pageerror' || !x.url || x.url.startsWith(ownUrl));
      problems = [];
      return p;
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Drags a palette entry onto the workspace like a user does; returns the new node's id. */
export async function dragFromPalette(page: Page, type: string, x: number, y: number): Promise<string> {
  const search = page.locator('#red-ui-palette-search input');
  await search.fill('');
  await search.pressSequentially(type);
  const entry = page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
  await entry.waitFor({ state: 'visible' });
  await entry.scrollIntoViewIfNeeded();
  // The filter re-lays the palette out: wait until the entry stops moving.
  let from = (await entry.boundingBox())!;
  for (let i = 0; i < 20; i++) {
    await page.waitForTimeout(100);
    const now = (await entry.boundingBox())!;
    if (now.x === from.x && now.y === from.y) break;
    from = now;
  }
  const chart = (await page.locator('#red-ui-workspace-chart').boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) {
    await page.mouse.move(from.x + ((chart.x + x - from.x) * i) / 10, from.y + ((chart.y + y - from.y) * i) / 10);
  }
  await page.mouse.up();
  await search.fill('');
  const id = await page.evaluate((t) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const RED = (window as any).RED;
    const found = RED.nodes.filterNodes({ type: t, z: RED.workspaces.active() });
    return found.length ? found[found.length - 1].id : '';
  }, type);
  assert.ok(id, `${type}: dropping it from the palette added a node`);
  return id;
}

/** Done, and wait for the tray to go (a closing tray still holds inputs with the same ids). */
export async function closeDialog(page: Page): Promise<void> {
  await page.click('#node-dialog-ok');
  await page.waitForFunction(() => !document.querySelector('.red-ui-tray'));
}

/** What a deploy would send for the node. */
export const exportedNode = (page: Page, id: string): Promise<Record<string, unknown>> =>
  page.evaluate((nodeId) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const RED = (window as any).RED;
    return RED.nodes.convertNode(RED.nodes.node(nodeId));
  }, id);
