// UsedJtiStore over SQL: INSERT ... ON CONFLICT DO UPDATE ... WHERE expired, RETURNING (SQLite ≥ 3.35 and PostgreSQL):
// the row comes back only to the caller that inserted it or took over an expired one.
import type { UsedJtiStore } from '../used-jti-store.ts';
import type { SqlDatabase } from './sql-database.ts';

export function sqlUsedJtiStore({ db }: SqlDatabase): UsedJtiStore {
  return {
    async recordJti(key, expiresAt, now) {
      const row = await db.insertInto('used_jtis').values({ key, expires_at: expiresAt })
        .onConflict((oc) => oc.column('key').doUpdateSet({ expires_at: expiresAt }).where('used_jtis.expires_at', '<=', now))
        .returning('key').executeTakeFirst();
      return row !== undefined;
    },
  };
}
