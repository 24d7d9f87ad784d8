// Tokens stay out of the browser (draft-ietf-oauth-browser-based-apps §6.1, the backend-for-frontend pattern; RFC 9700
// §4.3 on leaks through the browser): after a login, no issued token may appear in a cookie, in localStorage or
// sessionStorage, in the page's HTML, or in a URL the browser visited after the callback; no cookie may hold a JWT.
import type { BrowserContext, Page } from 'playwright-core';

const JWT_LIKE = /eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/;

export interface ExposureFinding {
  where: string;
  what: string;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Where issued tokens (never the one-time code, which legitimately travels in the callback URL) show up. */
export async function findTokenExposure(context: BrowserContext, page: Page, tokens: readonly string[], visitedAfterCallback: readonly string[]): Promise<ExposureFinding[]> {
  const findings: ExposureFinding[] = [];
  const contains = (text: string) => tokens.some((t) => text.includes(t));
  for (const cookie of await context.cookies()) {
    const value = safeDecode(cookie.value);
    if (contains(value)) findings.push({ where: `cookie ${cookie.name}`, what: 'holds an issued token' });
    else if (JWT_LIKE.test(value)) findings.push({ where: `cookie ${cookie.name}`, what: 'holds a JWT (tokens and claims belong on the server)' });
  }
  const storage = await page.evaluate(() => {
    const read = (s: Storage) => Array.from({ length: s.length }, (_, i) => s.key(i)!).map((k) => [k, s.getItem(k) ?? ''] as [string, string]);
    try {
      return { local: read(localStorage), session: read(sessionStorage) };
    } catch {
      return { local: [], session: [] };
    }
  }).catch(() => ({ local: [] as [string, string][], session: [] as [string, string][] }));
  for (const [area, entries] of [['localStorage', storage.local], ['sessionStorage', storage.session]] as const) {
    for (const [key, value] of entries) {
      if (contains(value) || contains(key)) findings.push({ where: `${area} "${key}"`, what: 'holds an issued token' });
      else if (JWT_LIKE.test(value)) findings.push({ where: `${area} "${key}"`, what: 'holds a JWT' });
    }
  }
  const html = await page.content().catch(() => '');
  if (contains(html)) findings.push({ where: `the page ${new URL(page.url()).pathname}`, what: 'shows an issued token in its HTML' });
  for (const url of visitedAfterCallback) if (contains(safeDecode(url))) findings.push({ where: `the URL ${new URL(url).pathname}`, what: 'carries an issued token' });
  return findings;
}
