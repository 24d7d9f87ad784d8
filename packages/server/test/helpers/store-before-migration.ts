// A SQLite store as an older release left it: every migration before `first` applied and recorded, the rest pending,
// so a test can insert rows in the old shape and check what the pending migrations make of them.
import { sql } from 'kysely';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import type { SqlStore } from '../../src/store/sql/sql-store.ts';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.ts';

export async function storeBeforeMigration(first: string): Promise<SqlStore> {
  const store = openSqliteStore(':memory:');
  await sql`create table latchkey_migrations (name varchar(255) primary key, timestamp varchar(255) not null)`.execute(store.db);
  for (const [name, migration] of MIGRATIONS.filter(([n]) => n < first)) {
    await migration.up(store.db);
    await sql`insert into latchkey_migrations (name, timestamp) values (${name}, 'then')`.execute(store.db);
  }
  return store;
}
