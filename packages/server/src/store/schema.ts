// Table shapes as Kysely sees them (snake_case columns; booleans as 0/1; lists as JSON text; times as Unix seconds).

export interface ClientsTable {
  id: string; name: string; secret_hash: string | null; is_public: number; redirect_uris: string;
  grant_types: string; scopes: string; require_pkce: number; id_token_alg: string; created_at: number; updated_at: number;
  registration: string; id_token_claims: number;
}
export interface ApisTable { id: string; identifier: string; name: string; created_at: number }
export interface ApiScopesTable { api_id: string; name: string; description: string }
export interface ApiIntrospectorsTable { api_id: string; client_id: string }
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
export interface SessionsTable { id_hash: string; user_id: string; auth_time: number; created_at: number; expires_at: number }
export interface AuthCodesTable {
  code_hash: string; client_id: string; user_id: string; redirect_uri: string; code_challenge: string | null;
  nonce: string | null; scopes: string; audience: string | null; auth_time: number; created_at: number;
  expires_at: number; consumed_at: number | null; grant_id: string | null;
}
export interface GrantsTable {
  id: string; client_id: string; user_id: string; scopes: string; audience: string | null; auth_time: number;
  created_at: number; last_used_at: number; expires_at: number; revoked_at: number | null;
}
export interface RefreshTokensTable {
  token_hash: string; grant_id: string; created_at: number; expires_at: number; rotated_at: number | null;
  /** The token that replaced this one when it was rotated (null while live, and for a superseded successor). */
  successor_hash: string | null;
}
export interface RevokedTokensTable { jti: string; expires_at: number }
export interface LoginFailuresTable { key: string; failures: number; window_start: number }
export interface AuditEventsTable {
  id: string; at: number; type: string; client_id: string | null; user_id: string | null; detail: string | null;
  request_id: string | null;
}
export interface InteractionsTable {
  id: string; browser_hash: string; client_id: string; request: string; user_id: string | null;
  auth_time: number | null; created_at: number; expires_at: number;
}
export interface CacheVersionsTable { topic: string; version: number }

export interface Database {
  clients: ClientsTable;
  apis: ApisTable;
  api_scopes: ApiScopesTable;
  api_introspectors: ApiIntrospectorsTable;
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
}
