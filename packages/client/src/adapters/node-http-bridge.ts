// Shared by the adapters: Node request pieces → Fetch API Request, the request context, and the route guards
// (RFC 9110 §15 statuses; BFF routes per the IETF browser-based-apps BCP §6.1). Built on the public API only.
import type { IncomingHttpHeaders } from 'node:http';
import { checkSession, InvalidRequestError, NotAuthenticatedError, type AccessTokenOptions, type LatchkeyClient, type LatchkeySession } from '../index.ts';

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
  /** POST from the provider: back-channel logout (register its URL at the provider). Default `/backchannel-logout`. */
  backchannelLogoutPath?: string;
  /** Proxy mount: `{proxyPrefix}/{upstream}/{path}`. Default `/api`. */
  proxyPrefix?: string;
  /** Largest proxied request body in bytes. Default 1 MiB. */
  proxyBodyLimit?: number;
}

export interface ResolvedRoutes {
  loginPath: string;
  logoutPath: string;
  backchannelLogoutPath: string;
  proxyPrefix: string;
  proxyBodyLimit: number;
}

export function resolveRoutes(routes: LatchkeyRoutes | undefined): ResolvedRoutes {
  return {
    loginPath: routes?.loginPath ?? '/login',
    logoutPath: routes?.logoutPath ?? '/logout',
    backchannelLogoutPath: routes?.backchannelLogoutPath ?? '/backchannel-logout',
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
  if (url?.origin !== appOrigin) throw new InvalidRequestError('Invalid request target.');
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

/** `request.latchkey` for a request with this Cookie header. */
export async function requestContext(client: LatchkeyClient, cookieHeader: string | undefined): Promise<LatchkeyRequestContext> {
  const session = await client.getSession(cookieHeader);
  return {
    session,
    getAccessToken: (tokenOptions) => (session ? client.getAccessToken(session, tokenOptions) : Promise.reject(new NotAuthenticatedError())),
  };
}

/** The parts of an incoming request a guard looks at; `url` is the path and query the browser asked for. */
export interface GuardedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  context: LatchkeyRequestContext | undefined;
}

/**
 * requireLogin (`scopes` undefined) and requireScopes of both adapters: null passes the request on, else the Response
 * to send. API calls get the error as JSON (401, or 403 naming the missing scopes); page navigations are sent to login,
 * or through incremental authorization when scopes are missing.
 */
export async function guardResponse(
  client: LatchkeyClient,
  routes: ResolvedRoutes,
  request: GuardedRequest,
  scopes: readonly string[] | undefined,
): Promise<Response | null> {
  try {
    checkSession(request.context?.session, scopes ?? []);
    return null;
  } catch (error) {
    if (!wantsHtml(request.method, request.headers)) return client.errorResponse(error, { html: false, loginPath: routes.loginPath });
    if (scopes === undefined) {
      return new Response(null, { status: 302, headers: { location: `${routes.loginPath}?${new URLSearchParams({ returnTo: request.url })}` } });
    }
    const webRequest = toWebRequest(client.appOrigin, request.method, request.url, request.headers);
    return client.authorizeScopes(webRequest, scopes, { returnTo: request.url });
  }
}
