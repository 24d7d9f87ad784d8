// Completing an authorization response: state, RFC 9207 `iss`, code exchange with PKCE, ID token checks (OIDC Core §3.1.3.7).
import * as oidc from 'openid-client';
import { parseCookieHeader, serializeCookie } from './cookies.ts';
import { CallbackError } from './errors.ts';
import { computeRefreshAt, cookieAttributes, transactionAad, type KitContext } from './kit-context.ts';
import { randomOpaqueId, sha256Hex } from './opaque-ids.ts';
import { buildProfile } from './session-profile.ts';
import { parseScopes, unionScopes } from './session-scopes.ts';
import { kept, sealSessionSecrets } from './session-secrets.ts';
import type { TransactionPayload } from './authorization-request.ts';
import type { SessionRecord } from './store/store-records.ts';
import { dpopOptions } from './dpop-key.ts';

export interface CallbackResult {
  /** Same-origin path to send the browser to (checked again where the kit redirects, see return-to.ts). */
  returnTo: string;
  setCookies: string[];
  /** The session (cookie hash) that now holds the tokens. */
  sessionId: string;
}

/** Parameters that must never arrive in an authorization response of the code flow. */
const FORBIDDEN_PARAMETERS = ['access_token', 'id_token', 'refresh_token', 'token'];

function readPayload(context: KitContext, id: string, encrypted: string): TransactionPayload {
  const payload = JSON.parse(context.cipher.decrypt(encrypted, transactionAad(id))) as TransactionPayload;
  if (payload.v !== 1) throw new Error('unknown transaction format');
  return payload;
}

/**
 * Validates the callback and, on success, creates (login) or extends (incremental authorization) a session.
 * Throws CallbackError on any failure; then nothing is stored and the transaction is spent.
 */
export async function completeAuthorization(context: KitContext, callbackUrl: URL, cookieHeader: string | null): Promise<CallbackResult> {
  const { options, store, cipher, provider } = context;
  const params = callbackUrl.searchParams;
  const state = params.get('state');
  if (!state) throw new CallbackError('missing_state');
  const cookies = parseCookieHeader(cookieHeader);
  const binding = cookies.get(options.transactionCookieName);
  if (!binding) throw new CallbackError('missing_transaction_cookie');

  // Exactly-once: the transaction row is deleted and returned in one statement; a replay finds nothing.
  const now = context.now();
  const id = sha256Hex(state);
  const record = await store.consumeTransaction(id, sha256Hex(binding), now);
  if (!record) throw new CallbackError('unknown_transaction');
  const transaction = readPayload(context, id, record.payload);

  // openid-client's authorizationCodeGrant checks iss (RFC 9207), error and state again, and refuses implicit-flow
  // parameters; these checks come first on purpose, not as a second opinion: each refusal gets its own stable
  // CallbackError code and user message (openid-client's would all be token_exchange_failed), `refresh_token` in the
  // URL is refused too, and none of them depends on what a future openid-client version chooses to check.
  if (FORBIDDEN_PARAMETERS.some((name) => params.has(name))) throw new CallbackError('token_in_callback_url');
  const metadata = provider.serverMetadata();
  const iss = params.get('iss');
  if (iss !== null && iss !== metadata.issuer) throw new CallbackError('issuer_mismatch');
  if (iss === null && metadata.authorization_response_iss_parameter_supported === true) throw new CallbackError('missing_issuer');
  const providerError = params.get('error');
  if (providerError !== null) {
    const description = params.get('error_description');
    throw new CallbackError('provider_error', {
      providerError: providerError.slice(0, 100),
      ...(description ? { providerErrorDescription: description.slice(0, 500) } : {}),
    });
  }

  const dpop = await dpopOptions(context, transaction.dpopKey);
  // The code is redeemed against the registered redirect URI, never one derived from request headers.
  const responseUrl = new URL(options.redirectUri);
  responseUrl.search = callbackUrl.search;
  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(provider, responseUrl, {
      pkceCodeVerifier: transaction.codeVerifier,
      expectedState: state,
      expectedNonce: transaction.nonce,
      idTokenExpected: true,
    }, undefined, dpop);
  } catch (error) {
    throw new CallbackError('token_exchange_failed', { cause: error });
  }
  const claims = tokens.claims();
  if (!claims || !tokens.id_token) throw new CallbackError('token_exchange_failed');
  const issuedAt = context.now();
  const grantedScopes = tokens.scope !== undefined ? parseScopes(tokens.scope) : transaction.scopes;
  const accessExpiresAt = tokens.expires_in !== undefined ? issuedAt + tokens.expires_in * 1000 : null;
  const refreshAt = computeRefreshAt(issuedAt, tokens.expires_in, options.refreshWindowMs);
  const profile = await buildProfile(context, claims, tokens.access_token, {}, dpop);
  const profileJson = JSON.stringify(profile);

  // The session this browser holds. A Strict session cookie is not sent on this cross-site request; then the
  // session recorded when the attempt started (the transaction is bound to this browser) stands in for it.
  const currentCookie = cookies.get(options.sessionCookieName);
  const currentId = currentCookie ? sha256Hex(currentCookie) : transaction.sessionId;

  if (transaction.purpose === 'incremental' && transaction.sessionId && transaction.sessionId === currentId) {
    const existing = await store.getSession(transaction.sessionId, issuedAt);
    if (existing) {
      if (existing.subject !== claims.sub) throw new CallbackError('subject_mismatch');
      const sid = existing.id;
      const updated = await store.updateSessionTokens(sid, {
        ...sealSessionSecrets(cipher, sid, {
          accessToken: tokens.access_token,
          refreshToken: tokens.refresh_token ?? kept(existing.refreshToken),
          idToken: tokens.id_token,
          profile: profileJson,
          // Audience tokens were minted under the previous grant; they are fetched again on demand.
          audienceTokens: null,
          // The new tokens are bound to this attempt's key (or to none).
          dpopKey: transaction.dpopKey ?? null,
        }),
        accessExpiresAt,
        refreshAt,
        scopes: unionScopes(parseScopes(existing.scopes), grantedScopes).join(' '),
      });
      if (updated) return { returnTo: transaction.returnTo, setCookies: [], sessionId: sid };
    }
  }

  // A login always gets a fresh session id (no fixation); a previous session in this browser is ended.
  if (currentId) await store.deleteSession(currentId);
  const cookieValue = randomOpaqueId();
  const sid = sha256Hex(cookieValue);
  const session: SessionRecord = {
    id: sid,
    subject: claims.sub,
    providerSid: typeof claims.sid === 'string' ? claims.sid : null,
    ...sealSessionSecrets(cipher, sid, {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token ?? null,
      idToken: tokens.id_token,
      profile: profileJson,
      audienceTokens: null,
      dpopKey: transaction.dpopKey ?? null,
    }),
    accessExpiresAt,
    refreshAt,
    scopes: grantedScopes.join(' '),
    reauthRequired: false,
    version: 0,
    leaseOwner: null,
    leaseUntil: null,
    createdAt: issuedAt,
    expiresAt: issuedAt + options.sessionMaxAgeMs,
  };
  await store.createSession(session);
  return {
    returnTo: transaction.returnTo,
    setCookies: [serializeCookie(options.sessionCookieName, cookieValue, cookieAttributes(context, 'session'))],
    sessionId: sid,
  };
}
