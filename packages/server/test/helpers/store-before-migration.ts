// A SQLite store in memory migrated up to (not including) one migration, to test what that migration does to rows
// written before it.
import { sql } from 'kysely';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import type { SqlStore } from '../../src/store/sql/sql-store.ts';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.ts';

export async function storeBeforeMigration(name: string): Promise<SqlStore> {
  const store = openSqliteStore(':memory:');
  const db = store.db;
  await sql`create table latchkey_migrations (name varchar(255) primary key, timestamp varchar(255) not null)`.execute(db);
  for (const [applied, migration] of MIGRATIONS.filter(([n]) => n < name)) {
    await migration.up(db);
    await sql`insert into latchkey_migrations (name, timestamp) values (${applied}, 'then')`.execute(db);
  }
  return store;
}
