// The records the client kit keeps server-side (RFC 9700 §4.1: keep OAuth state out of the browser).

/** A pending authorization request (login or incremental authorization). Keyed by SHA-256 of `state`. */
export interface TransactionRecord {
  /** SHA-256 hex of the `state` value sent to the provider. */
  id: string;
  /** SHA-256 hex of the browser-binding cookie that started the attempt. */
  binding: string;
  /** Encrypted JSON: PKCE verifier, nonce, return path, requested scopes, purpose. */
  payload: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** A signed-in browser session. Keyed by SHA-256 of the session cookie; token columns are encrypted. */
export interface SessionRecord {
  id: string;
  /** The ID token's `sub`. */
  subject: string;
  /** The provider's session id (the ID token's `sid`), by which a back-channel logout finds the session; null without one. */
  providerSid: string | null;
  /** Encrypted JSON of the ID token claims. */
  profile: string;
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  /** Epoch milliseconds; null when the provider gave no expires_in. */
  accessExpiresAt: number | null;
  /** Epoch milliseconds after which the access token is refreshed proactively; null = never. */
  refreshAt: number | null;
  /** Encrypted JSON of access tokens for upstream audiences (RFC 8707), or null. */
  audienceTokens: string | null;
  /** Encrypted private JWK of the session's DPoP key (RFC 9449), or null when the kit does not use DPoP. */
  dpopKey: string | null;
  /** Space-separated granted scopes (union over all authorizations of this session). */
  scopes: string;
  reauthRequired: boolean;
  /** Incremented on every token update. */
  version: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  createdAt: number;
  expiresAt: number;
}

/** The token columns a refresh or an incremental authorization rewrites. */
export type SessionTokenUpdate = Pick<
  SessionRecord,
  'accessToken' | 'refreshToken' | 'idToken' | 'accessExpiresAt' | 'refreshAt' | 'scopes' | 'profile' | 'audienceTokens' | 'dpopKey'
>;

/**
 * What the client kit needs from persistence. One Kysely implementation serves SQLite and PostgreSQL. Its verbs are
 * the server Store's (docs/architecture.md, "Storage"): get = by key or undefined, create, update, delete,
 * consume = take exactly once, list; acquire/release a lease.
 */
export interface LatchkeyStore {
  /** Creates or upgrades the tables; safe to call from several processes at once. */
  migrate(): Promise<void>;
  createTransaction(record: TransactionRecord): Promise<void>;
  /** Deletes and returns the live transaction with this id and binding, atomically: a second call gets undefined. */
  consumeTransaction(id: string, binding: string, now: number): Promise<TransactionRecord | undefined>;
  createSession(record: SessionRecord): Promise<void>;
  /** The live (not expired) session with this id. */
  getSession(id: string, now: number): Promise<SessionRecord | undefined>;
  /**
   * Rewrites token columns and bumps `version`. With `leaseOwner`, only while that owner holds the lease (and the
   * lease is released in the same statement). Returns whether a row was updated.
   */
  updateSessionTokens(id: string, update: SessionTokenUpdate, leaseOwner?: string): Promise<boolean>;
  /** Conditional update: takes the refresh lease when nobody holds a live one. */
  acquireRefreshLease(id: string, owner: string, now: number, until: number): Promise<boolean>;
  releaseRefreshLease(id: string, owner: string): Promise<void>;
  markReauthenticationRequired(id: string): Promise<void>;
  deleteSession(id: string): Promise<boolean>;
  /**
   * Back-Channel Logout 1.0 §2.7: deletes the sessions of the provider's session `providerSid` (and of `subject`, when
   * both are given) or, with `subject` alone, every session of that user. Returns how many went.
   */
  deleteSessionsForProvider(selector: { subject?: string; providerSid?: string }): Promise<number>;
  /** Remembers a logout token's id until `expiresAt`; false when it was already seen (a replay, §2.6 step 10). */
  recordLogoutToken(id: string, expiresAt: number): Promise<boolean>;
  /** Deletes expired transactions, sessions and remembered logout tokens. */
  deleteExpired(now: number): Promise<void>;
  /** Every session's id and encrypted columns, for re-encryption after a key rotation. */
  listSessionsForReencryption(afterId: string, limit: number): Promise<SessionRecord[]>;
  close(): Promise<void>;
}
