// Shared by the adapters: Node request pieces → Fetch API Request, and error → HTTP answer (RFC 9110 §15, RFC 6750 §3).
import type { IncomingHttpHeaders } from 'node:http';
import { LatchkeyError, CallbackError, ReauthenticationRequired, NotAuthenticated, ScopesRequired } from '../errors.ts';
import type { AccessTokenOptions } from '../access-token-refresh.ts';
import type { LatchkeySession } from '../latchkey-client.ts';
import { escapeHtml } from '../html-escape.ts';
import { KIT_PAGE_CSP, KIT_RESPONSE_HEADERS } from '../kit-response-headers.ts';

/** What a route handler sees (`request.latchkey` / `req.latchkey`): the session, never a token, and server-side token access. */
export interface LatchkeyRequestContext {
  readonly session: LatchkeySession | null;
  getAccessToken(options?: AccessTokenOptions): Promise<string>;
}

/** Route paths the adapters mount. */
export interface LatchkeyRoutes {
  /** GET: starts a login (`?returnTo=/path`). Default `/login`. */
  loginPath?: string;
  /** POST: ends the session. Default `/logout`. */
  logoutPath?: string;
  /** Proxy mount: `{proxyPrefix}/{upstream}/{path}`. Default `/api`. */
  proxyPrefix?: string;
  /** Largest proxied request body in bytes. Default 1 MiB. */
  proxyBodyLimit?: number;
}

export interface ResolvedRoutes {
  loginPath: string;
  logoutPath: string;
  proxyPrefix: string;
  proxyBodyLimit: number;
}

export function resolveRoutes(routes: LatchkeyRoutes | undefined): ResolvedRoutes {
  return {
    loginPath: routes?.loginPath ?? '/login',
    logoutPath: routes?.logoutPath ?? '/logout',
    proxyPrefix: (routes?.proxyPrefix ?? '/api').replace(/\/+$/, ''),
    proxyBodyLimit: routes?.proxyBodyLimit ?? 1024 * 1024,
  };
}

export function toWebHeaders(headers: IncomingHttpHeaders): Headers {
  const result = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const item of value) result.append(name, item);
    else result.set(name, value);
  }
  return result;
}

/**
 * A Fetch Request for the kit. The URL is built from the configured app origin, never from the Host header, and
 * never from the request target either: a target such as `//evil.example/x` is a path on the app's origin, not a
 * network-path reference, so the path is appended to the origin instead of resolved against it.
 */
export function toWebRequest(appOrigin: string, method: string, pathAndQuery: string, headers: IncomingHttpHeaders, body?: Uint8Array | null): Request {
  let url: URL | undefined;
  try {
    url = new URL(`${appOrigin}${pathAndQuery.startsWith('/') ? '' : '/'}${pathAndQuery}`);
  } catch {
    url = undefined;
  }
  if (url?.origin !== appOrigin) throw new LatchkeyError('invalid_request', 'Invalid request target.', 400);
  const init: RequestInit & { duplex?: 'half' } = { method, headers: toWebHeaders(headers) };
  if (body && method !== 'GET' && method !== 'HEAD') {
    init.body = body as BodyInit;
    init.duplex = 'half';
  }
  return new Request(url, init);
}

/** Whether the request is a page navigation (send the browser somewhere) rather than an API call (answer JSON). */
export function wantsHtml(method: string, headers: IncomingHttpHeaders): boolean {
  const accept = headers.accept ?? '';
  return (method === 'GET' || method === 'HEAD') && accept.includes('text/html');
}


export interface ErrorAnswer {
  status: number;
  contentType: string;
  body: string;
  headers: Record<string, string>;
}

/** How an adapter answers an error: a small HTML page for navigations, JSON otherwise. Unknown errors give no details. */
export function errorAnswer(error: unknown, html: boolean, loginPath: string): ErrorAnswer {
  const known = error instanceof LatchkeyError;
  const status = known ? error.status : 500;
  const code = known ? error.code : 'internal_error';
  const message = error instanceof CallbackError ? error.userMessage : known ? error.message : 'Something went wrong.';
  const headers: Record<string, string> = { ...KIT_RESPONSE_HEADERS };
  if (error instanceof ScopesRequired) headers['www-authenticate'] = `Bearer error="insufficient_scope", scope="${error.missingScopes.join(' ')}"`;
  if (!html) {
    const body: Record<string, unknown> = { error: code, message };
    if (error instanceof ScopesRequired) body.missing_scopes = error.missingScopes;
    if (error instanceof ReauthenticationRequired || error instanceof NotAuthenticated) body.login = loginPath;
    return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body), headers };
  }
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in problem</title></head>`
    + `<body><main><h1>${status === 500 ? 'Something went wrong' : 'Sign-in problem'}</h1><p>${escapeHtml(message)}</p>`
    + `<p><a href="${escapeHtml(loginPath)}">Sign in again</a></p></main></body></html>`;
  return { status, contentType: 'text/html; charset=utf-8', body: page, headers: { ...headers, 'content-security-policy': KIT_PAGE_CSP } };
}
