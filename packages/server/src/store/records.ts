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
  /** Every sign-in for this client needs a second factor or a passkey (a session without is stepped up). */
  requireMfa: boolean;
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
  /** argon2id encoded hash; null when the user removed their password (they sign in with a passkey). */
  passwordHash: string | null;
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
  createdAt: number;
  /** When a newer key of the same alg replaced it; it still verifies until expiresAt. */
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
  /** RFC 8176 authentication methods of the sign-in (e.g. ["pwd"], ["pwd", "otp", "mfa"], ["hwk", "user", "mfa"]). */
  amr: string[];
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
  /** RFC 8176 methods of the sign-in behind the code (for the ID token's amr and acr). */
  amr: string[];
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
  /** RFC 8176 methods of the sign-in the grant came from (refreshed ID tokens keep them). */
  amr: string[];
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
  /** The methods of that sign-in; null while a login is still needed. */
  amr: string[] | null;
  createdAt: number;
  expiresAt: number;
}

/** A passkey (WebAuthn Level 3 §6.1 credential record) registered by a user. */
export interface PasskeyRecord {
  /** The credential id, base64url. */
  id: string;
  userId: string;
  /** The user's name for it ("Phone", "YubiKey"). */
  name: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The signature counter last seen (§6.1.1); 0 for authenticators that keep none. */
  counter: number;
  /** Transports the authenticator reported (hints for the browser). */
  transports: string[];
  /** §6.1.3: 'multiDevice' when the credential may be synced (backup eligible), else 'singleDevice'. */
  deviceType: 'singleDevice' | 'multiDevice';
  /** The backup state flag (BS) last seen. */
  backedUp: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

/** A ceremony's challenge, or ('second-factor') the account page's pending sign-in between the password and the code. */
export type WebAuthnPurpose = 'registration' | 'authentication' | 'second-factor';

/** A WebAuthn challenge waiting for its answer: single use, short-lived, bound to the browser that asked. */
export interface WebAuthnChallengeRecord {
  /** SHA-256 of the challenge (base64url). */
  challengeHash: string;
  /** SHA-256 of the browser-binding cookie (authorization/interactions.ts). */
  browserHash: string;
  purpose: WebAuthnPurpose;
  /** Registration: the signed-in user adding a passkey; authentication: null (discoverable credentials). */
  userId: string | null;
  createdAt: number;
  expiresAt: number;
}

/** A user's TOTP second factor (RFC 6238). */
export interface TotpFactorRecord {
  userId: string;
  /** The shared secret, sealed (crypto/encryption.ts, AAD = user id). */
  secretSealed: string;
  /** When a first code confirmed it; an unconfirmed factor is not asked for at sign-in. */
  confirmedAt: number | null;
  /** The last accepted time step (RFC 6238 §5.2: a code is accepted once). */
  lastStep: number;
  createdAt: number;
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

export interface AuditEvent {
  type: string;
  clientId?: string | null;
  userId?: string | null;
  detail?: Record<string, unknown>;
}

export type CacheTopic = 'clients' | 'apis' | 'keys';
