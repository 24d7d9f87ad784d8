// Public API of @latchkey/client: the backend-for-frontend kit (IETF OAuth 2.0 for Browser-Based Applications §6.1).
export { createLatchkeyClient } from './latchkey-client.ts';
export type { LatchkeyClient, LatchkeySession } from './latchkey-client.ts';
export type { LatchkeyClientOptions, UpstreamOptions } from './client-options.ts';
export type { AccessTokenOptions } from './access-token-refresh.ts';
export { createSqliteStore } from './store/sqlite-store.ts';
export type { SqliteStoreOptions } from './store/sqlite-store.ts';
export { createPostgresStore } from './store/postgres-store.ts';
export type { PostgresStoreOptions } from './store/postgres-store.ts';
export type { LatchkeyStore, SessionRecord, TransactionRecord, SessionTokenUpdate } from './store/store-records.ts';
export { generateEncryptionKey } from './token-encryption.ts';
export type { EncryptionKey } from './token-encryption.ts';
export { safeReturnTo } from './return-to.ts';
export {
  LatchkeyError, CallbackError, ReauthenticationRequired, ScopesRequired, CrossSiteRequestRejected,
  UpstreamNotAllowed, NotAuthenticated, TokenRefreshFailed,
} from './errors.ts';
export type { CallbackErrorCode } from './errors.ts';
export type { LatchkeyRoutes, LatchkeyRequestContext } from './adapters/node-http-bridge.ts';
// Framework adapters are entry points of their own: @latchkey/client/fastify and @latchkey/client/express.
