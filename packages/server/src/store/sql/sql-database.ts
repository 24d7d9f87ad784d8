// What every SQL slice of the Store shares: the Kysely handle, the dialect, and the column conversions.
// Atomicity comes from the database: conditional UPDATE ... RETURNING, upserts and transactions.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../schema.ts';
import { StoreConflict } from '../store.ts';

export interface SqlDatabase {
  readonly db: Kysely<Database>;
  readonly kind: 'sqlite' | 'postgres';
}

/** Row-locking reads inside transactions: PostgreSQL needs FOR UPDATE; SQLite serialises writers already. */
export function lockRows<T extends { forUpdate(): T }>(kind: SqlDatabase['kind'], query: T): T {
  return kind === 'postgres' ? query.forUpdate() : query;
}

/** `insert into TABLE (columns) select values from SOURCE`: a row written only when the CTE `source` returned one. */
export function insertFrom(table: string, row: Record<string, unknown>, source: string, override: Record<string, RawBuilder<unknown>> = {}): RawBuilder<unknown> {
  const columns = Object.keys(row);
  const values = columns.map((column) => override[column] ?? sql`${row[column]}`);
  return sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) select ${sql.join(values)} from ${sql.table(source)}`;
}

/**
 * PostgreSQL: `with async_commit as (...) <statement selecting from async_commit>` commits that one statement without
 * waiting for the WAL flush (synchronous_commit off for its own transaction only; the connection's setting is
 * untouched). For rows whose loss in a database crash costs a retry and nothing else (docs/decisions.md 2026-11-29).
 */
export const ASYNC_COMMIT = sql`async_commit as (select set_config('synchronous_commit', 'off', true))`;

/** A JSON list column. */
export const list = (json: string): string[] => JSON.parse(json) as string[];
/** A number column (PostgreSQL returns bigint columns as strings). */
export const num = (value: number | string | bigint): number => Number(value);
export const numOrNull = (value: number | string | bigint | null): number | null => (value === null ? null : Number(value));

/** True for a unique-constraint violation in SQLite or PostgreSQL. */
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; errcode?: string; message?: string };
  return e.code === '23505' || /UNIQUE constraint failed/i.test(e.message ?? '');
}

/** Runs `work`, turning a unique-constraint violation into a StoreConflict naming `what`. */
export async function conflictAware<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw new StoreConflict(`${what} already exists`);
    throw error;
  }
}
