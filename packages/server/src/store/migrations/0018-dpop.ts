// RFC 9449 DPoP: the key a code is bound to (dpop_jkt at /authorize, §10), the key a public client's refresh tokens are
// bound to (§5, kept on the grant), the per-client "DPoP required" setting, and the one-time identifiers (`jti`) of
// DPoP proofs and client assertions seen by any instance (§11.1; RFC 7523 §3 item 7). Forward only.
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('auth_codes').addColumn('dpop_jkt', 'text').execute();
  await db.schema.alterTable('grants').addColumn('dpop_jkt', 'text').execute();
  await db.schema.alterTable('clients').addColumn('require_dpop', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createTable('used_jtis')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('used_jtis_expires_at').on('used_jtis').column('expires_at').execute();
}
