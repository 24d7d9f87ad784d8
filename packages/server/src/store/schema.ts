// Table shapes as Kysely sees them (snake_case columns; booleans as 0/1; lists as JSON text; times as Unix seconds).

export interface ClientsTable {
  id: string; name: string; secret_hash: string | null; is_public: number; redirect_uris: string;
  grant_types: string; scopes: string; require_pkce: number; id_token_alg: string; created_at: number; updated_at: number;
  registration: string; id_token_claims: number; client_uri: string | null; logo_uri: string | null; application_type: string | null;
  registration_token_hash: string | null; first_used_at: number | null; blocked_at: number | null;
  access_token_ttl: number | null; id_token_ttl: number | null; refresh_idle_ttl: number | null; refresh_absolute_ttl: number | null;
  refresh_grace: number | null;
  post_logout_redirect_uris: string; backchannel_logout_uri: string | null; backchannel_logout_session_required: number;
  require_par: number; require_dpop: number; jwks: string | null; jwks_uri: string | null; profile: string | null;
  require_mfa: number;
}
export interface PushedRequestsTable { uri_hash: string; client_id: string; request: string; created_at: number; expires_at: number }
export interface ApisTable { id: string; identifier: string; name: string; created_at: number }
export interface ApiScopesTable { api_id: string; name: string; description: string }
export interface ApiIntrospectorsTable { api_id: string; client_id: string }
export interface ApiTokenExchangersTable { api_id: string; client_id: string }
export interface UsersTable {
  id: string; username: string; email: string | null; name: string | null; password_hash: string;
  created_at: number; updated_at: number; email_verified: number; phone_number: string | null; phone_number_verified: number;
  address: string | null;
}
export interface SigningKeysTable {
  kid: string; alg: string; public_jwk: string; private_jwk_sealed: string; created_at: number;
  activates_at: number | null; retired_at: number | null; expires_at: number | null;
}
export interface ConsentsTable { user_id: string; client_id: string; scopes: string; granted_at: number; updated_at: number }
export interface SessionsTable {
  id_hash: string; user_id: string; auth_time: number; created_at: number; expires_at: number; amr: string;
  sid: string | null; user_agent: string | null; last_active_at: number | null;
}
/** Which clients took part in a session (a code was issued under it): who gets a back-channel logout token. */
export interface SessionClientsTable { sid: string; client_id: string; user_id: string; created_at: number }
/** The outbox of back-channel logout tokens (Back-Channel Logout 1.0 §2.5), claimed by a worker with a lease. */
export interface LogoutDeliveriesTable {
  id: string; client_id: string; user_id: string; sid: string; uri: string; status: string; attempts: number;
  next_attempt_at: number; lease_owner: string | null; lease_until: number | null; last_error: string | null;
  created_at: number; finished_at: number | null;
}
export interface AuthCodesTable {
  code_hash: string; client_id: string; user_id: string; redirect_uri: string; code_challenge: string | null;
  nonce: string | null; scopes: string; audience: string | null; auth_time: number; amr: string; created_at: number;
  expires_at: number; consumed_at: number | null; grant_id: string | null; sid: string | null; claims: string | null; dpop_jkt: string | null;
}
export interface GrantsTable {
  id: string; client_id: string; user_id: string; scopes: string; audience: string | null; auth_time: number; amr: string;
  created_at: number; last_used_at: number; expires_at: number; revoked_at: number | null; sid: string | null; claims: string | null; dpop_jkt: string | null;
}
export interface UsedJtisTable { key: string; expires_at: number }
export interface RefreshTokensTable {
  token_hash: string; grant_id: string; created_at: number; expires_at: number; rotated_at: number | null;
  /** The token that replaced this one when it was rotated (null while live, and for a superseded successor). */
  successor_hash: string | null;
  /** The token this one was issued for (null for a grant's first token); answers to one token are siblings. */
  parent_hash: string | null;
}
export interface RevokedTokensTable { jti: string; expires_at: number }
export interface LoginFailuresTable { key: string; failures: number; window_start: number }
export interface AuditEventsTable {
  id: string; at: number; type: string; client_id: string | null; user_id: string | null; detail: string | null;
  request_id: string | null;
}
export interface InteractionsTable {
  id: string; browser_hash: string; client_id: string; request: string; user_id: string | null;
  auth_time: number | null; amr: string | null; created_at: number; expires_at: number;
}
export interface DeviceCodesTable {
  device_code_hash: string; user_code_hash: string; client_id: string; scopes: string; audience: string | null;
  poll_interval: number; last_polled_at: number | null; status: string; user_id: string | null; auth_time: number | null;
  decided_at: number | null; grant_id: string | null; created_at: number; expires_at: number;
}
export interface PasskeysTable {
  id: string; user_id: string; name: string; public_key: string; counter: number; transports: string; device_type: string;
  backed_up: number; created_at: number; last_used_at: number | null;
}
export interface WebAuthnChallengesTable {
  challenge_hash: string; browser_hash: string; purpose: string; user_id: string | null; created_at: number; expires_at: number;
}
export interface TotpFactorsTable { user_id: string; secret_sealed: string; confirmed_at: number | null; last_step: number; created_at: number }
export interface RecoveryCodesTable { code_hash: string; user_id: string; used_at: number | null; created_at: number }
export interface CacheVersionsTable { topic: string; version: number }

export interface Database {
  clients: ClientsTable;
  apis: ApisTable;
  api_scopes: ApiScopesTable;
  api_introspectors: ApiIntrospectorsTable;
  api_token_exchangers: ApiTokenExchangersTable;
  users: UsersTable;
  signing_keys: SigningKeysTable;
  consents: ConsentsTable;
  sessions: SessionsTable;
  auth_codes: AuthCodesTable;
  grants: GrantsTable;
  refresh_tokens: RefreshTokensTable;
  revoked_tokens: RevokedTokensTable;
  login_failures: LoginFailuresTable;
  audit_events: AuditEventsTable;
  cache_versions: CacheVersionsTable;
  interactions: InteractionsTable;
  device_codes: DeviceCodesTable;
  session_clients: SessionClientsTable;
  logout_deliveries: LogoutDeliveriesTable;
  pushed_requests: PushedRequestsTable;
  used_jtis: UsedJtisTable;
  passkeys: PasskeysTable;
  webauthn_challenges: WebAuthnChallengesTable;
  totp_factors: TotpFactorsTable;
  recovery_codes: RecoveryCodesTable;
}
