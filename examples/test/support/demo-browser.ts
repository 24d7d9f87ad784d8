// The demo in headless chromium, for the walk-through tests: skipped (visibly) without chromium, the demo started,
// one browser context, and everything closed afterwards whatever happens. Screenshots go to test-output/demo/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../../../test/support/chromium.ts';
import { startDemo, type DemoHarness } from './demo-harness.ts';

const SHOTS = join(import.meta.dirname, '..', '..', '..', 'test-output', 'demo');

/** A full-page screenshot of `page` as test-output/demo/NAME.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Runs `walk` against a started demo in a fresh chromium page; `what` names the walk-through in the skip message. */
export async function inDemoBrowser(
  t: TestContext, what: string, demoOptions: Parameters<typeof startDemo>[0],
  walk: (demo: DemoHarness, page: Page, context: BrowserContext) => Promise<void>,
): Promise<void> {
  const missing = chromiumMissing(what);
  if (missing) {
    t.skip(missing);
    return;
  }
  const demo = await startDemo(demoOptions);
  try {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
      await walk(demo, await context.newPage(), context);
    } finally {
      await browser.close();
    }
  } finally {
    await demo.close();
  }
}
