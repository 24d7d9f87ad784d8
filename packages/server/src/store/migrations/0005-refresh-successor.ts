// Each rotated refresh token names the token that replaced it, so a client's retry of a refresh whose answer was
// lost can be told from a replay (grants/refresh-token.ts, docs/decisions.md 2026-11-29).
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('refresh_tokens').addColumn('successor_hash', 'text').execute();
}
