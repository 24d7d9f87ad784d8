// RFC 9126 pushed authorization requests: the validated request kept server-side under the SHA-256 of its request_uri
// (single use, short lived, bound to the client), and the per-client "PAR required" setting (§6). Forward only.
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.createTable('pushed_requests')
    .addColumn('uri_hash', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pushed_requests_expires_at').on('pushed_requests').column('expires_at').execute();
  await db.schema.alterTable('clients').addColumn('require_par', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
