// The callback's answer: a same-origin page that navigates on to the return target, so that the browser's next
// request is same-site and carries a SameSite=Strict session cookie (RFC 6265bis §5.2 "same-site" requests; IETF
// browser-based-apps BCP §6.1.3.2 cookie security; HTML Standard §7.11.1 declarative refresh).
import { escapeHtml } from './html-escape.ts';
import { KIT_PAGE_CSP, kitHeaders } from './kit-response-headers.ts';

/**
 * 200 with `<meta http-equiv="refresh">` to `location` (an absolute URL on the app's origin, already checked).
 * A 302 would not do: the callback arrives through a cross-site redirect chain, and a redirect at its end is still
 * cross-site, so the browser would withhold the Strict cookie from the first page. The page has no script (a strict
 * CSP holds) and a plain link for browsers that ignore refresh.
 */
export function signInLanding(location: string, setCookies: readonly string[]): Response {
  const headers = kitHeaders({ 'content-type': 'text/html; charset=utf-8', 'content-security-policy': KIT_PAGE_CSP });
  for (const cookie of setCookies) headers.append('set-cookie', cookie);
  const href = escapeHtml(location);
  const body = '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    + `<meta http-equiv="refresh" content="0;url=${href}"><title>Signed in</title></head>`
    + `<body><main><p>Signed in. <a href="${href}">Continue</a></p></main></body></html>`;
  return new Response(body, { status: 200, headers });
}
