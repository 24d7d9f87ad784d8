// Per-client token lifetimes and refresh grace window (issue 15), and the parent of each refresh token. A client's
// NULL means "the server's setting". `parent_hash` names the token a refresh token was issued for (NULL for a
// grant's first token), so the answers given for one token inside its grace window are known as siblings
// (grants/refresh-token.ts, docs/refresh-tokens.md). Forward only.
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  for (const column of ['access_token_ttl', 'id_token_ttl', 'refresh_idle_ttl', 'refresh_absolute_ttl', 'refresh_grace']) {
    await db.schema.alterTable('clients').addColumn(column, 'integer').execute();
  }
  await db.schema.alterTable('refresh_tokens').addColumn('parent_hash', 'text').execute();
  await db.schema.createIndex('refresh_tokens_parent_idx').on('refresh_tokens').column('parent_hash').execute();
}
