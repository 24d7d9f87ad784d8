// RFC 7523 / OpenID Connect Core §9 private_key_jwt: a client's public keys, inline (a JWKS) or by jwks_uri; and the
// per-client security profile ("fapi2": FAPI 2.0 Security Profile). Existing clients keep their secrets and no profile.
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('clients').addColumn('jwks', 'text').execute();
  await db.schema.alterTable('clients').addColumn('jwks_uri', 'text').execute();
  await db.schema.alterTable('clients').addColumn('profile', 'text').execute();
}
