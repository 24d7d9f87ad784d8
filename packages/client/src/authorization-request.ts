// Starting an authorization request: state, nonce and PKCE S256 per attempt (RFC 7636 §4, OIDC Core §3.1.2.1, RFC 9700 §2.1).
import * as oidc from 'openid-client';
import { parseCookieHeader, serializeCookie } from './cookies.ts';
import { cookieAttributes, transactionAad, type KitContext } from './kit-context.ts';
import { randomOpaqueId, sha256Hex } from './opaque-ids.ts';
import { safeReturnTo } from './return-to.ts';

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
  const payload: TransactionPayload = {
    v: 1,
    codeVerifier,
    nonce,
    returnTo: safeReturnTo(input.returnTo, options.appOrigin),
    scopes,
    purpose: input.purpose,
    ...(input.sessionId ? { sessionId: input.sessionId } : {}),
  };
  const id = sha256Hex(state);
  await store.deleteExpired(now);
  await store.createTransaction({
    id,
    binding: sha256Hex(binding),
    payload: cipher.encrypt(JSON.stringify(payload), transactionAad(id)),
    expiresAt: now + options.transactionMaxAgeMs,
  });
  const authorizationUrl = oidc.buildAuthorizationUrl(context.provider, {
    redirect_uri: options.redirectUri.href,
    response_type: 'code',
    scope: scopes.join(' '),
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  });
  return {
    authorizationUrl,
    setCookies: [serializeCookie(options.transactionCookieName, binding, cookieAttributes(context, 'transaction'))],
  };
}
