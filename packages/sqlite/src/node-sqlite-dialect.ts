// A Kysely dialect over node:sqlite (Node's built-in SQLite), so the embedded store needs no native addon.
// Kysely's SqliteDialect expects a better-sqlite3-shaped database; this file adapts DatabaseSync to it.
import { DatabaseSync, type StatementSync, type SQLInputValue } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import { DEFAULT_AUTOCHECKPOINT_PAGES, FALLBACK_AUTOCHECKPOINT_PAGES, startBackgroundCheckpoints, type BackgroundCheckpoints } from './background-checkpoint.ts';

export interface NodeSqliteOptions {
  /** File path, or ':memory:'. Parent folders are created. */
  path: string;
  /** Milliseconds a writer waits for another process's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /**
   * WAL checkpoints on a worker thread (background-checkpoint.ts), started once this connection has sent
   * `checkpointAfterWrites` writing statements (default 1000: an idle or read-mostly process never starts one);
   * every `checkpointIntervalMs` (default 250). `false`: SQLite's own automatic checkpoints only. Files only.
   */
  backgroundCheckpoints?: false | { checkpointAfterWrites?: number; checkpointIntervalMs?: number };
}

const READER_PATTERN = /^\s*(select|with|pragma|values|explain)\b|\breturning\b/i;
/** Statements that never write (a WITH may: it counts as a write). */
const NON_WRITER_PATTERN = /^\s*(select|pragma|values|explain)\b/i;
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

/** When to start the checkpoint worker, for a file database; null: never. */
interface CheckpointPlan {
  path: string;
  afterWrites: number;
  intervalMs: number;
}

class NodeSqliteAdapter implements SqliteDatabase {
  readonly #db: DatabaseSync;
  readonly #cache = new Map<string, SqliteStatement>();
  readonly #checkpointPlan: CheckpointPlan | null;
  #writes = 0;
  #checkpoints: BackgroundCheckpoints | null = null;

  constructor(db: DatabaseSync, checkpointPlan: CheckpointPlan | null) {
    this.#db = db;
    this.#checkpointPlan = checkpointPlan;
  }

  prepare(sql: string): SqliteStatement {
    const cached = this.#cache.get(sql);
    if (cached) return cached;
    const statement = this.#db.prepare(sql);
    const counted = <T>(run: () => T): T => {
      const result = run();
      if (++this.#writes === this.#checkpointPlan?.afterWrites) this.#startCheckpoints();
      return result;
    };
    const writes = this.#checkpointPlan !== null && !NON_WRITER_PATTERN.test(sql);
    const adapted: SqliteStatement = {
      reader: isReader(statement, sql),
      all: writes ? (parameters) => counted(() => statement.all(...parameters.map(toSqlValue))) : (parameters) => statement.all(...parameters.map(toSqlValue)),
      run: writes ? (parameters) => counted(() => statement.run(...parameters.map(toSqlValue))) : (parameters) => statement.run(...parameters.map(toSqlValue)),
      iterate: (parameters) => statement.iterate(...parameters.map(toSqlValue)),
    };
    if (this.#cache.size >= STATEMENT_CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(sql, adapted);
    return adapted;
  }

  #startCheckpoints(): void {
    const plan = this.#checkpointPlan!;
    this.#checkpoints = startBackgroundCheckpoints(plan.path, plan.intervalMs, (running) => {
      if (!this.#db.isOpen) return;
      this.#db.exec(`PRAGMA wal_autocheckpoint = ${running ? FALLBACK_AUTOCHECKPOINT_PAGES : DEFAULT_AUTOCHECKPOINT_PAGES}`);
    });
  }

  close(): void {
    this.#checkpoints?.stop();
    this.#cache.clear();
    if (this.#db.isOpen) this.#db.close();
  }
}

/** Kysely dialect for node:sqlite. */
export class NodeSqliteDialect extends SqliteDialect {
  constructor(options: NodeSqliteOptions | { database: DatabaseSync }) {
    if ('database' in options) {
      super({ database: new NodeSqliteAdapter(options.database, null) });
      return;
    }
    const background = options.path === ':memory:' ? false : options.backgroundCheckpoints ?? {};
    super({ database: new NodeSqliteAdapter(openSqliteDatabase(options), background === false ? null : {
      path: options.path, afterWrites: background.checkpointAfterWrites ?? 1000, intervalMs: background.checkpointIntervalMs ?? 250,
    }) });
  }
}
