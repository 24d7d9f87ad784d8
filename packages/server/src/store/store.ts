// The Store: one typed interface over everything Latchkey persists, grouped by artifact.
// Atomic operations are methods here, never read-modify-write in domain code (see design.md).
import type {
  ApiRecord, AuditEvent, AuthorizationCodeRecord, CacheTopic, ClientRecord, ConsentRecord, FailureCount,
  GrantRecord, InteractionRecord, RedeemCodeResult, RefreshTokenRecord, RotateRefreshResult, SessionRecord, SigningAlg, SigningKeyRecord, UserRecord,
} from './records.ts';

export interface Store {
  readonly kind: 'sqlite' | 'postgres';

  /** Applies pending migrations; safe to call from several processes. */
  migrate(): Promise<{ applied: string[] }>;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;

  // clients
  createClient(client: ClientRecord): Promise<void>;
  getClient(id: string): Promise<ClientRecord | undefined>;
  listClients(): Promise<ClientRecord[]>;
  updateClientSecret(id: string, secretHash: string, now: number): Promise<boolean>;
  /** Removes the client and, by cascade, its consents, codes and grants. */
  deleteClient(id: string): Promise<boolean>;

  // apis (resource servers) and their scopes
  /** Fails with StoreConflict when the identifier or a scope name is taken. */
  createApi(api: ApiRecord): Promise<void>;
  listApis(): Promise<ApiRecord[]>;
  deleteApi(identifier: string): Promise<boolean>;
  /** Lets a client introspect the API's tokens; false when the API is unknown. Idempotent. */
  addApiIntrospector(identifier: string, clientId: string): Promise<boolean>;
  /** False when the API is unknown or the client was not one of its introspectors. */
  removeApiIntrospector(identifier: string, clientId: string): Promise<boolean>;

  // users
  createUser(user: UserRecord): Promise<void>;
  getUserById(id: string): Promise<UserRecord | undefined>;
  getUserByUsername(username: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  setUserPassword(id: string, passwordHash: string, now: number): Promise<boolean>;
  deleteUser(id: string): Promise<boolean>;

  // signing keys
  /** Inserts `key` and retires the previous active key of the same alg in one transaction. */
  addSigningKey(key: SigningKeyRecord, retiredKeysExpireAt: number): Promise<void>;
  /** Keys still published in the JWKS (not past expiresAt). */
  listSigningKeys(now: number): Promise<SigningKeyRecord[]>;
  activeSigningKey(alg: SigningAlg): Promise<SigningKeyRecord | undefined>;

  // consents (remembered per user and client)
  getConsent(userId: string, clientId: string): Promise<ConsentRecord | undefined>;
  /** Adds scopes to the remembered consent (union), creating it if needed; atomic. */
  addConsentScopes(userId: string, clientId: string, scopes: string[], now: number): Promise<ConsentRecord>;
  listConsents(userId: string): Promise<ConsentRecord[]>;
  deleteConsent(userId: string, clientId: string): Promise<boolean>;

  // login sessions
  createSession(session: SessionRecord): Promise<void>;
  getSession(idHash: string, now: number): Promise<SessionRecord | undefined>;
  deleteSession(idHash: string): Promise<void>;

  // pending authorization requests (between the authorization endpoint, login and consent)
  createInteraction(interaction: InteractionRecord): Promise<void>;
  /** The interaction, unless it is unknown or expired. */
  getInteraction(id: string, now: number): Promise<InteractionRecord | undefined>;
  /** Removes the interaction and returns it exactly once (so a form cannot be replayed); undefined when gone or expired. */
  consumeInteraction(id: string, now: number): Promise<InteractionRecord | undefined>;

  // authorization codes
  insertCode(code: AuthorizationCodeRecord): Promise<void>;
  /** The code, whatever its state (the grant checks client, expiry and PKCE before redeeming it). */
  findCode(codeHash: string): Promise<AuthorizationCodeRecord | undefined>;
  /**
   * All or nothing (issue 11): marks the code consumed, names its grant, and stores the grant with its first refresh
   * token, in one transaction. Exactly one caller per code gets 'ok'; the others get 'reused' and nothing is written.
   */
  redeemCode(codeHash: string, now: number, grant: GrantRecord, firstRefreshToken: RefreshTokenRecord | null): Promise<RedeemCodeResult>;

  // grants (refresh-token families)
  createGrant(grant: GrantRecord, firstRefreshToken: RefreshTokenRecord | null): Promise<void>;
  getGrant(id: string): Promise<GrantRecord | undefined>;
  /**
   * Rotates in one transaction: marks the token rotated, records `next` as its successor and stores it. Presenting a
   * rotated token revokes the family and reports reuse, except a retry: within `retryWindow` seconds of the rotation,
   * while its successor was never used, the successor is superseded (marked rotated with no successor of its own, so
   * presenting it later is reuse) and `next` takes its place; the family keeps exactly one live token.
   */
  rotateRefreshToken(oldHash: string, next: RefreshTokenRecord, now: number, retryWindow?: number): Promise<RotateRefreshResult>;
  /** The grant a refresh token belongs to, whatever its state (for revocation and introspection). */
  findRefreshToken(tokenHash: string): Promise<(RefreshTokenRecord & { grant: GrantRecord }) | undefined>;
  /** Revokes the whole family: the grant and all its refresh tokens. */
  revokeGrant(id: string, now: number): Promise<boolean>;
  /** Revokes every live grant of a user for a client (the account page's "Revoke access"). */
  revokeGrantsFor(userId: string, clientId: string, now: number): Promise<number>;
  listActiveGrants(userId: string, now: number): Promise<GrantRecord[]>;

  // revoked access tokens (JWT ids remembered until the token would have expired)
  revokeAccessToken(jti: string, expiresAt: number): Promise<void>;
  isAccessTokenRevoked(jti: string): Promise<boolean>;

  // failure counters (login throttling, rate limits of the client-authenticated endpoints), shared by every instance
  /** Counts a failure for `key` in a fixed window that starts with its first failure; atomic. */
  recordFailure(key: string, now: number, windowSeconds: number): Promise<FailureCount>;
  failureCount(key: string, now: number, windowSeconds: number): Promise<FailureCount>;
  clearFailures(key: string): Promise<void>;

  // audit trail
  addAuditEvent(event: AuditEvent, now: number): Promise<void>;

  // cross-process cache invalidation
  /** Bumps the version of a cached topic; every instance polling `cacheVersions` sees it. */
  bumpCacheVersion(topic: CacheTopic): Promise<void>;
  cacheVersions(): Promise<Record<CacheTopic, number>>;

  /** Deletes a bounded batch of expired rows of every kind; returns how many went. */
  deleteExpired(now: number, batchSize: number): Promise<number>;
}

/** A uniqueness conflict (duplicate username, client id, API identifier or scope). */
export class StoreConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConflict';
  }
}

/** The database could not be reached; requests answer temporarily_unavailable. */
export class StoreUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailable';
  }
}
