// The PostgreSQL store: the same Kysely implementation over a `pg` Pool, optionally inside its own schema.
import { createRequire } from 'node:module';
import { Kysely, PostgresDialect, sql, type PostgresPool } from 'kysely';
import { KyselyLatchkeyStore, type StoreDatabase } from './kysely-store.ts';
import type { LatchkeyStore } from './store-records.ts';

export interface PostgresStoreOptions {
  /** An existing pool such as a `pg.Pool` (the caller ends it), or a connection string (the store creates and ends its pool). */
  pool?: PostgresPool;
  connectionString?: string;
  /** Schema for the kit's tables; created if missing. Default: the connection's search_path (usually `public`). */
  schema?: string;
}

/** `pg` is an optional peer dependency: loaded only here, with an error naming the package when it is missing. */
function loadPg(): typeof import('pg') {
  try {
    return createRequire(import.meta.url)('pg') as typeof import('pg');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND' || !(error as Error).message.includes("'pg'")) throw error;
    throw new Error('createPostgresStore needs the "pg" package, an optional peer dependency of @latchkey/client: npm install pg', { cause: error });
  }
}

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** A store in PostgreSQL. */
export function createPostgresStore(options: PostgresStoreOptions): LatchkeyStore {
  if (!options.pool && !options.connectionString) throw new TypeError('createPostgresStore: pool or connectionString is required');
  if (options.schema !== undefined && !SCHEMA_PATTERN.test(options.schema)) {
    throw new TypeError('createPostgresStore: schema must be a lowercase SQL identifier');
  }
  const ownsPool = !options.pool;
  const pool: PostgresPool = options.pool ?? new (loadPg().Pool)({ connectionString: options.connectionString, max: 10 });
  // Kysely's destroy() ends the pool; a caller-provided pool is wrapped so that it is left open.
  const dialectPool: PostgresPool = ownsPool ? pool : { Client: pool.Client, options: pool.options, connect: () => pool.connect(), end: async () => {} };
  const base = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool: dialectPool }) });
  const schema = options.schema;
  const db = schema ? base.withSchema(schema) : base;
  const createSchema = schema
    ? async () => { await sql`create schema if not exists ${sql.id(schema)}`.execute(base); }
    : undefined;
  return new KyselyLatchkeyStore(db, 'postgres', createSchema);
}
