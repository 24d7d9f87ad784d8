// Named statements on PostgreSQL (store/postgres/prepared-statements.ts): parsed once per connection, never inside a
// transaction, and a connection survives the server dropping them or a migration changing the columns under them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { MISSING_STATEMENTS_BEFORE_GIVING_UP, prepareStatementsOn, PREPARED_STATEMENTS_PER_CONNECTION, type PreparedStatementPolicy } from '../../src/store/postgres/prepared-statements.ts';
import { createTestSchema, POSTGRES_SKIP_REASON, POSTGRES_TEST_URL, type TestSchema } from './postgres-test-schema.ts';

async function preparedNames(client: pg.Client): Promise<string[]> {
  // Run unnamed (no parameters): it must not show up in its own answer.
  const { rows } = await client.query<{ name: string }>('select name from pg_prepared_statements order by name');
  return rows.map((r) => r.name);
}

describe('prepared statements on PostgreSQL', { skip: POSTGRES_TEST_URL ? false : POSTGRES_SKIP_REASON }, () => {
  let schema: TestSchema;
  let client: pg.Client;
  let policy: PreparedStatementPolicy;

  before(async () => {
    schema = await createTestSchema(POSTGRES_TEST_URL!, 'prepared');
    const admin = new pg.Client({ connectionString: schema.url });
    await admin.connect();
    await admin.query('create table items (id text primary key, label text not null)');
    await admin.query("insert into items values ('a', 'apple'), ('b', 'banana')");
    await admin.end();
  });
  after(async () => schema?.drop());

  const connect = async () => {
    client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    policy = { enabled: true };
    prepareStatementsOn(client, policy);
  };
  const close = async () => client.end();

  it('parses a statement with parameters once per connection and answers from it every time', async () => {
    await connect();
    try {
      const text = 'select label from items where id = $1';
      assert.deepEqual((await client.query(text, ['a'])).rows, [{ label: 'apple' }]);
      assert.deepEqual((await client.query(text, ['b'])).rows, [{ label: 'banana' }]);
      const names = await preparedNames(client);
      assert.equal(names.length, 1, `one prepared statement for one text, got ${names.join(', ')}`);
      assert.match(names[0]!, /^lk_/);
      const { rows } = await client.query<{ statement: string }>('select statement from pg_prepared_statements');
      assert.equal(rows[0]!.statement, text);
    } finally {
      await close();
    }
  });

  it('names nothing inside a transaction or without parameters', async () => {
    await connect();
    try {
      await client.query('begin');
      assert.deepEqual((await client.query('select label from items where id = $1', ['a'])).rows, [{ label: 'apple' }]);
      await client.query('commit');
      await client.query('select count(*) from items');
      assert.deepEqual(await preparedNames(client), []);
      // After the transaction, the same text is named again.
      await client.query('select label from items where id = $1', ['a']);
      assert.equal((await preparedNames(client)).length, 1);
    } finally {
      await close();
    }
  });

  it('survives a migration that changes the columns under a prepared select * (PostgreSQL refuses the old plan)', async () => {
    await connect();
    const migrator = new pg.Client({ connectionString: schema.url });
    await migrator.connect();
    try {
      const text = 'select * from items where id = $1';
      assert.deepEqual((await client.query(text, ['a'])).rows, [{ id: 'a', label: 'apple' }]);
      await migrator.query("alter table items add column colour text not null default 'red'");
      assert.deepEqual((await client.query(text, ['a'])).rows, [{ id: 'a', label: 'apple', colour: 'red' }]);
      assert.deepEqual((await client.query(text, ['b'])).rows, [{ id: 'b', label: 'banana', colour: 'red' }]);
      assert.equal((await preparedNames(client)).length, 1, 'the refused statement was deallocated');
      assert.equal(policy.enabled, true);
    } finally {
      await migrator.query('alter table items drop column colour').catch(() => undefined);
      await migrator.end();
      await close();
    }
  });

  it('prepares again when the server dropped its statements behind the client (DISCARD ALL, DEALLOCATE ALL)', async () => {
    await connect();
    try {
      const text = 'select label from items where id = $1';
      await client.query(text, ['a']);
      await client.query('deallocate all');
      assert.deepEqual(await preparedNames(client), []);
      assert.deepEqual((await client.query(text, ['b'])).rows, [{ label: 'banana' }]);
      assert.equal((await preparedNames(client)).length, 1);
      assert.equal(policy.enabled, true);
    } finally {
      await close();
    }
  });

  it(`names at most ${PREPARED_STATEMENTS_PER_CONNECTION} texts per connection; the rest run unnamed, with right answers`, async () => {
    await connect();
    try {
      for (let i = 0; i < PREPARED_STATEMENTS_PER_CONNECTION + 20; i++) {
        const { rows } = await client.query<{ n: number }>(`select $1::int + ${i} as n`, [1]);
        assert.equal(rows[0]!.n, 1 + i);
      }
      assert.equal((await preparedNames(client)).length, PREPARED_STATEMENTS_PER_CONNECTION);
    } finally {
      await close();
    }
  });

  it('errors of the statement itself reach the caller unchanged', async () => {
    await connect();
    try {
      await assert.rejects(client.query('insert into items values ($1, $2)', ['a', 'again']), (error: { code?: string }) => error.code === '23505');
      assert.deepEqual((await client.query('select label from items where id = $1', ['a'])).rows, [{ label: 'apple' }]);
    } finally {
      await close();
    }
  });
});

describe('prepared statements: a server that cannot keep them at all', () => {
  it('falls back to unnamed statements for the whole pool when a freshly prepared statement is missing again', async () => {
    // A pooler in transaction mode without prepared-statement support sends Parse and Bind to different servers:
    // every named statement fails with 26000. Played here by a client whose server knows no names at all.
    const sent: Array<{ name?: string; text: string }> = [];
    const fake = {
      query: async (config: { name?: string; text: string; values?: unknown[] } | string, values?: unknown[]) => {
        const c = typeof config === 'string' ? { text: config, values } : config;
        sent.push({ ...(c.name ? { name: c.name } : {}), text: c.text });
        if (c.name) throw Object.assign(new Error(`prepared statement "${c.name}" does not exist`), { code: '26000' });
        return { rows: [{ ok: true }] };
      },
    };
    const policy: PreparedStatementPolicy = { enabled: true };
    prepareStatementsOn(fake as unknown as pg.ClientBase, policy);
    const result = await (fake as unknown as pg.ClientBase).query('select $1::int', [1]);
    assert.deepEqual(result.rows, [{ ok: true }]);
    assert.equal(policy.enabled, false);
    assert.equal(sent.length, 3);
    assert.ok(sent[0]!.name && sent[1]!.name && sent[0]!.name !== sent[1]!.name, 'prepared again under a new name first');
    assert.equal(sent[2]!.name, undefined, 'then unnamed');
    await (fake as unknown as pg.ClientBase).query('select $1::int', [2]);
    assert.equal(sent.length, 4);
    assert.equal(sent[3]!.name, undefined, 'and unnamed from then on');
  });

  it(`falls back for the whole pool when statements keep going missing (a pooler that moves them between servers), after ${MISSING_STATEMENTS_BEFORE_GIVING_UP}`, async () => {
    // Preparing works (Parse and Bind travel together), but a later use alone lands on a server that never saw it.
    const parsed = new Set<string>();
    const sent: Array<{ name?: string }> = [];
    const fake = {
      query: async (config: { name?: string; text: string; values?: unknown[] }) => {
        sent.push(config.name ? { name: config.name } : {});
        if (config.name && parsed.has(config.name)) throw Object.assign(new Error(`prepared statement "${config.name}" does not exist`), { code: '26000' });
        if (config.name) parsed.add(config.name);
        return { rows: [{ ok: true }] };
      },
    };
    const policy: PreparedStatementPolicy = { enabled: true };
    prepareStatementsOn(fake as unknown as pg.ClientBase, policy);
    const client = fake as unknown as pg.ClientBase;
    for (let i = 0; i < MISSING_STATEMENTS_BEFORE_GIVING_UP + 2; i++) assert.deepEqual((await client.query('select $1::int', [i])).rows, [{ ok: true }]);
    assert.equal(policy.enabled, false);
    assert.equal(policy.missing, MISSING_STATEMENTS_BEFORE_GIVING_UP);
    assert.deepEqual(sent.slice(-1), [{}], 'unnamed from then on');
  });
});
