// OpenID Connect Core §5.5: the claims an authorization request asked for by name (the `claims` parameter), kept with
// the code and then its grant, so ID tokens (also refreshed ones) and UserInfo release them. JSON, null when none.
// Forward only.
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('auth_codes').addColumn('claims', 'text').execute();
  await db.schema.alterTable('grants').addColumn('claims', 'text').execute();
}
