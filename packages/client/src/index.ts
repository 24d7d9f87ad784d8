// Public API of @latchkey/client: the backend-for-frontend kit (IETF OAuth 2.0 for Browser-Based Applications §6.1).
export { createLatchkeyClient } from './latchkey-client.ts';
export type { LatchkeyClient, LatchkeySession } from './latchkey-client.ts';
export type { LatchkeyClientOptions, UpstreamOptions } from './client-options.ts';
export type { AccessTokenOptions } from './access-token-refresh.ts';
export type { ErrorResponseOptions } from './error-response.ts';
export { createSqliteStore } from './store/sqlite-store.ts';
export type { SqliteStoreOptions } from './store/sqlite-store.ts';
export { createPostgresStore } from './store/postgres-store.ts';
export type { PostgresStoreOptions } from './store/postgres-store.ts';
export type { LatchkeyStore, SessionRecord, TransactionRecord, SessionTokenUpdate } from './store/store-records.ts';
export { generateEncryptionKey } from './token-encryption.ts';
export type { EncryptionKey } from './token-encryption.ts';
export { safeReturnTo } from './return-to.ts';
export { checkSession } from './session-scopes.ts';
export {
  LatchkeyError, CallbackError, ReauthenticationRequiredError, InsufficientScopeError, CrossSiteRequestError,
  UpstreamNotAllowedError, UpstreamUnavailableError, NotAuthenticatedError, TokenRefreshError, InvalidRequestError,
  PayloadTooLargeError, ClientConfigurationError,
} from './errors.ts';
export type { CallbackErrorCode, CallbackReason, LatchkeyErrorCode } from './errors.ts';
// Framework adapters are entry points of their own: @latchkey/client/fastify and @latchkey/client/express.
// They are built on this file alone (test/kit-structure.test.ts): what they need, any other framework can use.
