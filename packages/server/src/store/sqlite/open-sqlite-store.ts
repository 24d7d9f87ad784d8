// The embedded default: one SQLite file in WAL mode through node:sqlite.
import { Kysely, type KyselyConfig } from 'kysely';
import { NodeSqliteDialect } from '@latchkey/sqlite';
import type { Database } from '../schema.ts';
import { createSqlStore, type SqlStore } from '../sql/sql-store.ts';

export function openSqliteStore(path: string, log?: KyselyConfig['log']): SqlStore {
  return createSqlStore(new Kysely<Database>({ dialect: new NodeSqliteDialect({ path }), ...(log ? { log } : {}) }), 'sqlite');
}
