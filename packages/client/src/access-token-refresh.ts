// Access tokens for a session, refreshed proactively and once per session across callers and processes (RFC 6749 §6, RFC 9700 §4.14.2 rotation, RFC 8707 §2.2 audiences, OIDC Core §12.2 refreshed ID tokens).
import { dpopOptions } from './dpop-key.ts';
import { decodeJwt, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { InsufficientScopeError, NotAuthenticatedError, ReauthenticationRequiredError, TokenRefreshError } from './errors.ts';
import { computeRefreshAt, type KitContext } from './kit-context.ts';
import { randomOpaqueId } from './opaque-ids.ts';
import { changedPinnedClaims } from './refreshed-identity.ts';
import { buildProfile } from './session-profile.ts';
import { missingScopes, parseScopes, unionScopes } from './session-scopes.ts';
import { kept, openSessionSecret, sealSessionSecrets } from './session-secrets.ts';
import { revokeAtProvider, type TokenToRevoke } from './token-revocation.ts';
import type { SessionRecord, SessionTokenUpdate } from './store/store-records.ts';

export interface AccessTokenOptions {
  /** Scopes the caller needs; InsufficientScopeError is thrown when the session was not granted all of them. */
  scopes?: readonly string[];
  /**
   * Resource indicator (RFC 8707) of the API the token is for. The session's refresh token obtains a separate
   * access token per audience (with `scopes`, when given, as the requested scope); it is cached like the main one.
   */
  audience?: string;
}

/** One cached access token for an audience, inside the encrypted `audience_tokens` column. */
interface AudienceToken {
  accessToken: string;
  accessExpiresAt: number | null;
  refreshAt: number | null;
}
type AudienceTokens = Record<string, AudienceToken>;

const LEASE_MS = 30_000;
const POLL_MS = 40;

function isRefusedGrant(error: unknown): boolean {
  return error instanceof oidc.ResponseBodyError && (error.error === 'invalid_grant' || error.error === 'unauthorized_client');
}

/** openid-client's verdict that a refreshed ID token's iss, aud or azp is not this client's (OIDC Core §3.1.3.7). */
function isForeignIdToken(error: unknown): boolean {
  return error instanceof oidc.ClientError && error.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Hands out a session's access tokens. A token inside the refresh window is refreshed by exactly one caller:
 * in-process callers share one promise; processes sharing the store share one lease row (conditional UPDATE), the
 * others poll the row until the winner has written the new tokens.
 */
export class AccessTokenManager {
  readonly #context: KitContext;
  readonly #inFlight = new Map<string, Promise<string>>();
  readonly #instanceId = randomOpaqueId().slice(0, 12);

  constructor(context: KitContext) {
    this.#context = context;
  }

  async getAccessToken(sessionId: string, options: AccessTokenOptions = {}): Promise<string> {
    const record = await this.#context.store.getSession(sessionId, this.#context.now());
    if (!record) throw new NotAuthenticatedError();
    if (record.reauthRequired) throw new ReauthenticationRequiredError();
    const missing = missingScopes(parseScopes(record.scopes), options.scopes ?? []);
    if (missing.length > 0) throw new InsufficientScopeError(missing);
    const fresh = this.#freshToken(record, options.audience);
    if (fresh !== undefined) return fresh;
    const key = options.audience === undefined ? sessionId : `${sessionId}\n${options.audience}`;
    let pending = this.#inFlight.get(key);
    if (!pending) {
      pending = this.#refreshOnce(sessionId, options).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    return pending;
  }

  #audienceTokens(record: SessionRecord): AudienceTokens {
    if (!record.audienceTokens) return {};
    return JSON.parse(openSessionSecret(this.#context.cipher, record, 'audienceTokens')!) as AudienceTokens;
  }

  /** The stored token when it is outside the refresh window, else undefined. */
  #freshToken(record: SessionRecord, audience: string | undefined): string | undefined {
    const now = this.#context.now();
    if (audience === undefined) {
      if (record.refreshAt !== null && record.refreshAt <= now) return undefined;
      return openSessionSecret(this.#context.cipher, record, 'accessToken');
    }
    const entry = this.#audienceTokens(record)[audience];
    if (!entry || (entry.refreshAt !== null && entry.refreshAt <= now)) return undefined;
    return entry.accessToken;
  }

  /** A still-valid (if inside the window) token to fall back on when a refresh fails transiently. */
  #unexpiredToken(record: SessionRecord, audience: string | undefined): string | undefined {
    const now = this.#context.now();
    if (audience === undefined) {
      if (record.accessExpiresAt !== null && record.accessExpiresAt <= now) return undefined;
      return openSessionSecret(this.#context.cipher, record, 'accessToken');
    }
    const entry = this.#audienceTokens(record)[audience];
    return entry && (entry.accessExpiresAt === null || entry.accessExpiresAt > now) ? entry.accessToken : undefined;
  }

  async #refreshOnce(sessionId: string, options: AccessTokenOptions): Promise<string> {
    const { store } = this.#context;
    const owner = `${this.#instanceId}:${randomOpaqueId().slice(0, 12)}`;
    const deadline = this.#context.now() + LEASE_MS + 5_000;
    for (;;) {
      const now = this.#context.now();
      const record = await store.getSession(sessionId, now);
      if (!record) throw new NotAuthenticatedError();
      if (record.reauthRequired) throw new ReauthenticationRequiredError();
      const fresh = this.#freshToken(record, options.audience);
      if (fresh !== undefined) return fresh;
      if (await store.acquireRefreshLease(sessionId, owner, now, now + LEASE_MS)) {
        return this.#refreshHoldingLease(sessionId, owner, options);
      }
      if (now > deadline) throw new TokenRefreshError('timed out waiting for a concurrent token refresh');
      await sleep(POLL_MS);
    }
  }

  async #refreshHoldingLease(sessionId: string, owner: string, options: AccessTokenOptions): Promise<string> {
    const { store, cipher, provider } = this.#context;
    const { audience } = options;
    try {
      // Re-read under the lease: another process may have finished a refresh just before we took it.
      const record = await store.getSession(sessionId, this.#context.now());
      if (!record) throw new NotAuthenticatedError();
      const fresh = this.#freshToken(record, audience);
      if (fresh !== undefined) {
        await store.releaseRefreshLease(sessionId, owner);
        return fresh;
      }
      if (!record.refreshToken) {
        await store.markReauthenticationRequired(sessionId);
        throw new ReauthenticationRequiredError('The access token expired and the session has no refresh token.');
      }
      const parameters: Record<string, string> = {};
      if (audience !== undefined) parameters.resource = audience;
      if (audience !== undefined && options.scopes?.length) parameters.scope = options.scopes.join(' ');
      const refreshToken = openSessionSecret(cipher, record, 'refreshToken')!;
      let tokens: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>;
      // RFC 9449 §5: with the session's key, so the new access token is bound to it too.
      const dpop = await dpopOptions(this.#context, openSessionSecret(cipher, record, 'dpopKey'));
      try {
        tokens = await oidc.refreshTokenGrant(provider, refreshToken, parameters, dpop);
      } catch (error) {
        if (isRefusedGrant(error)) {
          await store.markReauthenticationRequired(sessionId);
          throw new ReauthenticationRequiredError('The provider refused to refresh the session (revoked or expired grant).', { cause: error });
        }
        if (isForeignIdToken(error)) {
          await this.#endSession(sessionId, [{ token: refreshToken, hint: 'refresh_token' }]);
          throw new ReauthenticationRequiredError('The refreshed ID token was issued for another client or issuer; the session was ended.', { cause: error });
        }
        await store.releaseRefreshLease(sessionId, owner);
        // A transient failure while the old token is still valid: keep using it.
        const unexpired = this.#unexpiredToken(record, audience);
        if (unexpired !== undefined) return unexpired;
        throw new TokenRefreshError('token refresh failed', { cause: error });
      }
      const refreshed = tokens.claims();
      if (refreshed) {
        const idToken = openSessionSecret(cipher, record, 'idToken');
        const original: JWTPayload = idToken ? decodeJwt(idToken) : { sub: record.subject };
        const changed = changedPinnedClaims(original, refreshed);
        if (changed.length > 0) {
          // Not the user (or the authentication) this session belongs to: nothing of this response is kept or used.
          await this.#endSession(sessionId, [
            ...(tokens.refresh_token ? [{ token: tokens.refresh_token, hint: 'refresh_token' as const }] : []),
            { token: refreshToken, hint: 'refresh_token' },
            { token: tokens.access_token, hint: 'access_token' },
          ]);
          throw new ReauthenticationRequiredError(`The refreshed ID token does not match the original authentication (${changed.join(', ')} changed); the session was ended.`);
        }
      }
      // Only once the identity is known to be the same: the profile is rebuilt as at sign-in (UserInfo included).
      const profile = refreshed && audience === undefined
        ? await buildProfile(this.#context, refreshed, tokens.access_token, JSON.parse(openSessionSecret(cipher, record, 'profile')) as Record<string, unknown>, dpop)
        : undefined;
      await store.updateSessionTokens(sessionId, this.#updateFrom(record, tokens, audience, profile), owner);
      return tokens.access_token;
    } catch (error) {
      if (!(error instanceof ReauthenticationRequiredError) && !(error instanceof TokenRefreshError)) {
        await store.releaseRefreshLease(sessionId, owner).catch(() => {});
      }
      throw error;
    }
  }

  /** Ends a session whose identity can no longer be trusted: revokes what the provider may still honour, deletes the row. */
  async #endSession(sessionId: string, tokens: readonly TokenToRevoke[]): Promise<void> {
    await revokeAtProvider(this.#context, tokens);
    await this.#context.store.deleteSession(sessionId);
  }

  #updateFrom(
    record: SessionRecord,
    tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
    audience: string | undefined,
    profile: Record<string, unknown> | undefined,
  ): SessionTokenUpdate {
    const { cipher, options } = this.#context;
    const issuedAt = this.#context.now();
    const accessExpiresAt = tokens.expires_in !== undefined ? issuedAt + tokens.expires_in * 1000 : null;
    const refreshAt = computeRefreshAt(issuedAt, tokens.expires_in, options.refreshWindowMs);
    const audienceTokens = this.#audienceTokens(record);
    if (audience !== undefined) audienceTokens[audience] = { accessToken: tokens.access_token, accessExpiresAt, refreshAt };
    const main = audience === undefined;
    return {
      ...sealSessionSecrets(cipher, record.id, {
        accessToken: main ? tokens.access_token : kept(record.accessToken),
        // Rotated refresh tokens replace the old one; without rotation the old one stays.
        refreshToken: tokens.refresh_token ?? kept(record.refreshToken),
        idToken: tokens.id_token ?? kept(record.idToken),
        profile: profile !== undefined ? JSON.stringify(profile) : kept(record.profile),
        audienceTokens: Object.keys(audienceTokens).length > 0 ? JSON.stringify(audienceTokens) : null,
        dpopKey: kept(record.dpopKey),
      }),
      accessExpiresAt: main ? accessExpiresAt : record.accessExpiresAt,
      refreshAt: main ? refreshAt : record.refreshAt,
      // The granted set never shrinks on refresh (an audience-restricted refresh returns only that API's scopes).
      scopes: main ? unionScopes(parseScopes(record.scopes), parseScopes(tokens.scope)).join(' ') : record.scopes,
    };
  }
}
