// Clients nobody vetted (RFC 7591 dynamic registration, client ID metadata documents): what they say about themselves
// (client_uri, logo_uri, application_type), the hash of their RFC 7592 registration access token, when they were first
// used (a registration never used is removed after `unusedClientTtl`), and an operator's block. Forward only.
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('clients').addColumn('client_uri', 'text').execute();
  await db.schema.alterTable('clients').addColumn('logo_uri', 'text').execute();
  await db.schema.alterTable('clients').addColumn('application_type', 'text').execute();
  await db.schema.alterTable('clients').addColumn('registration_token_hash', 'text').execute();
  await db.schema.alterTable('clients').addColumn('first_used_at', 'bigint').execute();
  await db.schema.alterTable('clients').addColumn('blocked_at', 'bigint').execute();
}
