// The hot statements of the token flows, built and compiled by Kysely once and then only run with new values.
// Building a query (its operation tree, frozen node by node) and compiling it cost more than SQLite takes to run it:
// 13 % of a refresh's event-loop time in the bench profile (docs/decisions.md 2026-11-30 "Hot statements compiled
// once"). The statement is the same text every time, so SQLite's statement cache and PostgreSQL's prepared statements
// (postgres/prepared-statements.ts) find it as before.
//
// A query is written once with Kysely as usual, with `slot('name')` where a value goes; `run(db, { name: value })`
// binds the values in place of the slots. Only values can be slots (never identifiers, operators or `null` in
// `is null`), so the text cannot depend on them.
import { CompiledQuery, type Compilable, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '../schema.ts';

/** A value supplied when the query runs. */
class Slot {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
}

/** A placeholder for the value named `name`; typed as the column's type so the builder accepts it. */
export function slot<T>(name: string): T {
  return new Slot(name) as unknown as T;
}

/**
 * A slot for every key of `row`, named `prefix` + the key: the values of an insert of whole rows (`run(db, row)`, or
 * `run(db, prefixed(row, prefix))` when one statement inserts rows of several tables).
 */
export function slotsFor<R extends object>(row: R, prefix = ''): R {
  return Object.fromEntries(Object.keys(row).map((column) => [column, slot(prefix + column)])) as R;
}

/** `row` with `prefix` before every key (the values for slotsFor(row, prefix)). */
export function prefixed(row: object, prefix: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([column, value]) => [prefix + column, value]));
}

/** The keys of `values` that start with `prefix`, without it: the row prefixed() made (for slotsFor on a first run). */
export function unprefixed(values: Readonly<Record<string, unknown>>, prefix: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key.slice(prefix.length), value]));
}

type Values = Readonly<Record<string, unknown>>;

export interface PreparedQuery<Row, V extends Values = Values> {
  /**
   * Runs the query on `db` (or a transaction of it) with `values` in its slots. A slot without a value, or a value
   * without a slot (a row with a column the compiled insert does not have), throws.
   */
  run(db: Kysely<Database> | Transaction<Database>, values: V): Promise<Row[]>;
}

/**
 * `build` is called once, on the first run, with that run's values (for slotsFor); its constants stay in the
 * compiled statement. One per store instance: the compiled text is its database's dialect.
 */
export function prepareQuery<Row, V extends Values = Values>(build: (db: Kysely<Database>, first: V) => Compilable<Row> | RawBuilder<Row>): PreparedQuery<Row, V> {
  let compiled: { sql: string; parameters: ReadonlyArray<unknown>; slots: ReadonlySet<string> } | undefined;
  return {
    async run(db, values) {
      if (compiled === undefined) {
        // A query builder compiles by itself; a sql`` template needs the database (extra arguments are ignored).
        const query = (build(db, values) as { compile(db: Kysely<Database>): CompiledQuery<Row> }).compile(db);
        const slots = new Set(query.parameters.filter((p): p is Slot => p instanceof Slot).map((p) => p.name));
        compiled = { sql: query.sql, parameters: query.parameters, slots };
      }
      for (const name of Object.keys(values)) {
        if (!compiled.slots.has(name)) throw new TypeError(`prepared query: ${name} has no slot in ${compiled.sql.slice(0, 60)}`);
      }
      const parameters = compiled.parameters.map((parameter) => {
        if (!(parameter instanceof Slot)) return parameter;
        if (!Object.hasOwn(values, parameter.name)) throw new TypeError(`prepared query: no value for slot ${parameter.name}`);
        return values[parameter.name];
      });
      return (await db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, parameters))).rows;
    },
  };
}
