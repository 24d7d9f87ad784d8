// Redirect URI rules at registration: RFC 6749 §3.1.2 (absolute, no fragment), RFC 9700 §4.1.3 / §2.6
// (https, or loopback http), RFC 8252 §7.1 (private-use schemes for native apps) and §7.3 (loopback).

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:', 'ftp:', 'ws:', 'wss:']);

/** Plain http on a loopback host name (RFC 8252 §7.3; also what local development may use elsewhere). */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/** Returns a one-line reason the URI cannot be registered, or undefined when it is acceptable. */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.includes('#')) return `redirect URI ${uri} must not contain a fragment (RFC 6749 §3.1.2)`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `redirect URI ${uri} is not an absolute URI`;
  }
  if (url.username || url.password) return `redirect URI ${uri} must not contain credentials`;
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    return isLoopbackHttp(url) ? undefined : `redirect URI ${uri} must use https (plain http is allowed only for 127.0.0.1, [::1] and localhost)`;
  }
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return `redirect URI ${uri} uses a scheme that cannot be a redirect target`;
  // RFC 8252 §7.1: private-use URI schemes are reverse domain names, e.g. com.example.app:/callback.
  if (!url.protocol.slice(0, -1).includes('.')) return `redirect URI ${uri}: a native app's private-use scheme must be a reverse domain name such as com.example.app:/callback (RFC 8252 §7.1)`;
  return undefined;
}

// Matching at request time: RFC 6749 §3.1.2.3 and RFC 9700 §4.1.3 (simple string comparison, no normalisation),
// with the one exception of RFC 8252 §7.3: for a loopback IP literal the port may differ.
const LOOPBACK_IP_URI = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?([/?][^#]*)?$/;

function splitLoopback(uri: string): { host: string; port: string | undefined; rest: string } | undefined {
  const match = LOOPBACK_IP_URI.exec(uri);
  if (!match || !match[1]) return undefined;
  if (match[2] !== undefined && (Number(match[2]) < 1 || Number(match[2]) > 65535)) return undefined;
  return { host: match[1], port: match[2], rest: match[3] ?? '' };
}

/** True when `requested` equals a registered URI byte for byte, or differs only in a loopback IP literal's port. */
export function redirectUriMatches(requested: string, registered: string): boolean {
  if (requested === registered) return true;
  const a = splitLoopback(requested);
  const b = splitLoopback(registered);
  return a !== undefined && b !== undefined && a.host === b.host && a.rest === b.rest;
}

/** The registered URI `requested` matches, if any. */
export function findRegisteredRedirectUri(requested: string, registered: readonly string[]): string | undefined {
  return registered.find((uri) => redirectUriMatches(requested, uri));
}
