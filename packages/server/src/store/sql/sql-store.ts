// The Store over SQL through Kysely: one implementation for SQLite and PostgreSQL (the dialect differs, not the code),
// composed of one slice per artifact (store/sql/*.ts) over a shared Kysely handle.
import { sql, type Kysely } from 'kysely';
import { runMigrations } from '../migrations/run-migrations.ts';
import type { Database } from '../schema.ts';
import type { PoolStats, Store } from '../store.ts';
import { sqlApiStore } from './apis.ts';
import { sqlAuditStore } from './audit-events.ts';
import { sqlCacheVersionStore } from './cache-versions.ts';
import { sqlClientStore } from './clients.ts';
import { sqlCodeStore } from './codes.ts';
import { sqlConsentStore } from './consents.ts';
import { sqlDeviceCodeStore } from './device-codes.ts';
import { sqlExpiryStore } from './expiry.ts';
import { sqlFailureCounterStore } from './failure-counters.ts';
import { sqlGrantStore } from './grants.ts';
import { sqlInteractionStore } from './interactions.ts';
import { sqlLogoutDeliveryStore } from './logout-deliveries.ts';
import { sqlPushedRequestStore } from './pushed-requests.ts';
import { sqlPasskeyStore } from './passkeys.ts';
import { sqlSecondFactorStore } from './second-factors.ts';
import { sqlRevokedTokenStore } from './revoked-tokens.ts';
import { sqlSessionStore } from './sessions.ts';
import { sqlSigningKeyStore } from './signing-keys.ts';
import { sqlUsedJtiStore } from './used-jtis.ts';
import { sqlUserStore } from './users.ts';
import type { SqlDatabase } from './sql-database.ts';

/** The Store plus its Kysely handle (for the CLI, tests and the store invariants; domain code sees only `Store`). */
export interface SqlStore extends Store {
  readonly db: Kysely<Database>;
}

export function createSqlStore(db: Kysely<Database>, kind: SqlDatabase['kind'], poolStats?: () => PoolStats): SqlStore {
  const database: SqlDatabase = { db, kind };
  return {
    db,
    kind,
    ...(poolStats ? { poolStats } : {}),
    async migrate() {
      return { applied: await runMigrations(db, kind) };
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
    ...sqlClientStore(database),
    ...sqlApiStore(database),
    ...sqlUserStore(database),
    ...sqlSigningKeyStore(database),
    ...sqlConsentStore(database),
    ...sqlSessionStore(database),
    ...sqlInteractionStore(database),
    ...sqlPushedRequestStore(database),
    ...sqlCodeStore(database),
    ...sqlDeviceCodeStore(database),
    ...sqlGrantStore(database),
    ...sqlRevokedTokenStore(database),
    ...sqlFailureCounterStore(database),
    ...sqlAuditStore(database),
    ...sqlCacheVersionStore(database),
    ...sqlExpiryStore(database),
    ...sqlLogoutDeliveryStore(database),
    ...sqlUsedJtiStore(database),
    ...sqlPasskeyStore(database),
    ...sqlSecondFactorStore(database),
  };
}
