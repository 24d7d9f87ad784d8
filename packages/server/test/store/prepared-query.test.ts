// Statements compiled once (store/sql/prepared-query.ts): built on the first run only, values bound in their slots,
// constants kept, and a value without a slot or a slot without a value refused instead of silently dropped.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kysely, sql } from 'kysely';
import { NodeSqliteDialect } from '@latchkey/sqlite';
import type { Database } from '../../src/store/schema.ts';
import { prepareQuery, slot, slotsFor } from '../../src/store/sql/prepared-query.ts';
import { createSqlStore, type SqlStore } from '../../src/store/sql/sql-store.ts';
import { clientRecord, NOW, userRecord } from './contract/contract-fixtures.ts';

describe('prepared queries', () => {
  let db: Kysely<Database>;
  let store: SqlStore;
  before(async () => {
    db = new Kysely<Database>({ dialect: new NodeSqliteDialect({ path: ':memory:' }) });
    store = createSqlStore(db, 'sqlite');
    await store.migrate();
    await store.createClient(clientRecord('c1'));
    await store.createUser(userRecord('u1'));
    await store.createUser(userRecord('u2', { name: 'Second' }));
  });
  after(() => store.close());

  it('builds once, then binds each run\'s values in the same compiled statement; constants stay', async () => {
    let builds = 0;
    const named = prepareQuery((q) => {
      builds += 1;
      return q.selectFrom('users').select(['id', 'name']).where('id', '=', slot<string>('id')).where('username', '<>', 'nobody');
    });
    assert.deepEqual((await named.run(db, { id: 'u1' })).map((r) => ({ ...r })), [{ id: 'u1', name: 'User u1' }]);
    assert.deepEqual((await named.run(db, { id: 'u2' })).map((r) => ({ ...r })), [{ id: 'u2', name: 'Second' }]);
    assert.deepEqual(await named.run(db, { id: 'u3' }), []);
    assert.equal(builds, 1);
  });

  it('a slot without a value, or a value without a slot, throws before anything is sent', async () => {
    const named = prepareQuery((q) => q.selectFrom('users').select('id').where('id', '=', slot<string>('id')));
    await assert.rejects(named.run(db, {}), /no value for slot id/);
    await assert.rejects(named.run(db, { id: 'u1', name: 'x' }), /name has no slot/);
  });

  it('inserts whole rows by column (slotsFor), inside transactions too; a row with a column more is refused, not cut', async () => {
    const insert = prepareQuery((q, row) => q.insertInto('consents').values(slotsFor(row as { user_id: string; client_id: string; scopes: string; granted_at: number; updated_at: number })));
    const row = (userId: string) => ({ user_id: userId, client_id: 'c1', scopes: '["openid"]', granted_at: NOW, updated_at: NOW });
    await insert.run(db, row('u1'));
    await db.transaction().execute((trx) => insert.run(trx, row('u2')));
    await assert.rejects(db.transaction().execute(async (trx) => {
      await insert.run(trx, { ...row('u2'), client_id: 'c2' });
    }), /UNIQUE|FOREIGN KEY/i);
    await assert.rejects(insert.run(db, { ...row('u1'), client_id: 'c1', extra: 1 }), /extra has no slot/);
    const { rows } = await sql<{ user_id: string }>`select user_id from consents order by user_id`.execute(db);
    assert.deepEqual(rows.map((r) => r.user_id), ['u1', 'u2']);
  });
});
