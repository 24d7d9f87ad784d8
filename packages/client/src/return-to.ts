// Where the kit may send the browser inside the app: one rule for every redirect (RFC 9700 §4.11.2 open redirectors; WHATWG URL Standard parsing).

/** Longer values are refused outright (they are never a real page of the app, and they bloat the transaction). */
const MAX_LENGTH = 2048;

function originOf(appOrigin: string): string {
  let origin: string;
  try {
    origin = new URL(appOrigin).origin;
  } catch {
    throw new TypeError('appOrigin must be an absolute http(s) origin');
  }
  if (origin !== appOrigin) throw new TypeError(`appOrigin must be an origin such as https://app.example, got "${appOrigin}"`);
  return origin;
}

/**
 * The target `candidate` names on the app's origin, as a normalised path + query + fragment, or null when it
 * would leave the origin.
 *
 * No string patterns: the candidate is resolved against the origin by the WHATWG URL parser (the one browsers use,
 * so tabs, newlines, leading control characters, backslashes, dot segments and IDNA dots are treated exactly as a
 * browser would), and the resolved URL must have the app's origin. The result must also resolve to the same URL
 * when it is read again as a relative reference, which refuses a path that reads as `//host` (RFC 3986 §4.2), such
 * as the one `/..//evil.example` normalises to.
 */
export function sameOriginTarget(candidate: unknown, appOrigin: string): string | null {
  const origin = originOf(appOrigin);
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > MAX_LENGTH) return null;
  const base = `${origin}/`;
  let resolved: URL;
  try {
    resolved = new URL(candidate, base);
  } catch {
    return null;
  }
  if (resolved.origin !== origin) return null;
  const target = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  let again: URL;
  try {
    again = new URL(target, base);
  } catch {
    return null;
  }
  return again.href === resolved.href ? target : null;
}

/**
 * `candidate` as a same-origin target (see sameOriginTarget), or `fallback` when it would leave `appOrigin`.
 * This is what the kit stores as a login's `returnTo`.
 */
export function safeReturnTo(candidate: unknown, appOrigin: string, fallback = '/'): string {
  return sameOriginTarget(candidate, appOrigin) ?? fallback;
}

/** The absolute URL the kit sends the browser to for a stored target; checked again at the point of use. */
export function appLocation(target: string, appOrigin: string): string {
  return new URL(safeReturnTo(target, appOrigin), `${originOf(appOrigin)}/`).href;
}
