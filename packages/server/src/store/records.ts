// The records the Store keeps. Times are Unix seconds. Raw secrets never appear here: only their hashes.

export type SigningAlg = 'RS256' | 'ES256' | 'EdDSA';
export const SIGNING_ALGS: readonly SigningAlg[] = ['RS256', 'ES256', 'EdDSA'];

/** RFC 8628 §3.4: the grant_type of the device authorization grant. */
export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8693 §2.1: the token exchange grant type. */
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials' | typeof DEVICE_CODE_GRANT_TYPE | typeof TOKEN_EXCHANGE;
export const GRANT_TYPES: readonly GrantType[] = ['authorization_code', 'refresh_token', 'client_credentials', DEVICE_CODE_GRANT_TYPE, TOKEN_EXCHANGE];

/** Security profiles a client can be held to (clients/client-profile.ts). */
export type ClientProfile = 'fapi2';
export const CLIENT_PROFILES: readonly ClientProfile[] = ['fapi2'];

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
  /** Per-client lifetimes and refresh grace window; absent or null members mean the server's setting
   *  (clients/client-lifetimes.ts says how each combines with the server's). */
  lifetimes?: ClientLifetimes;
  /** Where RP-Initiated Logout may send the browser afterwards (exact match, RP-Initiated Logout 1.0 §3.1). */
  postLogoutRedirectUris: string[];
  /** Where logout tokens are POSTed (Back-Channel Logout 1.0 §2.2); null when the client takes none. */
  backchannelLogoutUri: string | null;
  /** Whether the client requires `sid` in logout tokens (§2.2); we always send it, so this is informational. */
  backchannelLogoutSessionRequired: boolean;
  /** RFC 9126 §6: authorization requests only through the pushed authorization request endpoint. */
  requirePar: boolean;
  /** RFC 9449: token requests must carry a DPoP proof, so every access token is bound to the client's key. */
  requireDpop: boolean;
  /** RFC 7523 private_key_jwt: the client's public keys as a JWKS (JSON), or null. */
  jwks: string | null;
  /** RFC 7523 private_key_jwt: where the client publishes its public keys, or null. A client with jwks or jwksUri
   *  authenticates only with private_key_jwt (it has no secret). */
  jwksUri: string | null;
  /** A security profile that tightens the client's rules: 'fapi2' (FAPI 2.0 Security Profile), or null. */
  profile: ClientProfile | null;
  createdAt: number;
  updatedAt: number;
  /** What an unvetted client says about itself (RFC 7591 §2): its home page and logo; null or absent when it said nothing. */
  clientUri?: string | null;
  logoUri?: string | null;
  /** RFC 7591 / OpenID Connect Dynamic Client Registration §2 application_type, for dynamically registered clients. */
  applicationType?: ApplicationType | null;
  /** SHA-256 of the RFC 7592 registration access token (dynamically registered clients only). */
  registrationTokenHash?: string | null;
  /** When the client first obtained tokens; a dynamic registration never used is removed after `unusedClientTtl`. */
  firstUsedAt?: number | null;
  /** Set while the operator blocks the client: it can neither start an authorization nor obtain tokens. */
  blockedAt?: number | null;
}

export type ApplicationType = 'web' | 'native';
/** Seconds; null = the server's setting. */
export interface ClientLifetimes {
  accessTokenTtl: number | null;
  idTokenTtl: number | null;
  refreshIdleTtl: number | null;
  refreshAbsoluteTtl: number | null;
  /** The refresh grace window (docs/refresh-tokens.md); 0 turns it off for this client. */
  refreshGrace: number | null;
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
  /** Clients (confidential, registered for token exchange) that may exchange a user's token for one of this API (RFC 8693). */
  exchangers: string[];
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
  /** The session's public id (OpenID Connect Front/Back-Channel Logout `sid`): random, unrelated to the cookie. */
  sid: string;
  userId: string;
  authTime: number;
  /** The browser's User-Agent when the session started (shortened), for the account page; null when unknown. */
  userAgent: string | null;
  /** RFC 8176 authentication methods of the sign-in (e.g. ["pwd"], ["pwd", "otp", "mfa"], ["hwk", "user", "mfa"]). */
  amr: string[];
  createdAt: number;
  /** When the session last served a request (sign-in, authorization); updated at most once a minute. */
  lastActiveAt: number;
  expiresAt: number;
}

/** A client that took part in a session: a code was issued to it under the session (Back-Channel Logout 1.0 §2.3). */
export interface SessionClientRecord {
  sid: string;
  clientId: string;
  userId: string;
  createdAt: number;
}

export type LogoutDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One logout token to POST to one client's back-channel logout URI (the outbox row, Back-Channel Logout 1.0 §2.5). */
export interface LogoutDeliveryRecord {
  id: string;
  clientId: string;
  /** The `sub` of the logout token. */
  userId: string;
  /** The `sid` of the logout token. */
  sid: string;
  uri: string;
  status: LogoutDeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  lastError: string | null;
  createdAt: number;
  finishedAt: number | null;
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
  /** The session the code was issued under (its `sid`), carried into the ID tokens; null when unknown. */
  sid: string | null;
  /** Claims the request asked for by name (OpenID Connect Core §5.5), as JSON; null when none. */
  claims: string | null;
  /** RFC 9449 §10: the JWK thumbprint (dpop_jkt) the token request's DPoP proof must be signed with, or null. */
  dpopJkt: string | null;
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
  /** The session the grant was issued under (`sid` of its ID tokens); null when unknown. */
  sid: string | null;
  /** Claims its authorization request asked for by name (OpenID Connect Core §5.5), as JSON; null when none. */
  claims: string | null;
  /** RFC 9449 §5: a public client's refresh tokens are bound to this DPoP key (JWK thumbprint); null when unbound. */
  dpopJkt: string | null;
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

/** Where a device authorization stands (RFC 8628 §3.5): waiting for the user, decided, or redeemed once. */
export type DeviceCodeStatus = 'pending' | 'approved' | 'denied' | 'consumed';

/** A device authorization request (RFC 8628 §3.1-3.2), keyed by the SHA-256 of its device code. */
export interface DeviceCodeRecord {
  deviceCodeHash: string;
  /** Keyed hash (HMAC) of the normalised user code: the code is short, so a plain hash could be reversed. */
  userCodeHash: string;
  clientId: string;
  scopes: string[];
  /** Audience of the access token (an API identifier), or null when only OpenID scopes were requested. */
  audience: string | null;
  /** Seconds the device must wait between polls; grows by 5 with every slow_down (RFC 8628 §3.5). */
  interval: number;
  lastPolledAt: number | null;
  status: DeviceCodeStatus;
  /** Who approved (the tokens are theirs) or denied; null while pending. */
  userId: string | null;
  authTime: number | null;
  decidedAt: number | null;
  /** The grant created when the code was redeemed. */
  grantId: string | null;
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

/** A pushed authorization request (RFC 9126 §2.2): the validated request, waiting for its one use at /authorize. */
export interface PushedRequestRecord {
  /** SHA-256 of the random part of the request_uri. */
  uriHash: string;
  clientId: string;
  /** The validated authorization request, as JSON (authorization/authorization-request.ts). */
  request: string;
  createdAt: number;
  expiresAt: number;
}

/** A user's decision on a pending device code. */
export type DeviceDecision =
  | { status: 'approved'; userId: string; authTime: number }
  | { status: 'denied'; userId: string };

/** What a poll did: accepted, or too soon after the previous one (the interval has grown). */
export type DevicePollResult = { status: 'ok' | 'slow_down'; interval: number };

/** What redeeming an approved device code did; only 'ok' wrote anything. */
export type ConsumeDeviceCodeResult =
  | { status: 'ok' }
  | { status: 'pending' | 'denied' | 'consumed' | 'expired' | 'not_found' };

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
  /** graced: the presented token had just been rotated and none of its answers was used yet (see rotateRefreshToken). */
  | { status: 'ok'; grant: GrantRecord; graced: boolean }
  | { status: 'reused'; grantId: string }
  /** Inside the grace window, but the token already has the most answers one token may have; nothing changed. */
  | { status: 'grace_exhausted' }
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
