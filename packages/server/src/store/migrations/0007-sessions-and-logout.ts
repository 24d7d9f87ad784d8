// Logout (OpenID Connect RP-Initiated Logout 1.0, Back-Channel Logout 1.0 §2.2-2.5): sessions get a public id (`sid`,
// carried in ID tokens), the browser they came from and when they were last used; codes and grants remember the session
// they were issued under; `session_clients` records which clients took part in a session; clients register
// post-logout redirect URIs and a back-channel logout URI; `logout_deliveries` is the outbox of logout tokens to POST.
// Sessions that exist before this migration get a random sid here. Forward only.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('sid', 'text').execute();
  await db.schema.alterTable('sessions').addColumn('user_agent', 'text').execute();
  await db.schema.alterTable('sessions').addColumn('last_active_at', 'bigint').execute();
  const existing = await db.selectFrom('sessions').select(['id_hash', 'created_at']).execute() as Array<{ id_hash: string; created_at: number }>;
  for (const row of existing) {
    await db.updateTable('sessions').set({ sid: randomBytes(16).toString('base64url'), last_active_at: row.created_at }).where('id_hash', '=', row.id_hash).execute();
  }
  await db.schema.createIndex('sessions_sid').unique().on('sessions').column('sid').execute();
  await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();

  await db.schema.alterTable('auth_codes').addColumn('sid', 'text').execute();
  await db.schema.alterTable('grants').addColumn('sid', 'text').execute();

  await db.schema.alterTable('clients').addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('clients').addColumn('backchannel_logout_uri', 'text').execute();
  await db.schema.alterTable('clients').addColumn('backchannel_logout_session_required', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  await db.schema.createTable('session_clients')
    .addColumn('sid', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('session_clients_pk', ['sid', 'client_id'])
    .execute();

  await db.schema.createTable('logout_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('sid', 'text', (c) => c.notNull())
    .addColumn('uri', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema.createIndex('logout_deliveries_due').on('logout_deliveries').columns(['status', 'next_attempt_at']).execute();
}
