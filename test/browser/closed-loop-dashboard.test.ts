/**
 * `CELLSAFE_SPEED=600 npm start`: the living demo in Debian chromium. Within 2 minutes (20 simulated
 * hours) the charge state in the dashboard's "CVL · charge state · mode" line must change at least once
 * (the simulated inverter fills the bank, bms-rules ends bulk) and the SoC must move. Screenshot in
 * test-output/browser/closed-loop-dashboard.png.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { dashboardUserDir, startNodeRed, type NodeRedProcess } from '../helpers/node-red-process';
import { launch, screenshots, skipWithoutChromium, type Browser } from './browser';

const STATE_LINE = /(\d+\.\d\d) V · ([\w-]+) · (\w+)/;

describe('living demo at x600 in chromium', function () {
  this.timeout(240_000);
  let nr: NodeRedProcess | undefined;
  let browser: Browser | undefined;
  const speedBefore = process.env.CELLSAFE_SPEED;

  before(async function () {
    skipWithoutChromium(this);
    process.env.CELLSAFE_SPEED = '600';
    nr = await startNodeRed({ userDir: dashboardUserDir, dashboard: true, timeoutMs: 150_000 });
    browser = await launch();
  });

  after(async () => {
    if (speedBefore === undefined) delete process.env.CELLSAFE_SPEED;
    else process.env.CELLSAFE_SPEED = speedBefore;
    await browser?.close();
    await nr?.stop();
  });

  it('within 2 minutes the charge state changes and the SoC moves', async () => {
    assert.match(nr!.output(), /simulation x600/);
    const page = browser!.page;
    const started = Date.now();
    await page.goto(nr!.dashboardUrl!);
    await page.locator('.nrdb-ui-text').first().waitFor({ state: 'visible', timeout: 20_000 });
    const lines: string[] = [];
    const chargeStates = new Set<string>();
    const socs = new Set<string>();
    while (Date.now() - started < 120_000) {
      const texts = await page.locator('.nrdb-ui-text').allInnerTexts();
      const line = texts.map((t) => t.match(STATE_LINE)?.[0]).find(Boolean);
      if (line && line !== lines.at(-1)) lines.push(line);
      // INIT → BULK right after the start does not count: the change must come from the bank filling.
      const chargeState = line?.match(STATE_LINE)![2];
      if (chargeState && chargeState !== 'init') chargeStates.add(chargeState);
      socs.add(await page.locator('.nrdb-ui-gauge').first().innerText());
      if (chargeStates.size >= 2 && socs.size >= 3) break;
      await page.waitForTimeout(1000);
    }
    await page.screenshot({ path: path.join(screenshots, 'closed-loop-dashboard.png'), fullPage: true });
    console.log(
      `    after ${((Date.now() - started) / 1000).toFixed(0)} s: state lines ${lines.join(' | ')}; ` +
        `charge states ${[...chargeStates].join(', ')}; ${socs.size} SoC readings`,
    );
    assert.ok(chargeStates.size >= 2, `the charge state changed: ${JSON.stringify(lines)}`);
    assert.ok(socs.size >= 2, `the SoC moved: ${JSON.stringify([...socs])}`);
    // The dashboard's chart bundle logs SVG size warnings while a chart is laid out; they are not ours.
    const problems = browser!
      .takeProblems(nr!.url)
      .filter((p) => !/<rect> attribute \w+: A negative value/.test(p.text));
    assert.deepEqual(problems, [], 'dashboard console errors');
  });
});
