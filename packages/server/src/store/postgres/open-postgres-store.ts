// PostgreSQL for several instances sharing one database, through a pg connection pool.
import { createRequire } from 'node:module';
import { Kysely, PostgresDialect, type KyselyConfig } from 'kysely';
import type pg from 'pg';
import type { Database } from '../schema.ts';
import type { PoolStats } from '../store.ts';
import { createSqlStore, type SqlStore } from '../sql/sql-store.ts';
import { prepareStatementsOn, type PreparedStatementPolicy } from './prepared-statements.ts';

const INT8_OID = 20;

export interface PostgresStoreOptions {
  /** Pool size per instance. */
  max?: number;
  /** Kysely's query log (the metrics' query durations). */
  log?: KyselyConfig['log'];
}

/** `pg` is an optional peer dependency: loaded only for a postgres:// URL, with an error naming the package when it is missing. */
function loadPg(): typeof pg {
  try {
    return createRequire(import.meta.url)('pg') as typeof pg;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND' || !(error as Error).message.includes("'pg'")) throw error;
    throw new Error('a postgres:// database needs the "pg" package, an optional peer dependency of @latchkey/server: npm install pg', { cause: error });
  }
}

/** The Kysely dialect over a pg pool configured as the store needs it, and the pool's state (tests wrap the dialect). */
export function postgresDialect(url: string, options: { max?: number | undefined } = {}): { dialect: PostgresDialect; poolStats: () => PoolStats } {
  const pg = loadPg();
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    // Unix-second timestamps are bigint columns; they fit a JS number exactly.
    types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) } as pg.CustomTypesConfig,
  });
  // A broken idle connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  // Nor may a broken connection that is checked out (a query in flight when the database restarts or the network
  // drops): pg emits 'error' on the client as well as failing the query, and pg-pool listens only while the client
  // is idle. The query's own rejection reports the failure; the pool then discards the dead client.
  const preparedStatements: PreparedStatementPolicy = { enabled: true };
  pool.on('connect', (client) => {
    client.on('error', () => {});
    prepareStatementsOn(client, preparedStatements);
  });
  return { dialect: new PostgresDialect({ pool }), poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }) };
}

export function openPostgresStore(url: string, options: PostgresStoreOptions = {}): SqlStore {
  const { dialect, poolStats } = postgresDialect(url, { max: options.max });
  const db = new Kysely<Database>({ dialect, ...(options.log ? { log: options.log } : {}) });
  return createSqlStore(db, 'postgres', poolStats);
}
