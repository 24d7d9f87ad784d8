// Counts the statements a store sends to its database: a Kysely dialect that wraps another and records the SQL of
// every statement each connection executes, transaction control included (BEGIN, COMMIT and ROLLBACK go through the
// same connection in Kysely's SQLite and PostgreSQL drivers). One statement is one round trip on PostgreSQL.
import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryResult } from 'kysely';

export interface StatementLog {
  /** Every statement since the last reset, in order: the first word in lower case (select, insert, begin, ...) and the table. */
  readonly statements: string[];
  reset(): void;
}

/**
 * `select * from "grants" where ...` -> `select grants`; `begin` -> `begin`; a statement of data-modifying CTEs ->
 * `with: update auth_codes, insert grants` (what it writes, in order).
 */
function describeStatement(sql: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? '?';
  if (verb === 'with') {
    const writes = [...sql.matchAll(/\b(update|insert into|delete from)\s+"?(\w+)"?/gi)].map((m) => `${m[1]!.split(' ')[0]!.toLowerCase()} ${m[2]}`);
    return writes.length > 0 ? `with: ${writes.join(', ')}` : 'with';
  }
  const table = /\b(?:from|into|update)\s+"?(\w+)"?/i.exec(sql)?.[1];
  return table ? `${verb} ${table}` : verb;
}

export function countingDialect(inner: Dialect): { dialect: Dialect; log: StatementLog } {
  const statements: string[] = [];
  const counted = new WeakSet<DatabaseConnection>();
  const count = (connection: DatabaseConnection): DatabaseConnection => {
    if (counted.has(connection)) return connection;
    counted.add(connection);
    const execute = connection.executeQuery.bind(connection);
    connection.executeQuery = <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
      statements.push(describeStatement(query.sql));
      return execute<R>(query);
    };
    return connection;
  };
  const dialect: Dialect = {
    createAdapter: () => inner.createAdapter(),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createDriver(): Driver {
      const driver = inner.createDriver();
      // Every method delegated with the driver as `this` (the drivers keep their state in private fields).
      return {
        init: (options) => driver.init(options),
        acquireConnection: async (options) => count(await driver.acquireConnection(options)),
        beginTransaction: (connection, settings) => driver.beginTransaction(connection, settings),
        commitTransaction: (connection) => driver.commitTransaction(connection),
        rollbackTransaction: (connection) => driver.rollbackTransaction(connection),
        releaseConnection: (connection, options) => driver.releaseConnection(connection, options),
        destroy: (options) => driver.destroy(options),
      };
    },
  };
  return { dialect, log: { statements, reset: () => void (statements.length = 0) } };
}
