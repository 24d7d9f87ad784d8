// FailureCounterStore over SQL: a fixed window per key (it starts with the key's first failure), counted atomically by
// one upsert; a failure after the window ends starts a new one.
import { sql } from 'kysely';
import type { FailureCounterStore } from '../failure-counter-store.ts';
import { num, type SqlDatabase } from './sql-database.ts';

export function sqlFailureCounterStore({ db }: SqlDatabase): FailureCounterStore {
  return {
    async recordFailure(key, now, windowSeconds) {
      const windowOpen = now - windowSeconds;
      const row = await db.insertInto('login_failures').values({ key, failures: 1, window_start: now })
        .onConflict((oc) => oc.column('key').doUpdateSet({
          failures: sql<number>`case when login_failures.window_start <= ${windowOpen} then 1 else login_failures.failures + 1 end`,
          window_start: sql<number>`case when login_failures.window_start <= ${windowOpen} then ${now} else login_failures.window_start end`,
        }))
        .returning(['failures', 'window_start']).executeTakeFirstOrThrow();
      return { count: num(row.failures), resetAt: num(row.window_start) + windowSeconds };
    },

    async getFailureCount(key, now, windowSeconds) {
      const row = await db.selectFrom('login_failures').select(['failures', 'window_start']).where('key', '=', key)
        .where('window_start', '>', now - windowSeconds).executeTakeFirst();
      return row ? { count: num(row.failures), resetAt: num(row.window_start) + windowSeconds } : { count: 0, resetAt: now };
    },

    async deleteFailures(key) {
      await db.deleteFrom('login_failures').where('key', '=', key).execute();
    },
  };
}
