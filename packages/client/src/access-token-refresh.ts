// Access tokens for a session, refreshed proactively and once per session across callers and processes (RFC 6749 §6, RFC 9700 §4.14.2 rotation).
import * as oidc from 'openid-client';
import { NotAuthenticated, ReauthenticationRequired, ScopesRequired, TokenRefreshFailed } from './errors.ts';
import { computeRefreshAt, parseScopes, rewrap, sessionAad, unionScopes, type KitContext } from './kit-context.ts';
import { randomOpaqueId } from './opaque-ids.ts';
import type { SessionRecord } from './store/store-records.ts';

export interface AccessTokenOptions {
  /** Scopes the caller needs; ScopesRequired is thrown when the session was not granted all of them. */
  scopes?: readonly string[];
}

const LEASE_MS = 30_000;
const POLL_MS = 40;

function isFresh(record: SessionRecord, now: number): boolean {
  return record.refreshAt === null || record.refreshAt > now;
}

function isRefusedGrant(error: unknown): boolean {
  return error instanceof oidc.ResponseBodyError && (error.error === 'invalid_grant' || error.error === 'unauthorized_client');
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Hands out a session's access token. A token inside the refresh window is refreshed by exactly one caller:
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
    const { store } = this.#context;
    const record = await store.readSession(sessionId, this.#context.now());
    if (!record) throw new NotAuthenticated();
    if (record.reauthRequired) throw new ReauthenticationRequired();
    if (options.scopes) {
      const granted = new Set(parseScopes(record.scopes));
      const missing = options.scopes.filter((scope) => !granted.has(scope));
      if (missing.length > 0) throw new ScopesRequired(missing);
    }
    if (isFresh(record, this.#context.now())) return this.#decryptAccessToken(record);
    let pending = this.#inFlight.get(sessionId);
    if (!pending) {
      pending = this.#refreshOnce(sessionId).finally(() => this.#inFlight.delete(sessionId));
      this.#inFlight.set(sessionId, pending);
    }
    return pending;
  }

  #decryptAccessToken(record: SessionRecord): string {
    return this.#context.cipher.decrypt(record.accessToken, sessionAad(record.id, 'access_token'));
  }

  async #refreshOnce(sessionId: string): Promise<string> {
    const { store } = this.#context;
    const owner = `${this.#instanceId}:${randomOpaqueId().slice(0, 12)}`;
    const deadline = this.#context.now() + LEASE_MS + 5_000;
    for (;;) {
      const now = this.#context.now();
      const record = await store.readSession(sessionId, now);
      if (!record) throw new NotAuthenticated();
      if (record.reauthRequired) throw new ReauthenticationRequired();
      if (isFresh(record, now)) return this.#decryptAccessToken(record);
      if (await store.acquireRefreshLease(sessionId, owner, now, now + LEASE_MS)) {
        return this.#refreshHoldingLease(sessionId, owner);
      }
      if (now > deadline) throw new TokenRefreshFailed('timed out waiting for a concurrent token refresh');
      await sleep(POLL_MS);
    }
  }

  async #refreshHoldingLease(sessionId: string, owner: string): Promise<string> {
    const { store, cipher, provider, options } = this.#context;
    let record: SessionRecord | undefined;
    try {
      // Re-read under the lease: another process may have finished a refresh just before we took it.
      record = await store.readSession(sessionId, this.#context.now());
      if (!record) throw new NotAuthenticated();
      if (isFresh(record, this.#context.now())) {
        await store.releaseRefreshLease(sessionId, owner);
        return this.#decryptAccessToken(record);
      }
      if (!record.refreshToken) {
        await store.markReauthenticationRequired(sessionId);
        throw new ReauthenticationRequired('The access token expired and the session has no refresh token.');
      }
      const refreshToken = cipher.decrypt(record.refreshToken, sessionAad(sessionId, 'refresh_token'));
      let tokens: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>;
      try {
        tokens = await oidc.refreshTokenGrant(provider, refreshToken);
      } catch (error) {
        if (isRefusedGrant(error)) {
          await store.markReauthenticationRequired(sessionId);
          throw new ReauthenticationRequired('The provider refused to refresh the session (revoked or expired grant).', { cause: error });
        }
        await store.releaseRefreshLease(sessionId, owner);
        // A transient failure while the old token is still valid: keep using it.
        if (record.accessExpiresAt === null || record.accessExpiresAt > this.#context.now()) return this.#decryptAccessToken(record);
        throw new TokenRefreshFailed('token refresh failed', { cause: error });
      }
      const issuedAt = this.#context.now();
      const claims = tokens.claims();
      await store.updateSessionTokens(sessionId, {
        accessToken: cipher.encrypt(tokens.access_token, sessionAad(sessionId, 'access_token')),
        // Rotated refresh tokens replace the old one; without rotation the old one stays.
        refreshToken: tokens.refresh_token
          ? cipher.encrypt(tokens.refresh_token, sessionAad(sessionId, 'refresh_token'))
          : rewrap(this.#context, record.refreshToken, sessionAad(sessionId, 'refresh_token')),
        idToken: tokens.id_token
          ? cipher.encrypt(tokens.id_token, sessionAad(sessionId, 'id_token'))
          : record.idToken && rewrap(this.#context, record.idToken, sessionAad(sessionId, 'id_token')),
        accessExpiresAt: tokens.expires_in !== undefined ? issuedAt + tokens.expires_in * 1000 : null,
        refreshAt: computeRefreshAt(issuedAt, tokens.expires_in, options.refreshWindowMs),
        scopes: unionScopes(parseScopes(record.scopes), parseScopes(tokens.scope)).join(' '),
        profile: claims
          ? cipher.encrypt(JSON.stringify(claims), sessionAad(sessionId, 'profile'))
          : rewrap(this.#context, record.profile, sessionAad(sessionId, 'profile')),
      }, owner);
      return tokens.access_token;
    } catch (error) {
      if (!(error instanceof ReauthenticationRequired) && !(error instanceof TokenRefreshFailed)) {
        await store.releaseRefreshLease(sessionId, owner).catch(() => {});
      }
      throw error;
    }
  }
}
