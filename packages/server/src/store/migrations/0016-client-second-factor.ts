// A client may require a second factor (or a passkey) for every sign-in it receives: the sessions that do not meet
// it are stepped up (OpenID Connect Core §3.1.2.1 acr_values semantics, as a per-client default). Forward only.
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('clients').addColumn('require_mfa', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
