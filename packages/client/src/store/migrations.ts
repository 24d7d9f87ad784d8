// The store's own schema migrations (one list, both dialects); applied in order, each once.
import type { Kysely } from 'kysely';

export interface Migration {
  version: number;
  up(db: Kysely<unknown>): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    async up(db) {
      await db.schema.createTable('latchkey_transactions').ifNotExists()
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('binding', 'varchar(64)', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('latchkey_transactions_expires_at').ifNotExists()
        .on('latchkey_transactions').column('expires_at').execute();
      await db.schema.createTable('latchkey_sessions').ifNotExists()
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('profile', 'text', (c) => c.notNull())
        .addColumn('access_token', 'text', (c) => c.notNull())
        .addColumn('refresh_token', 'text')
        .addColumn('id_token', 'text')
        .addColumn('access_expires_at', 'bigint')
        .addColumn('refresh_at', 'bigint')
        .addColumn('audience_tokens', 'text')
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('reauth_required', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('latchkey_sessions_expires_at').ifNotExists()
        .on('latchkey_sessions').column('expires_at').execute();
      await db.schema.createIndex('latchkey_sessions_subject').ifNotExists()
        .on('latchkey_sessions').column('subject').execute();
    },
  },
  {
    // OpenID Connect Back-Channel Logout 1.0 §2.6-2.7: sessions are found by the provider's session id (`sid` of the
    // ID token), and the `jti` of every accepted logout token is remembered until it expires (replay protection).
    version: 2,
    async up(db) {
      await db.schema.alterTable('latchkey_sessions').addColumn('provider_sid', 'text').execute();
      await db.schema.createIndex('latchkey_sessions_provider_sid').ifNotExists()
        .on('latchkey_sessions').column('provider_sid').execute();
      await db.schema.createTable('latchkey_logout_tokens').ifNotExists()
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  {
    // RFC 9449: the session's DPoP private key (encrypted like the tokens), when the kit uses DPoP.
    version: 3,
    async up(db) {
      await db.schema.alterTable('latchkey_sessions').addColumn('dpop_key', 'text').execute();
    },
  },
];

/** Ensures the bookkeeping table exists (outside the migration transaction so every dialect accepts it). */
export async function ensureMigrationTable(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('latchkey_migrations').ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('applied_at', 'bigint', (c) => c.notNull())
    .execute();
}
