// Named (prepared) statements on each pooled connection: PostgreSQL parses and plans an unnamed statement every time it
// receives it, a named one once per connection, then only binds and executes it (PostgreSQL protocol §55.2.3
// "Extended Query"). For the store's one-statement grant operations (CTEs of several writes) planning costs more than
// running; the bench's PostgreSQL flows measured it (docs/decisions.md 2026-11-30 "Prepared statements on PostgreSQL").
//
// What a product must survive, and how:
// - Only statements outside an explicit transaction are named, so one that fails can be sent again as if new.
// - A schema change behind a prepared statement (a rolling upgrade's migration adds a column to a `select *`):
//   PostgreSQL refuses the old statement for good ("cached plan must not change result type"); it is deallocated and
//   the statement prepared again under a new name, once, and the caller sees only the answer.
// - A statement the server no longer has (DISCARD ALL, a pooler in transaction mode that does not carry prepared
//   statements): prepared again under a new name; if that is refused the same way, or it keeps happening
//   (MISSING_STATEMENTS_BEFORE_GIVING_UP times on the pool), this pool stops naming statements and sends them unnamed.
// - At most PREPARED_STATEMENTS_PER_CONNECTION named per connection (statement texts that vary, like IN lists of
//   different lengths, go unnamed past the bound), so neither side's memory grows without end.
import { createHash } from 'node:crypto';
import type pg from 'pg';

export const PREPARED_STATEMENTS_PER_CONNECTION = 256;

/** SQLSTATE 0A000 with this message: the prepared statement's result columns changed under it. */
const CACHED_PLAN_CHANGED = { code: '0A000', message: /cached plan must not change result type/ };
/** SQLSTATE 26000 invalid_sql_statement_name: the server does not have the prepared statement pg believes it has. */
const NO_SUCH_STATEMENT = '26000';

/** Shared by the connections of one pool: cleared when the database (or a pooler in front of it) cannot keep them. */
export interface PreparedStatementPolicy {
  enabled: boolean;
  /** Statements the server did not have when used (26000), on all the pool's connections so far. */
  missing?: number;
}

/**
 * A server that loses prepared statements this often is not one connection but several behind a pooler (transaction
 * mode: a statement prepared on one server connection, used on another); a database alone loses them only to an
 * explicit DISCARD or DEALLOCATE.
 */
export const MISSING_STATEMENTS_BEFORE_GIVING_UP = 3;

const TRANSACTION_STARTS = /^\s*(begin|start\s+transaction)\b/i;
const TRANSACTION_ENDS = /^\s*(commit|end|abort|rollback)\b(?!\s+(work\s+|transaction\s+)?to\b)/i;

interface QueryError {
  code?: string;
  message?: string;
}

/** A name PostgreSQL accepts (under 63 bytes), the same for the same text and generation. */
function statementName(text: string, generation: number): string {
  return `lk_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}_${generation}`;
}

type Query = (config: pg.QueryConfig) => Promise<pg.QueryResult>;

/** Makes `client.query(text, values)` use a named statement per distinct text with parameters, outside transactions. */
export function prepareStatementsOn(client: pg.ClientBase, policy: PreparedStatementPolicy): void {
  const send = client.query.bind(client) as unknown as (...args: unknown[]) => unknown;
  const query: Query = (config) => send(config) as Promise<pg.QueryResult>;
  const names = new Map<string, string>();
  let generation = 0;
  let inTransaction = false;

  const nameFor = (text: string): string | undefined => {
    const known = names.get(text);
    if (known !== undefined || names.size >= PREPARED_STATEMENTS_PER_CONNECTION) return known;
    const name = statementName(text, generation);
    names.set(text, name);
    return name;
  };

  // The same statement under a fresh name: pg's own per-connection record of the old name is left as it is.
  const renamed = (text: string): string => {
    generation += 1;
    const name = statementName(text, generation);
    names.set(text, name);
    return name;
  };

  const runNamed = async (text: string, values: unknown[], name: string): Promise<pg.QueryResult> => {
    try {
      return await query({ name, text, values });
    } catch (error) {
      const { code, message = '' } = error as QueryError;
      if (code === CACHED_PLAN_CHANGED.code && CACHED_PLAN_CHANGED.message.test(message)) {
        await query({ text: `deallocate "${name}"` }).catch(() => undefined);
        return query({ name: renamed(text), text, values });
      }
      if (code !== NO_SUCH_STATEMENT) throw error;
      policy.missing = (policy.missing ?? 0) + 1;
      if (policy.missing >= MISSING_STATEMENTS_BEFORE_GIVING_UP) policy.enabled = false;
      try {
        return await query({ name: renamed(text), text, values });
      } catch (again) {
        if ((again as QueryError).code !== NO_SUCH_STATEMENT) throw again;
        policy.enabled = false;
        return query({ text, values });
      }
    }
  };

  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    // Statements with parameters only: the store's own; utility statements (SET, DISCARD, DDL) go as they came.
    if (typeof text !== 'string' || args.length > 2 || (values !== undefined && !Array.isArray(values))) return send(...args);
    if (TRANSACTION_STARTS.test(text)) inTransaction = true;
    else if (TRANSACTION_ENDS.test(text)) inTransaction = false;
    else if (!inTransaction && policy.enabled && Array.isArray(values) && values.length > 0) {
      const name = nameFor(text);
      if (name !== undefined) return runNamed(text, values, name);
    }
    return send(...args);
  };
}
