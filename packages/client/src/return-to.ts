// Post-login return targets: same-origin relative paths only (OAuth 2.0 Security BCP, RFC 9700 §4.11 open redirectors).

/**
 * Returns `candidate` when it is a same-origin path such as `/orders?id=3#top`, else `/`.
 * Refused: absolute URLs, scheme-relative `//host`, backslash tricks `/\host`, control characters, anything
 * that a URL parser would resolve to another origin.
 */
export function safeReturnTo(candidate: unknown, fallback = '/'): string {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > 2048) return fallback;
  if (!candidate.startsWith('/')) return fallback;
  if (candidate.startsWith('//') || candidate.startsWith('/\\')) return fallback;
  // Browsers strip tabs/newlines and treat backslashes as slashes: refuse both outright.
  if (/[\u0000-\u001f\u007f\\]/.test(candidate)) return fallback;
  const base = 'http://return-to.invalid';
  let resolved: URL;
  try {
    resolved = new URL(candidate, base);
  } catch {
    return fallback;
  }
  if (resolved.origin !== base) return fallback;
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}
