// The login page, where the password is typed: framing forbidden (RFC 6749 §10.13; RFC 9700 §4.16, clickjacking)
// through X-Frame-Options or CSP frame-ancestors, and never stored by caches (RFC 9111 §5.2.2.5 no-store).
import { fail, pass, skipped, type CheckResult, type Exchange } from '../audit-report.ts';
import { findLoginPage } from '../authorization-walk.ts';
import { CookieJar } from '../probe-client.ts';
import type { CheckFamily } from './server-audit-context.ts';

const FRAMING = { id: 'login-page.framing', title: 'the login page cannot be framed', rfc: 'RFC 6749 §10.13; RFC 9700 §4.16' };
const NO_STORE = { id: 'login-page.no-store', title: 'the login page is not cached', rfc: 'RFC 9111 §5.2.2.5' };

export function framingProtection(headers: Headers): string | undefined {
  const frameAncestors = /frame-ancestors\s+([^;]+)/i.exec(headers.get('content-security-policy') ?? '')?.[1]?.trim();
  if (frameAncestors && !frameAncestors.split(/\s+/).some((s) => s === '*' || /^https?:$/.test(s))) return `CSP frame-ancestors ${frameAncestors}`;
  const xfo = headers.get('x-frame-options')?.trim().toUpperCase();
  if (xfo === 'DENY' || xfo === 'SAMEORIGIN') return `X-Frame-Options ${xfo}`;
  return undefined;
}

export const loginPageChecks: CheckFamily = {
  name: 'login-page',
  checks: [FRAMING, NO_STORE],
  needs: 'authorization',
  async run(ctx) {
    const evidence: Exchange[] = [];
    // A fresh browser: a signed-in one would skip the page.
    const page = await findLoginPage(ctx.probe, ctx.authorizeUrl({}), { jar: new CookieJar(), serverOrigins: ctx.serverOrigins, evidence });
    if (!page) {
      const reason = 'no page with a password form was reached (a login page built by scripts cannot be read over HTTP)';
      return [skipped(FRAMING, reason, evidence), skipped(NO_STORE, reason, evidence)];
    }
    const shown = [page.exchange];
    const results: CheckResult[] = [];
    const protection = framingProtection(page.headers);
    results.push(protection ? pass(FRAMING, protection, shown) : fail(FRAMING, 'neither X-Frame-Options nor CSP frame-ancestors forbids framing: another site can overlay the login form', shown));
    const cacheControl = page.headers.get('cache-control') ?? '';
    results.push(/no-store/i.test(cacheControl) ? pass(NO_STORE, `Cache-Control: ${cacheControl}`, shown) : fail(NO_STORE, `Cache-Control: ${cacheControl || '(absent)'}`, shown));
    return results;
  },
};
