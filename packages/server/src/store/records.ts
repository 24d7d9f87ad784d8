// The records the Store keeps. Times are Unix seconds. Raw secrets never appear here: only their hashes.

export type SigningAlg = 'RS256' | 'ES256' | 'EdDSA';
export const SIGNING_ALGS: readonly SigningAlg[] = ['RS256', 'ES256', 'EdDSA'];

export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';
export const GRANT_TYPES: readonly GrantType[] = ['authorization_code', 'refresh_token', 'client_credentials'];

/** Who registered a client: the operator (CLI, embedding code) or the client itself, unvetted (dynamic registration). */
export type ClientRegistration = 'operator' | 'dynamic';
export const CLIENT_REGISTRATIONS: readonly ClientRegistration[] = ['operator', 'dynamic'];

export interface ClientRecord {
  id: string;
  name: string;
  /** SHA-256 of the client secret; null for public clients. */
  secretHash: string | null;
  isPublic: boolean;
  redirectUris: string[];
  grantTypes: GrantType[];
  /** Scopes the client may request; also its default set for client credentials. */
  scopes: string[];
  /** PKCE S256 is required unless a confidential client is explicitly relaxed. */
  requirePkce: boolean;
  idTokenAlg: SigningAlg;
  /** How it was registered; errors before sign-in are redirected only to operator-registered clients. */
  registration: ClientRegistration;
  /** Whether the ID token carries the claims of the granted profile/email/phone/address scopes (true, the default),
   *  or only UserInfo serves them (false, for clients that want small ID tokens). */
  idTokenClaims: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface ApiScope {
  name: string;
  /** What a consent screen shows, e.g. "read your contacts". */
  description: string;
}

export interface ApiRecord {
  id: string;
  /** The audience (`aud`) of access tokens for this API, e.g. https://contacts.example. */
  identifier: string;
  name: string;
  scopes: ApiScope[];
  /** Clients (the API's own, confidential) that may introspect tokens issued for this API (RFC 7662 §2.2). */
  introspectors: string[];
  createdAt: number;
}

export interface UserRecord {
  /** Stable, opaque identifier; the `sub` of ID tokens. */
  id: string;
  username: string;
  email: string | null;
  /** Whether the operator vouched for the email address (OpenID Connect Core §5.1 `email_verified`). */
  emailVerified: boolean;
  name: string | null;
  /** E.164 or free form, as registered; null when unknown. */
  phoneNumber: string | null;
  phoneNumberVerified: boolean;
  /** The postal address as one formatted block (the `formatted` member of the §5.1.1 address claim). */
  address: string | null;
  /** argon2id encoded hash. */
  passwordHash: string;
  createdAt: number;
  updatedAt: number;
}

export interface SigningKeyRecord {
  kid: string;
  alg: SigningAlg;
  /** Public JWK as JSON. */
  publicJwk: string;
  /** Private JWK, sealed with AES-256-GCM (crypto/encryption.ts). */
  privateJwkSealed: string;
  /** When it was published (entered the JWKS). */
  createdAt: number;
  /** When it starts signing: at least the publication lead time after createdAt, so every cached JWKS knows it first. */
  activatesAt: number;
  /** When a newer key of the same alg replaces it (may be in the future while the successor waits to activate);
   *  null for the current key of its alg. It still verifies until expiresAt. */
  retiredAt: number | null;
  /** When no token it signed can still be valid; then it leaves the JWKS. */
  expiresAt: number | null;
}

export interface ConsentRecord {
  userId: string;
  clientId: string;
  scopes: string[];
  grantedAt: number;
  updatedAt: number;
}

export interface SessionRecord {
  /** SHA-256 of the session cookie value. */
  idHash: string;
  userId: string;
  authTime: number;
  createdAt: number;
  expiresAt: number;
}

export interface AuthorizationCodeRecord {
  codeHash: string;
  clientId: string;
  userId: string;
  /** The redirect_uri the authorization request carried, or '' when it carried none (the client's one
   *  registered URI was used); RFC 6749 §4.1.3 then lets the token request omit it. */
  redirectUri: string;
  codeChallenge: string | null;
  nonce: string | null;
  scopes: string[];
  /** Audience of the access token (an API identifier), or null when only OpenID scopes were granted. */
  audience: string | null;
  authTime: number;
  createdAt: number;
  expiresAt: number;
  /** Set when the code was exchanged (in the same transaction as its grant); a second exchange is reuse. */
  consumedAt: number | null;
  /** The grant created from this code (set with consumedAt), so reuse can revoke it. */
  grantId: string | null;
}

/** A refresh-token family: everything issued from one authorization. */
export interface GrantRecord {
  id: string;
  clientId: string;
  userId: string;
  scopes: string[];
  audience: string | null;
  authTime: number;
  createdAt: number;
  lastUsedAt: number;
  /** Absolute lifetime of the family. */
  expiresAt: number;
  revokedAt: number | null;
}

export interface RefreshTokenRecord {
  tokenHash: string;
  grantId: string;
  createdAt: number;
  /** Idle lifetime: a token unused until then is dead. */
  expiresAt: number;
  rotatedAt: number | null;
}

/** An authorization request waiting for the user to sign in or consent (kept server-side, never in form fields). */
export interface InteractionRecord {
  /** Random identifier; it appears in the interaction page's URL. */
  id: string;
  /** SHA-256 of the browser-binding cookie: only the browser that started the request can continue it. */
  browserHash: string;
  clientId: string;
  /** The validated authorization request, as JSON. */
  request: string;
  /** The user who signed in for this request; null while a login is still needed. */
  userId: string | null;
  authTime: number | null;
  createdAt: number;
  expiresAt: number;
}

/** What consuming a code did: it was consumed together with its grant, or nothing was written. */
export type ConsumeCodeResult =
  | { status: 'ok' }
  /** Consumed before (by an earlier or a concurrent request); grantId names the grant it produced. */
  | { status: 'reused'; grantId: string | null }
  | { status: 'expired' }
  | { status: 'not_found' };

export type RotateRefreshResult =
  /** retried: the presented token had just been rotated and its successor was never used (see rotateRefreshToken). */
  | { status: 'ok'; grant: GrantRecord; retried: boolean }
  | { status: 'reused'; grantId: string }
  | { status: 'expired' }
  | { status: 'not_found' };

/** Failures of one key in its current window; `resetAt` is when the window ends (Unix seconds). */
export interface FailureCount {
  count: number;
  resetAt: number;
}

/** A security event (types and fields: audit-trail/audit-event-types.ts and docs/audit-events.md). */
export interface AuditEvent {
  type: string;
  clientId?: string | null;
  userId?: string | null;
  /** The HTTP request it happened in (the x-request-id the response carried); null for the CLI and background work. */
  requestId?: string | null;
  detail?: Record<string, unknown>;
}

/** An audit event as stored. */
export interface StoredAuditEvent {
  id: string;
  at: number;
  type: string;
  clientId: string | null;
  userId: string | null;
  requestId: string | null;
  detail: Record<string, unknown>;
}

export type CacheTopic = 'clients' | 'apis' | 'keys';
