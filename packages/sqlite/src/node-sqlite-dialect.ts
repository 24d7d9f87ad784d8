// A Kysely dialect over node:sqlite (Node's built-in SQLite), so the embedded store needs no native addon.
// Kysely's SqliteDialect expects a better-sqlite3-shaped database; this file adapts DatabaseSync to it.
import { DatabaseSync, type StatementSync, type SQLInputValue } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';

export interface NodeSqliteOptions {
  /** File path, or ':memory:'. Parent folders are created. */
  path: string;
  /** Milliseconds a writer waits for another process's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

const READER_PATTERN = /^\s*(select|with|pragma|values|explain)\b|\breturning\b/i;
const STATEMENT_CACHE_LIMIT = 512;

/** Opens a SQLite file in WAL mode with foreign keys on and a busy timeout, ready for several processes. */
export function openSqliteDatabase(options: NodeSqliteOptions): DatabaseSync {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new DatabaseSync(options.path);
  db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  return db;
}

// node:sqlite binds only null, numbers, bigints, strings and bytes.
function toSqlValue(value: unknown): SQLInputValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') return value;
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`cannot bind a ${typeof value} to SQLite`);
}

function isReader(statement: StatementSync, sql: string): boolean {
  const withColumns = statement as StatementSync & { columns?: () => unknown[] };
  return typeof withColumns.columns === 'function' ? withColumns.columns().length > 0 : READER_PATTERN.test(sql);
}

class NodeSqliteAdapter implements SqliteDatabase {
  readonly #db: DatabaseSync;
  readonly #cache = new Map<string, SqliteStatement>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  prepare(sql: string): SqliteStatement {
    const cached = this.#cache.get(sql);
    if (cached) return cached;
    const statement = this.#db.prepare(sql);
    const adapted: SqliteStatement = {
      reader: isReader(statement, sql),
      all: (parameters) => statement.all(...parameters.map(toSqlValue)),
      run: (parameters) => statement.run(...parameters.map(toSqlValue)),
      iterate: (parameters) => statement.iterate(...parameters.map(toSqlValue)),
    };
    if (this.#cache.size >= STATEMENT_CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(sql, adapted);
    return adapted;
  }

  close(): void {
    this.#cache.clear();
    if (this.#db.isOpen) this.#db.close();
  }
}

/** Kysely dialect for node:sqlite. */
export class NodeSqliteDialect extends SqliteDialect {
  constructor(options: NodeSqliteOptions | { database: DatabaseSync }) {
    const db = 'database' in options ? options.database : openSqliteDatabase(options);
    super({ database: new NodeSqliteAdapter(db) });
  }
}
