import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, sql } from 'kysely';
import { NodeSqliteDialect } from '../src/index.ts';

interface Db { items: { id: number; name: string; flag: number } }

test('runs queries, binds booleans, returns rows from RETURNING and commits transactions', async () => {
  const db = new Kysely<Db>({ dialect: new NodeSqliteDialect({ path: ':memory:' }) });
  await db.schema.createTable('items').addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull()).addColumn('flag', 'integer').execute();
  const inserted = await db.insertInto('items').values({ id: 1, name: 'a', flag: true as unknown as number })
    .returning(['id', 'flag']).executeTakeFirstOrThrow();
  assert.deepEqual({ ...inserted }, { id: 1, flag: 1 });
  const updated = await db.updateTable('items').set({ name: 'b' }).where('id', '=', 1).executeTakeFirst();
  assert.equal(updated.numUpdatedRows, 1n);
  await assert.rejects(db.transaction().execute(async (trx) => {
    await trx.insertInto('items').values({ id: 2, name: 'c', flag: 0 }).execute();
    throw new Error('roll back');
  }), /roll back/);
  const rows = await db.selectFrom('items').select(['id', 'name']).execute();
  assert.deepEqual(rows.map((r) => ({ ...r })), [{ id: 1, name: 'b' }]);
  const { rows: [mode] } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
  assert.equal(mode?.journal_mode, 'memory');
  await db.destroy();
});
