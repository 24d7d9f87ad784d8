// The PostgreSQL store: the same Kysely implementation over a `pg` Pool, optionally inside its own schema.
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { KyselyLatchkeyStore, type StoreDatabase } from './kysely-store.ts';
import type { LatchkeyStore } from './store-records.ts';

export interface PostgresStoreOptions {
  /** An existing pool (the caller ends it), or a connection string (the store creates and ends its pool). */
  pool?: pg.Pool;
  connectionString?: string;
  /** Schema for the kit's tables; created if missing. Default: the connection's search_path (usually `public`). */
  schema?: string;
}

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** A store in PostgreSQL. */
export function createPostgresStore(options: PostgresStoreOptions): LatchkeyStore {
  if (!options.pool && !options.connectionString) throw new TypeError('createPostgresStore: pool or connectionString is required');
  if (options.schema !== undefined && !SCHEMA_PATTERN.test(options.schema)) {
    throw new TypeError('createPostgresStore: schema must be a lowercase SQL identifier');
  }
  const ownsPool = !options.pool;
  const pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString, max: 10 });
  // Kysely's destroy() ends the pool; a caller-provided pool is wrapped so that it is left open.
  const dialectPool = ownsPool ? pool : ({ connect: () => pool.connect(), end: async () => {} } as unknown as pg.Pool);
  const base = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool: dialectPool }) });
  const schema = options.schema;
  const db = schema ? base.withSchema(schema) : base;
  const createSchema = schema
    ? async () => { await sql`create schema if not exists ${sql.id(schema)}`.execute(base); }
    : undefined;
  return new KyselyLatchkeyStore(db, 'postgres', createSchema);
}
