/**
 * The demo's dashboard page (npm start with @flowfuse/node-red-dashboard installed into its user
 * directory) in Debian chromium: the charts plot live series and the texts show bank values.
 * Screenshot in test-output/browser/dashboard.png.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { dashboardUserDir, startNodeRed, type NodeRedProcess } from '../helpers/node-red-process';
import { launch, screenshots, skipWithoutChromium, type Browser } from './browser';

describe('demo dashboard in chromium', function () {
  this.timeout(240000);
  let nr: NodeRedProcess | undefined;
  let browser: Browser | undefined;

  before(async function () {
    skipWithoutChromium(this);
    nr = await startNodeRed({ userDir: dashboardUserDir, dashboard: true, timeoutMs: 150000 });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await nr?.stop();
  });

  it('shows live data on the demo dashboard: every chart plots series, the texts show bank values', async () => {
    assert.ok(nr!.dashboardUrl, 'start.js announced a dashboard URL');
    const page = browser!.page;
    await page.goto(nr!.dashboardUrl!);
    const charts = page.locator('canvas');
    await charts.first().waitFor({ state: 'visible', timeout: 20000 });
    // A chart shows data when its plot area (below the legend) has pixels in a series colour.
    const seriesColours = ['#0095FF', '#FF0000', '#FF7F0E'].map((h) =>
      [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)),
    );
    const plotted = () =>
      page.evaluate(
        (colours) =>
          [...document.querySelectorAll('canvas')].map((c) => {
            const ctx = c.getContext('2d');
            if (!ctx || !c.width || !c.height) return 0;
            const top = Math.floor(c.height * 0.25);
            const px = ctx.getImageData(0, top, c.width, c.height - top).data;
            let n = 0;
            for (let i = 0; i < px.length; i += 4) {
              if (
                colours.some(
                  ([r, g, b]) =>
                    Math.abs(px[i] - r) < 24 && Math.abs(px[i + 1] - g) < 24 && Math.abs(px[i + 2] - b) < 24,
                )
              )
                n++;
            }
            return n;
          }),
        seriesColours,
      );
    let counts: number[] = [];
    const end = Date.now() + 30000;
    while (Date.now() < end) {
      counts = await plotted();
      if (counts.length >= 2 && counts.every((n) => n > 150)) break;
      await page.waitForTimeout(500);
    }
    await page.screenshot({ path: path.join(screenshots, 'dashboard.png'), fullPage: true });
    assert.ok(counts.length >= 2 && counts.every((n) => n > 150), `series pixels per chart: ${counts.join(', ')}`);
    const texts = await page.locator('.nrdb-ui-text').allInnerTexts();
    assert.ok(
      texts.some((t) => /\d+\.\d\d V · \w+/.test(t)),
      `CVL and charge state shown: ${JSON.stringify(texts)}`,
    );
    assert.ok(
      texts.some((t) => /charge (ON|off)/.test(t)),
      `relay states shown: ${JSON.stringify(texts)}`,
    );
    const problems = browser!.takeProblems(nr!.url);
    assert.deepEqual(problems, [], 'dashboard console errors');
    console.log(`    dashboard ${nr!.dashboardUrl}: series pixels per chart ${counts.join(', ')}`);
  });
});
