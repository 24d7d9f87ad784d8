// How a client was registered: 'operator' (the CLI or the embedding code; every client before this migration) or
// 'dynamic' (not vetted by the operator). Errors before sign-in are redirected only to operator clients
// (authorization/error-redirect-policy.ts).
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('clients').addColumn('registration', 'text', (c) => c.notNull().defaultTo('operator')).execute();
}
