// Which clients may introspect an API's tokens (RFC 7662 §2.2: a resource server learns about tokens meant for it).
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.createTable('api_introspectors')
    .addColumn('api_id', 'text', (c) => c.notNull().references('apis.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('api_introspectors_pk', ['api_id', 'client_id'])
    .execute();
}
