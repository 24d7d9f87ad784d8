// Staged signing keys (issue 18): a key is published before it signs (`activates_at`), and at most one key per
// algorithm is "current" (not retired: active, or published and waiting to activate). The partial unique index makes
// the database, not the instances, decide who rotates: of two instances staging a successor at once, one insert wins.
// Forward only. Existing keys activated when they were created; extra unretired keys of an alg (a startup race
// before this migration) are retired now and stay published for a day.
import { sql, type Kysely } from 'kysely';

type AnyDb = Kysely<any>;

const DAY = 86400;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('signing_keys').addColumn('activates_at', 'bigint').execute();
  await db.updateTable('signing_keys').set((eb: any) => ({ activates_at: eb.ref('created_at') })).execute();
  const current = await db.selectFrom('signing_keys').select(['kid', 'alg', 'created_at']).where('retired_at', 'is', null)
    .orderBy('created_at', 'desc').orderBy('kid').execute() as { kid: string; alg: string; created_at: number | string }[];
  const kept = new Set<string>();
  for (const row of current) {
    if (!kept.has(row.alg)) {
      kept.add(row.alg);
      continue;
    }
    const now = Math.floor(Date.now() / 1000);
    await db.updateTable('signing_keys').set({ retired_at: now, expires_at: now + DAY }).where('kid', '=', row.kid).execute();
  }
  await db.schema.createIndex('signing_keys_one_current_per_alg').on('signing_keys').column('alg').unique()
    .where(sql.ref('retired_at'), 'is', null).execute();
}
