// Versions of the in-memory caches (clients, APIs, keys), for invalidation across processes.
import type { CacheTopic } from './records.ts';

export interface CacheVersionStore {
  /** Bumps the version of a cached topic; every instance polling `listCacheVersions` sees it. */
  bumpCacheVersion(topic: CacheTopic): Promise<void>;
  listCacheVersions(): Promise<Record<CacheTopic, number>>;
}
