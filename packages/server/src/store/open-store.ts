// Chooses the Store implementation from the database URL: sqlite:PATH (default) or postgres://...
import { resolve } from 'node:path';
import type { KyselyConfig, LogEvent } from 'kysely';
import type { SqlStore } from './sql/sql-store.ts';
import type { QueryObserver } from './store.ts';
import { openSqliteStore } from './sqlite/open-sqlite-store.ts';
import { openPostgresStore } from './postgres/open-postgres-store.ts';

export const DEFAULT_DATABASE_URL = 'sqlite:./data/latchkey.db';

export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Parses a database URL; throws a one-line explanation for anything else. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new Error(`database URL "${url}" has no file path (try sqlite:./data/latchkey.db)`);
    return { kind: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { kind: 'postgres', url };
  throw new Error(`unsupported database URL "${url.replace(/\/\/[^@]*@/, '//***@')}": use sqlite:PATH or postgres://...`);
}

export interface OpenStoreOptions {
  /** PostgreSQL pool size. */
  poolMax?: number;
  /** Told each query's duration (the metrics). */
  onQuery?: QueryObserver;
}

export function openStore(url: string, options: OpenStoreOptions = {}): SqlStore {
  const target = parseDatabaseUrl(url);
  const log = queryLog(options.onQuery);
  return target.kind === 'sqlite' ? openSqliteStore(target.path, log) : openPostgresStore(target.url, { max: options.poolMax, log });
}

/** Kysely's query log, turned into the observer's (seconds, ok); nothing of the query itself is passed on. */
function queryLog(onQuery: QueryObserver | undefined): KyselyConfig['log'] {
  if (!onQuery) return undefined;
  return (event: LogEvent) => onQuery(event.queryDurationMillis / 1000, event.level === 'query');
}
