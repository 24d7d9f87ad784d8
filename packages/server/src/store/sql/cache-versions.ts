// CacheVersionStore over SQL: one counter per topic, bumped by an upsert.
import { sql } from 'kysely';
import type { CacheVersionStore } from '../cache-version-store.ts';
import type { CacheTopic } from '../records.ts';
import { num, type SqlDatabase } from './sql-database.ts';

export function sqlCacheVersionStore({ db }: SqlDatabase): CacheVersionStore {
  return {
    async bumpCacheVersion(topic) {
      await db.insertInto('cache_versions').values({ topic, version: 1 })
        .onConflict((oc) => oc.column('topic').doUpdateSet({ version: sql<number>`cache_versions.version + 1` })).execute();
    },

    async listCacheVersions() {
      const rows = await db.selectFrom('cache_versions').selectAll().execute();
      const versions: Record<CacheTopic, number> = { clients: 0, apis: 0, keys: 0 };
      for (const row of rows) if (row.topic in versions) versions[row.topic as CacheTopic] = num(row.version);
      return versions;
    },
  };
}
