// Refusing cross-site state-changing requests: Origin check plus a custom header (OWASP CSRF cheat sheet; Fetch §3.2 Sec-Fetch-Site).
import { CrossSiteRequestError } from './errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** Throws unless the Origin header is the app's origin and the browser did not label the request cross-site. */
export function assertSameOrigin(headers: Headers, appOrigin: string): void {
  const origin = headers.get('origin');
  if (origin !== appOrigin) throw new CrossSiteRequestError(origin ? 'Origin is not the application origin' : 'Origin header missing');
  const site = headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') throw new CrossSiteRequestError(`Sec-Fetch-Site is ${site}`);
}

/**
 * For state-changing methods: same origin AND the custom header (value `1`), which a cross-site form or a
 * CORS-simple request cannot send.
 */
export function assertNotCrossSite(method: string, headers: Headers, appOrigin: string, csrfHeaderName: string): void {
  if (isSafeMethod(method)) return;
  assertSameOrigin(headers, appOrigin);
  if (headers.get(csrfHeaderName) !== '1') throw new CrossSiteRequestError(`${csrfHeaderName}: 1 header missing`);
}
