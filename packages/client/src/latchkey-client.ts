// The client kit's entry point: a backend-for-frontend over openid-client (IETF OAuth 2.0 for Browser-Based Applications §6.1).
import { AccessTokenManager, type AccessTokenOptions } from './access-token-refresh.ts';
import { forwardToUpstream, resolveUpstreamUrl } from './api-proxy.ts';
import { completeAuthorization } from './authorization-callback.ts';
import { handleBackchannelLogout } from './backchannel-logout.ts';
import { startAuthorization } from './authorization-request.ts';
import { resolveOptions, type LatchkeyClientOptions } from './client-options.ts';
import { parseCookieHeader } from './cookies.ts';
import { assertNotCrossSite, assertSameOrigin } from './cross-site-check.ts';
import { errorResponse, type ErrorResponseOptions } from './error-response.ts';
import { NotAuthenticatedError, UpstreamNotAllowedError } from './errors.ts';
import type { KitContext } from './kit-context.ts';
import { endSession } from './logout.ts';
import { sha256Hex } from './opaque-ids.ts';
import { discoverProvider } from './provider-configuration.ts';
import { kitHeaders } from './kit-response-headers.ts';
import { appLocation } from './return-to.ts';
import { missingScopes, parseScopes } from './session-scopes.ts';
import { keptSecrets, openSessionSecret, sealSessionSecrets, sealedWithCurrentKey } from './session-secrets.ts';
import { signInLanding } from './sign-in-landing.ts';
import { TokenCipher } from './token-encryption.ts';

/** What the application sees of a session: never a token. */
export interface LatchkeySession {
  /** Stable handle of the session (SHA-256 of the cookie; not the cookie itself). */
  readonly id: string;
  /** The ID token's `sub`. */
  readonly subject: string;
  /** The latest ID token claims (name, email, … as released by the provider). */
  readonly claims: Readonly<Record<string, unknown>>;
  /** Scopes granted to this session so far. */
  readonly scopes: readonly string[];
  /** True once a refresh was refused: the user must sign in again. */
  readonly reauthenticationRequired: boolean;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export interface LatchkeyClient {
  /** The application's origin (from redirectUri). */
  readonly appOrigin: string;
  readonly sessionCookieName: string;
  /** Header (value `1`) that state-changing proxied requests must carry. */
  readonly csrfHeaderName: string;
  /** Path of redirectUri, where the adapters mount the callback route. */
  readonly callbackPath: string;
  /** The session for a Cookie header, or null. */
  getSession(cookieHeader: string | null | undefined): Promise<LatchkeySession | null>;
  /** A valid access token for the session (refreshed if needed). Throws ReauthenticationRequiredError, InsufficientScopeError. */
  getAccessToken(session: LatchkeySession | string, options?: AccessTokenOptions): Promise<string>;
  /** GET /login?returnTo=/path → 302 to the provider. */
  login(request: Request, options?: { returnTo?: string }): Promise<Response>;
  /**
   * GET callback → 200 page with the session cookie that navigates on to the return path (a same-site navigation,
   * so that a Strict session cookie is sent with it). Throws CallbackError.
   */
  callback(request: Request): Promise<Response>;
  /** POST /logout (same-origin only) → 303 to the provider's end-session endpoint. */
  logout(request: Request): Promise<Response>;
  /**
   * POST from the provider (OpenID Connect Back-Channel Logout 1.0): validates the `logout_token` and ends the sessions it
   * names; 200 when done, 400 for any defect. Register this route's URL at the provider as the back-channel logout URI.
   */
  backchannelLogout(request: Request): Promise<Response>;
  /** Forwards to an allow-listed upstream with the session's access token. */
  proxy(request: Request, upstream: string, path: string): Promise<Response>;
  /** null when the session already has `scopes`; else a 302 that asks the provider for the missing ones. */
  authorizeScopes(request: Request, scopes: readonly string[], options?: { returnTo?: string }): Promise<Response | null>;
  /** The answer for an error the kit (or the app) threw: a page for navigations, JSON for API calls (no internals). */
  errorResponse(error: unknown, options: ErrorResponseOptions): Response;
  /** Re-encrypts every session with the current (first) key; returns how many were rewritten. */
  reencryptSessions(): Promise<number>;
  /** Closes the store. */
  close(): Promise<void>;
}

function redirect(location: string, status: number, setCookies: readonly string[]): Response {
  const headers = kitHeaders({ location });
  for (const cookie of setCookies) headers.append('set-cookie', cookie);
  return new Response(null, { status, headers });
}

function requestPath(request: Request): string {
  const url = new URL(request.url);
  return `${url.pathname}${url.search}`;
}

/** Discovers the provider, migrates the store and returns the kit. */
export async function createLatchkeyClient(input: LatchkeyClientOptions): Promise<LatchkeyClient> {
  const options = resolveOptions(input);
  const cipher = new TokenCipher(input.encryptionKeys);
  await input.store.migrate();
  const provider = await discoverProvider(options, input.fetch);
  const warn = input.onWarning ?? ((message: string) => console.warn(`[latchkey] ${message}`));
  const context: KitContext = { options, provider, store: input.store, cipher, now: Date.now, warn, providerFetch: input.fetch };
  const tokens = new AccessTokenManager(context);

  /** The session id (SHA-256 of the cookie) a Cookie header names, whether or not the session still exists. */
  function heldSessionId(cookieHeader: string | null | undefined): string | undefined {
    const cookie = parseCookieHeader(cookieHeader).get(options.sessionCookieName);
    return cookie ? sha256Hex(cookie) : undefined;
  }

  async function readSession(cookieHeader: string | null | undefined): Promise<LatchkeySession | null> {
    const id = heldSessionId(cookieHeader);
    if (!id) return null;
    const record = await context.store.getSession(id, context.now());
    if (!record) return null;
    return {
      id,
      subject: record.subject,
      claims: JSON.parse(openSessionSecret(cipher, record, 'profile')) as Record<string, unknown>,
      scopes: parseScopes(record.scopes),
      reauthenticationRequired: record.reauthRequired,
      createdAt: new Date(record.createdAt),
      expiresAt: new Date(record.expiresAt),
    };
  }

  return {
    appOrigin: options.appOrigin,
    sessionCookieName: options.sessionCookieName,
    csrfHeaderName: options.csrfHeaderName,
    callbackPath: options.redirectUri.pathname,

    getSession: readSession,

    getAccessToken(session, tokenOptions) {
      return tokens.getAccessToken(typeof session === 'string' ? session : session.id, tokenOptions);
    },

    async login(request, loginOptions) {
      const returnTo = loginOptions?.returnTo ?? new URL(request.url).searchParams.get('returnTo');
      const cookieHeader = request.headers.get('cookie');
      const sessionId = heldSessionId(cookieHeader);
      const start = await startAuthorization(context, { cookieHeader, returnTo, purpose: 'login', ...(sessionId ? { sessionId } : {}) });
      return redirect(start.authorizationUrl.href, 302, start.setCookies);
    },

    async callback(request) {
      const result = await completeAuthorization(context, new URL(request.url), request.headers.get('cookie'));
      return signInLanding(appLocation(result.returnTo, options.appOrigin), result.setCookies);
    },

    async logout(request) {
      assertSameOrigin(request.headers, options.appOrigin);
      const result = await endSession(context, request.headers.get('cookie'));
      return redirect(result.redirectUrl, 303, result.setCookies);
    },

    backchannelLogout(request) {
      return handleBackchannelLogout(context, request);
    },

    async proxy(request, upstreamName, path) {
      const upstream = options.upstreams.get(upstreamName);
      if (!upstream) throw new UpstreamNotAllowedError(`unknown upstream "${upstreamName}"`);
      assertNotCrossSite(request.method, request.headers, options.appOrigin, options.csrfHeaderName);
      const session = await readSession(request.headers.get('cookie'));
      if (!session) throw new NotAuthenticatedError();
      const target = resolveUpstreamUrl(upstream, path, new URL(request.url).search);
      const accessToken = await tokens.getAccessToken(session.id, upstream.audience === undefined ? {} : {
        audience: upstream.audience, ...(upstream.scopes ? { scopes: upstream.scopes } : {}),
      });
      // Where this upstream is mounted in the app: the request URL without the proxied path.
      const requestUrl = new URL(request.url);
      const mountPath = requestUrl.pathname.endsWith(path) ? requestUrl.pathname.slice(0, requestUrl.pathname.length - path.length) : '/';
      const mountUrl = new URL(`${requestUrl.origin}${mountPath}`);
      // A DPoP session's tokens are bound to its key: each call carries a proof made with it (RFC 9449 §7.1).
      const record = options.dpop ? await context.store.getSession(session.id, context.now()) : undefined;
      const dpopKey = record ? openSessionSecret(cipher, record, 'dpopKey') ?? undefined : undefined;
      return forwardToUpstream(upstream, target, { method: request.method, headers: request.headers, body: request.body }, accessToken, mountUrl, dpopKey);
    },

    async authorizeScopes(request, scopes, scopeOptions) {
      const cookieHeader = request.headers.get('cookie');
      const returnTo = scopeOptions?.returnTo ?? requestPath(request);
      const session = await readSession(cookieHeader);
      if (!session || session.reauthenticationRequired) {
        const start = await startAuthorization(context, {
          cookieHeader, returnTo, purpose: 'login', scopes: [...new Set([...options.scopes, ...scopes])],
          ...(session ? { sessionId: session.id } : {}),
        });
        return redirect(start.authorizationUrl.href, 302, start.setCookies);
      }
      const missing = missingScopes(session.scopes, scopes);
      if (missing.length === 0) return null;
      // Incremental authorization: ask for what the session holds plus what is missing, with no forced prompt.
      // The provider remembers the earlier consent, so the user is asked only about the missing scopes, and the
      // new tokens still cover everything the app already did (a token for the missing scopes alone would not).
      const union = ['openid', ...new Set([...session.scopes, ...missing].filter((s) => s !== 'openid'))];
      const start = await startAuthorization(context, { cookieHeader, returnTo, purpose: 'incremental', scopes: union, sessionId: session.id });
      return redirect(start.authorizationUrl.href, 302, start.setCookies);
    },

    async reencryptSessions() {
      let rewritten = 0;
      let after = '';
      for (;;) {
        const batch = await context.store.listSessionsForReencryption(after, 200);
        if (batch.length === 0) return rewritten;
        for (const record of batch) {
          after = record.id;
          if (sealedWithCurrentKey(cipher, record)) continue;
          const owner = `reencrypt:${record.id.slice(0, 8)}:${Date.now()}`;
          const now = context.now();
          // Under the refresh lease so that a concurrent refresh is never overwritten; busy sessions are re-encrypted by their refresh.
          if (!(await context.store.acquireRefreshLease(record.id, owner, now, now + 10_000))) continue;
          const fresh = await context.store.getSession(record.id, now);
          if (!fresh) continue;
          const updated = await context.store.updateSessionTokens(record.id, {
            ...sealSessionSecrets(cipher, record.id, keptSecrets(fresh)),
            accessExpiresAt: fresh.accessExpiresAt,
            refreshAt: fresh.refreshAt,
            scopes: fresh.scopes,
          }, owner);
          if (updated) rewritten += 1;
        }
      }
    },

    errorResponse,

    close() {
      return context.store.close();
    },
  };
}
