import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Kysely, sql } from 'kysely';
import { NodeSqliteDialect, type NodeSqliteOptions } from '../src/index.ts';

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

// background-checkpoint.ts: the writes reach the database file without the serving connection checkpointing.
describe('WAL checkpoints on a worker thread', () => {
  const openFiles = (path: string): number => {
    if (process.platform !== 'linux') return 0;
    return readdirSync('/proc/self/fd').filter((fd) => {
      try { return readlinkSync(`/proc/self/fd/${fd}`).startsWith(path); } catch { return false; }
    }).length;
  };
  const eventually = async (what: string, check: () => boolean | Promise<boolean>): Promise<void> => {
    for (let waited = 0; !(await check()); waited += 20) {
      if (waited > 10_000) assert.fail(`${what} did not happen within 10 s`);
      await delay(20);
    }
  };
  const ROW = 'x'.repeat(4000);
  const MB = 1024 * 1024;

  async function openWith(backgroundCheckpoints: NodeSqliteOptions['backgroundCheckpoints']) {
    const dir = mkdtempSync(join(tmpdir(), 'lk-ckpt-'));
    const path = join(dir, 'db.sqlite');
    const db = new Kysely<Db>({ dialect: new NodeSqliteDialect({ path, backgroundCheckpoints }) });
    await db.schema.createTable('items').addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull()).addColumn('flag', 'integer').execute();
    let next = 0;
    const write = async (megabytes: number) => {
      for (let i = 0; i < megabytes * 256; i++) await db.insertInto('items').values({ id: next++, name: ROW, flag: 0 }).execute();
    };
    const autocheckpoint = async () => (await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db)).rows[0]?.wal_autocheckpoint;
    const close = async () => {
      await db.destroy();
      // The worker closes its connection and exits: nothing of this database stays open in the process.
      await eventually('the worker closing the file', () => openFiles(path) === 0);
      rmSync(dir, { recursive: true, force: true });
    };
    return { db, path, write, autocheckpoint, close, count: () => next };
  }

  it('starts after the configured number of writes; from then on the worker copies the WAL into the file', async () => {
    const t = await openWith({ checkpointAfterWrites: 10, checkpointIntervalMs: 20 });
    try {
      assert.equal(await t.autocheckpoint(), 1000, "SQLite's own automatic checkpoint until the worker runs");
      await t.write(0.1);
      // Running: the serving connection's automatic checkpoint is only a bound on the WAL now.
      await eventually('the worker start', async () => (await t.autocheckpoint()) === 10_000);
      const before = statSync(t.path).size;
      // Half a megabyte (about 400 WAL frames): under SQLite's automatic checkpoint threshold (1000 frames), so only
      // the worker can have copied them into the file.
      await t.write(0.5);
      await eventually('the copy into the database file', () => statSync(t.path).size >= before + 0.5 * MB);
      const { n } = await t.db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(n), t.count());
    } finally {
      await t.close();
    }
  });

  it('without it (backgroundCheckpoints: false), the same writes stay in the WAL until SQLite checkpoints', async () => {
    const t = await openWith(false);
    try {
      const before = statSync(t.path).size;
      await t.write(0.5);
      await delay(200);
      assert.ok(statSync(t.path).size < before + 0.25 * MB, `nothing copied the WAL into the file (${before} → ${statSync(t.path).size} bytes)`);
      assert.equal(await t.autocheckpoint(), 1000);
    } finally {
      await t.close();
    }
  });
});
