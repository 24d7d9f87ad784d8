// Redirect URI rules at registration: RFC 6749 §3.1.2 (absolute, no fragment), RFC 9700 §4.1.3 / §2.6
// (https, or loopback http), RFC 8252 §7.1 (private-use schemes for native apps) and §7.3 (loopback).

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:', 'ftp:', 'ws:', 'wss:']);

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
