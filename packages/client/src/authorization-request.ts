// Starting an authorization request: state, nonce and PKCE S256 per attempt (RFC 7636 §4, OIDC Core §3.1.2.1, RFC 9700 §2.1),
// pushed (RFC 9126) when configured or required, with a DPoP key per attempt (RFC 9449 §10) when the kit uses DPoP.
import * as oidc from 'openid-client';
import { parseCookieHeader, serializeCookie } from './cookies.ts';
import { cookieAttributes, transactionAad, type KitContext } from './kit-context.ts';
import { randomOpaqueId, sha256Hex } from './opaque-ids.ts';
import { safeReturnTo } from './return-to.ts';
import { createDpopKey, dpopOptions, dpopThumbprint } from './dpop-key.ts';

/** What the transaction record holds (encrypted). */
export interface TransactionPayload {
  v: 1;
  codeVerifier: string;
  nonce: string;
  returnTo: string;
  /** Scopes sent in this request. */
  scopes: string[];
  purpose: 'login' | 'incremental';
  /**
   * The session (cookie hash) the browser held when the attempt started: for incremental authorization the one
   * whose grant is extended, for a login the one it replaces. The callback arrives cross-site, without a Strict
   * session cookie, so this is how it knows.
   */
  sessionId?: string;
  /** The private JWK (JSON) of the DPoP key this attempt's tokens will be bound to, when the kit uses DPoP. */
  dpopKey?: string;
}

export interface AuthorizationStart {
  /** The provider's authorization endpoint with all parameters: redirect the browser here (302). */
  authorizationUrl: URL;
  /** Set-Cookie header values to send with the redirect. */
  setCookies: string[];
}

export interface StartAuthorizationInput {
  cookieHeader: string | null;
  returnTo?: unknown;
  purpose: 'login' | 'incremental';
  /** Scopes to request; defaults to the configured login scopes. */
  scopes?: readonly string[];
  sessionId?: string;
}

const BINDING_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export async function startAuthorization(context: KitContext, input: StartAuthorizationInput): Promise<AuthorizationStart> {
  const { options, store, cipher } = context;
  const now = context.now();
  // The browser-binding cookie is reused across parallel attempts (several tabs), each attempt keyed by its own state.
  const existing = parseCookieHeader(input.cookieHeader).get(options.transactionCookieName);
  const binding = existing && BINDING_PATTERN.test(existing) ? existing : randomOpaqueId();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const scopes = [...(input.scopes ?? options.scopes)];
  const dpopKey = options.dpop ? await createDpopKey() : undefined;
  const payload: TransactionPayload = {
    v: 1,
    codeVerifier,
    nonce,
    returnTo: safeReturnTo(input.returnTo, options.appOrigin),
    scopes,
    purpose: input.purpose,
    ...(input.sessionId ? { sessionId: input.sessionId } : {}),
    ...(dpopKey ? { dpopKey } : {}),
  };
  const id = sha256Hex(state);
  await store.deleteExpired(now);
  await store.createTransaction({
    id,
    binding: sha256Hex(binding),
    payload: cipher.encrypt(JSON.stringify(payload), transactionAad(id)),
    expiresAt: now + options.transactionMaxAgeMs,
  });
  const parameters: Record<string, string> = {
    redirect_uri: options.redirectUri.href,
    response_type: 'code',
    scope: scopes.join(' '),
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  };
  // RFC 9449 §10: the code is bound to the key, so a stolen code is useless without it.
  if (dpopKey) parameters.dpop_jkt = await dpopThumbprint(dpopKey);
  // RFC 9126: pushed when configured, or when the provider requires it; only request_uri travels through the browser.
  const push = options.pushedAuthorizationRequests ?? context.provider.serverMetadata().require_pushed_authorization_requests === true;
  const authorizationUrl = push
    ? await oidc.buildAuthorizationUrlWithPAR(context.provider, parameters, await dpopOptions(context, dpopKey))
    : oidc.buildAuthorizationUrl(context.provider, parameters);
  return {
    authorizationUrl,
    setCookies: [serializeCookie(options.transactionCookieName, binding, cookieAttributes(context, 'transaction'))],
  };
}
