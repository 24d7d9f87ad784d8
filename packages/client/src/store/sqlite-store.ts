// The default store: a SQLite file through node:sqlite (WAL mode, so several processes can share it).
import { Kysely } from 'kysely';
import { NodeSqliteDialect } from '@latchkey/sqlite';
import { KyselyLatchkeyStore, type StoreDatabase } from './kysely-store.ts';
import type { LatchkeyStore } from './store-records.ts';

export interface SqliteStoreOptions {
  /** Database file (parent folders are created), or ':memory:' for a single-process throwaway store. */
  path: string;
  /** How long a writer waits for another process's lock, in milliseconds. Default 5000. */
  busyTimeoutMs?: number;
}

/** A store in a SQLite file. Tables are created by `migrate()`, which `createLatchkeyClient` calls. */
export function createSqliteStore(options: SqliteStoreOptions): LatchkeyStore {
  const dialect = new NodeSqliteDialect({ path: options.path, busyTimeoutMs: options.busyTimeoutMs ?? 5000 });
  return new KyselyLatchkeyStore(new Kysely<StoreDatabase>({ dialect }), 'sqlite');
}
