// OpenID Connect Core §5.1 claims a user may have beyond name and email (email_verified, phone_number,
// phone_number_verified, address), and each client's choice of where the scope claims go: in the ID token
// (1, the default, also for every client before this migration) or only at UserInfo (0). Forward only.
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('users').addColumn('email_verified', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('users').addColumn('phone_number', 'text').execute();
  await db.schema.alterTable('users').addColumn('phone_number_verified', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('users').addColumn('address', 'text').execute();
  await db.schema.alterTable('clients').addColumn('id_token_claims', 'integer', (c) => c.notNull().defaultTo(1)).execute();
}
