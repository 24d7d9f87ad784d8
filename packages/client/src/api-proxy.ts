// Forwarding a browser request to an allow-listed API with the session's access token (RFC 6750 §2.1; IETF browser-based-apps BCP §6.1 BFF).
import { upstreamProof } from './dpop-key.ts';
import { UpstreamNotAllowedError, UpstreamUnavailableError } from './errors.ts';
import type { ResolvedUpstream } from './client-options.ts';
import { sameOriginTarget } from './return-to.ts';

/** Request headers forwarded by default; everything else (Cookie, Authorization, Host, Origin, …) stays behind. */
const DEFAULT_FORWARDED = ['accept', 'accept-language', 'content-type', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since', 'range'];
const NEVER_FORWARDED = new Set(['cookie', 'authorization', 'host', 'proxy-authorization', 'connection', 'content-length', 'transfer-encoding']);
/**
 * Response headers never passed back: hop-by-hop, cookies for the upstream's origin, encodings fetch already undid,
 * and policies an API must not set for the app's origin (CORS, HSTS, Alt-Svc, Clear-Site-Data) or navigations it
 * must not start there (Refresh). Location is translated by proxiedLocation.
 */
const NEVER_RETURNED = new Set([
  'set-cookie', 'set-cookie2', 'connection', 'keep-alive', 'transfer-encoding', 'content-encoding', 'content-length', 'proxy-authenticate',
  'upgrade', 'trailer', 'strict-transport-security', 'alt-svc', 'clear-site-data', 'refresh', 'location', 'content-location',
]);
const isNeverReturned = (name: string) => NEVER_RETURNED.has(name) || name.startsWith('access-control-');
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** The upstream URL for a path below the upstream's base; refuses anything that would leave it. */
export function resolveUpstreamUrl(upstream: ResolvedUpstream, path: string, search: string): URL {
  if (/[\\\u0000-\u001f]/.test(path)) throw new UpstreamNotAllowedError('invalid path');
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw new UpstreamNotAllowedError('invalid path');
  }
  const segments = decoded.split('/');
  if (segments.some((segment) => segment === '..' || segment === '.') || decoded.includes('\\')) {
    throw new UpstreamNotAllowedError('path traversal refused');
  }
  // Appended to the base, never resolved against it: `https:…` or `//host` in the path is a path segment here.
  const relative = path.replace(/^\/+/, '');
  let target: URL;
  try {
    target = new URL(`${upstream.url.href}${relative}`);
  } catch {
    throw new UpstreamNotAllowedError('invalid path');
  }
  if (target.origin !== upstream.url.origin || !target.pathname.startsWith(upstream.url.pathname)) {
    throw new UpstreamNotAllowedError('path leaves the upstream');
  }
  target.search = search;
  return target;
}

export interface ProxyRequest {
  method: string;
  headers: Headers;
  body: ReadableStream<Uint8Array> | Uint8Array | null;
}

/**
 * An upstream's Location (a 3xx, or a 201's new resource) as the app-side URL of the same resource below the proxy
 * mount `mountUrl` (e.g. `https://app.example/api/orders/`); null for anything outside the upstream's base, which
 * is dropped so that the proxy never redirects the browser to a place an API named (RFC 9700 §4.11.2).
 */
export function proxiedLocation(upstream: ResolvedUpstream, target: URL, location: string, mountUrl: URL): string | null {
  let resolved: URL;
  try {
    resolved = new URL(location, target);
  } catch {
    return null;
  }
  if (resolved.origin !== upstream.url.origin || !resolved.pathname.startsWith(upstream.url.pathname)) return null;
  const below = `${resolved.pathname.slice(upstream.url.pathname.length)}${resolved.search}${resolved.hash}`;
  const path = sameOriginTarget(`${mountUrl.pathname}${below}`, mountUrl.origin);
  return path === null ? null : new URL(path, mountUrl).href;
}

/**
 * Calls the upstream with the access token (Bearer, or with `dpopKey` RFC 9449 §7.1 `DPoP` and a proof for this method
 * and URL) and returns its response with unsafe headers removed.
 */
export async function forwardToUpstream(upstream: ResolvedUpstream, target: URL, request: ProxyRequest, accessToken: string, mountUrl: URL, dpopKey?: string): Promise<Response> {
  const headers = new Headers();
  for (const name of [...DEFAULT_FORWARDED, ...upstream.forwardHeaders]) {
    if (NEVER_FORWARDED.has(name)) continue;
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const method = request.method.toUpperCase();
  if (dpopKey) {
    headers.set('authorization', `DPoP ${accessToken}`);
    headers.set('dpop', await upstreamProof(dpopKey, method, target, accessToken));
  } else {
    headers.set('authorization', `Bearer ${accessToken}`);
  }
  const hasBody = method !== 'GET' && method !== 'HEAD' && request.body !== null;
  const init: RequestInit & { duplex?: 'half' } = {
    method,
    headers,
    redirect: 'manual',
    signal: AbortSignal.timeout(upstream.timeoutMs),
  };
  if (hasBody) {
    init.body = request.body as BodyInit;
    init.duplex = 'half';
  }
  let response: Response;
  try {
    response = await fetch(target, init);
  } catch (error) {
    throw new UpstreamUnavailableError(upstream.name, { cause: error });
  }
  const responseHeaders = new Headers();
  for (const [name, value] of response.headers) {
    if (!isNeverReturned(name)) responseHeaders.append(name, value);
  }
  const location = response.headers.get('location');
  const translated = location === null ? null : proxiedLocation(upstream, target, location, mountUrl);
  if (translated !== null) responseHeaders.set('location', translated);
  const body = NULL_BODY_STATUSES.has(response.status) || method === 'HEAD' ? null : response.body;
  return new Response(body, { status: response.status, statusText: response.statusText, headers: responseHeaders });
}
