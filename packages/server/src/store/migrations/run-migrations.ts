// Applies pending migrations once, in order, under an exclusive lock, so several processes can start at once:
// PostgreSQL takes a transaction-level advisory lock per schema and runs everything in one transaction
// (its DDL is transactional); SQLite takes its write lock with BEGIN IMMEDIATE. Only our own bookkeeping
// table is read: no scan of the database's other schemas, which other software may create or drop meanwhile.
import { sql, type Kysely } from 'kysely';
import { MIGRATIONS } from './index.ts';

const TABLE = 'latchkey_migrations';

type AnyDb = Kysely<any>;

async function pending(db: AnyDb): Promise<typeof MIGRATIONS[number][]> {
  // Same shape as the table Kysely's migrator used, so databases created before this runner keep working.
  await sql`create table if not exists ${sql.table(TABLE)} (name varchar(255) primary key, timestamp varchar(255) not null)`.execute(db);
  const done = new Set((await sql<{ name: string }>`select name from ${sql.table(TABLE)}`.execute(db)).rows.map((r) => r.name));
  return MIGRATIONS.filter(([name]) => !done.has(name));
}

async function apply(db: AnyDb, todo: typeof MIGRATIONS[number][]): Promise<string[]> {
  for (const [name, migration] of todo) {
    await migration.up(db);
    await sql`insert into ${sql.table(TABLE)} (name, timestamp) values (${name}, ${new Date().toISOString()})`.execute(db);
  }
  return todo.map(([name]) => name);
}

/** True when every migration is recorded: one read, no lock (the common case of every start after the first). */
async function upToDate(db: AnyDb): Promise<boolean> {
  try {
    const done = new Set((await sql<{ name: string }>`select name from ${sql.table(TABLE)}`.execute(db)).rows.map((r) => r.name));
    return MIGRATIONS.every(([name]) => done.has(name));
  } catch {
    return false; // no bookkeeping table yet: a new database
  }
}

export async function runMigrations(db: AnyDb, kind: 'sqlite' | 'postgres'): Promise<string[]> {
  // Migrations only ever add rows to the bookkeeping table, so a complete list read without the lock stays complete.
  if (await upToDate(db)) return [];
  if (kind === 'postgres') {
    return db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`${TABLE}:`} || current_schema()))`.execute(trx);
      return apply(trx, await pending(trx));
    });
  }
  // The SQLite dialect has one connection, so every statement below runs inside this transaction.
  await sql`begin immediate`.execute(db);
  try {
    const applied = await apply(db, await pending(db));
    await sql`commit`.execute(db);
    return applied;
  } catch (error) {
    await sql`rollback`.execute(db);
    throw error;
  }
}
