// An app may answer a request with a page that navigates on by itself: the client kit answers its callback with a
// 200 page carrying `<meta http-equiv="refresh" content="0;url=...">` (HTML Standard §7.11.1 declarative refresh), so
// that the next request is same-site and carries its SameSite=Strict cookie. Browsers start that navigation only
// after the page's load event, on a timer: on a loaded machine it can come late, after the audit has moved on. The
// audit therefore waits for such a navigation explicitly instead of guessing how long it takes.
import type { Page } from 'playwright-core';

/** How long a navigation, or a page's announced refresh, may take before the audit gives up on it. */
export const NAVIGATION_TIMEOUT_MS = 60_000;
/** A page that refreshes to another that refreshes again: at most this many hops are followed. */
const MAX_HOPS = 5;

type Refresh = { delaySeconds: number } | 'none' | 'navigating';

/** The refresh the loaded document announces, read from the DOM; 'navigating' when the document is being replaced. */
async function announcedRefresh(page: Page): Promise<Refresh> {
  try {
    const content = await page.evaluate(() => document.querySelector('meta[http-equiv="refresh" i]')?.getAttribute('content') ?? null);
    if (content === null) return 'none';
    const delay = Number.parseFloat(content);
    return { delaySeconds: Number.isFinite(delay) && delay > 0 ? delay : 0 };
  } catch {
    // The execution context went away under the evaluation: a navigation is committing.
    return 'navigating';
  }
}

/**
 * Waits until `page` has loaded and no longer announces a refresh: while the document carries a meta refresh (or is
 * being replaced), waits for the browser to leave its URL and for the next document's load event, with generous
 * timeouts and no fixed sleeps. Returns the URL of each hop and, when the page never moved on, where and why (URLs unredacted: the caller redacts).
 */
export async function followMetaRefreshes(page: Page): Promise<{ hops: string[]; stuckAt?: string; stuck?: string }> {
  const hops: string[] = [];
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    await page.waitForLoadState('load', { timeout: NAVIGATION_TIMEOUT_MS }).catch(() => {});
    const from = page.url();
    const refresh = await announcedRefresh(page);
    if (refresh === 'none') return { hops };
    const timeout = (refresh === 'navigating' ? 0 : refresh.delaySeconds * 1000) + NAVIGATION_TIMEOUT_MS;
    try {
      await page.waitForURL((url) => url.href !== from, { waitUntil: 'load', timeout });
    } catch {
      return { hops, stuckAt: from, stuck: `announces a refresh, but the browser had not left it after ${Math.round(timeout / 1000)} s` };
    }
    hops.push(page.url());
  }
  return { hops, stuckAt: page.url(), stuck: `still announces a refresh after ${MAX_HOPS} hops` };
}
