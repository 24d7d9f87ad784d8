// The LatchkeyStore contract on both dialects: exactly-once transactions, conditional leases, expiry (SQLite always, PostgreSQL when configured).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPostgresStore, createSqliteStore, type LatchkeyStore, type SessionRecord } from '../src/index.ts';
import { countRows } from './support/store-rows.ts';

function session(id: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  const now = Date.now();
  return {
    id, subject: 'user-1', providerSid: null, profile: 'enc-profile', accessToken: 'enc-at', refreshToken: 'enc-rt', idToken: 'enc-id',
    accessExpiresAt: now + 60_000, refreshAt: now + 30_000, audienceTokens: null, dpopKey: null, scopes: 'openid profile', reauthRequired: false, version: 0,
    leaseOwner: null, leaseUntil: null, createdAt: now, expiresAt: now + 3_600_000, ...overrides,
  };
}

async function runContract(t: TestContext, store: LatchkeyStore): Promise<void> {
  await t.test('migrations are idempotent, also when run concurrently', async () => {
    await Promise.all([store.migrate(), store.migrate()]);
    await store.migrate();
    assert.deepEqual(await countRows(store), { sessions: 0, transactions: 0 });
  });

  await t.test('a transaction is consumed exactly once, only with its binding, only while live', async () => {
    const now = Date.now();
    await store.createTransaction({ id: 'tx-1', binding: 'b-1', payload: 'p', expiresAt: now + 60_000 });
    assert.equal(await store.consumeTransaction('tx-1', 'wrong-binding', now), undefined);
    const results = await Promise.all(Array.from({ length: 10 }, () => store.consumeTransaction('tx-1', 'b-1', now)));
    const winners = results.filter(Boolean);
    assert.equal(winners.length, 1);
    assert.deepEqual({ ...winners[0] }, { id: 'tx-1', binding: 'b-1', payload: 'p', expiresAt: now + 60_000 });
    await store.createTransaction({ id: 'tx-2', binding: 'b-2', payload: 'p', expiresAt: now - 1 });
    assert.equal(await store.consumeTransaction('tx-2', 'b-2', now), undefined);
    await store.deleteExpired(now);
    assert.equal((await countRows(store)).transactions, 0);
  });

  await t.test('sessions: insert, read, update tokens, expiry, delete', async () => {
    const now = Date.now();
    const original = session('s-1');
    await store.createSession(original);
    const read = await store.getSession('s-1', now);
    assert.deepEqual({ ...read }, original, 'numbers come back as numbers, booleans as booleans');
    assert.equal(await store.updateSessionTokens('s-1', {
      accessToken: 'enc-at-2', refreshToken: 'enc-rt-2', idToken: null, accessExpiresAt: null, refreshAt: null, scopes: 'openid', profile: 'p2', audienceTokens: 'enc-aud', dpopKey: null,
    }), true);
    const updated = await store.getSession('s-1', now);
    assert.equal(updated?.accessToken, 'enc-at-2');
    assert.equal(updated?.idToken, null);
    assert.equal(updated?.audienceTokens, 'enc-aud');
    assert.equal(updated?.refreshAt, null);
    assert.equal(updated?.version, 1);
    await store.createSession(session('s-expired', { expiresAt: now - 1 }));
    assert.equal(await store.getSession('s-expired', now), undefined);
    await store.deleteExpired(now);
    assert.equal((await countRows(store)).sessions, 1);
    assert.equal(await store.deleteSession('s-1'), true);
    assert.equal(await store.deleteSession('s-1'), false);
  });

  await t.test('the refresh lease is taken by one owner at a time and expires', async () => {
    const now = Date.now();
    await store.createSession(session('s-lease'));
    const contenders = await Promise.all(['a', 'b', 'c', 'd'].map((owner) => store.acquireRefreshLease('s-lease', owner, now, now + 1000)));
    assert.equal(contenders.filter(Boolean).length, 1);
    const owner = ['a', 'b', 'c', 'd'][contenders.indexOf(true)]!;
    const other = owner === 'a' ? 'b' : 'a';
    await store.releaseRefreshLease('s-lease', other);
    assert.equal(await store.acquireRefreshLease('s-lease', other, now, now + 1000), false, 'a non-owner cannot release');
    const update = { accessToken: 'x', refreshToken: 'y', idToken: null, accessExpiresAt: null, refreshAt: null, scopes: 'openid', profile: 'p', audienceTokens: null, dpopKey: null };
    assert.equal(await store.updateSessionTokens('s-lease', update, other), false, 'only the lease owner writes');
    assert.equal(await store.acquireRefreshLease('s-lease', other, now + 1001, now + 2000), true, 'an expired lease can be taken over');
    assert.equal(await store.updateSessionTokens('s-lease', update, owner), false, 'the previous owner lost its write');
    assert.equal(await store.updateSessionTokens('s-lease', update, other), true);
    const row = await store.getSession('s-lease', now);
    assert.equal(row?.leaseOwner, null, 'the write releases the lease');
    assert.equal(await store.acquireRefreshLease('s-lease', owner, now, now + 1000), true);
    await store.markReauthenticationRequired('s-lease');
    const marked = await store.getSession('s-lease', now);
    assert.equal(marked?.reauthRequired, true);
    assert.equal(marked?.leaseOwner, null);
  });

  await t.test('listing for re-encryption pages by id', async () => {
    for (const id of ['r-1', 'r-2', 'r-3']) await store.createSession(session(id));
    const first = await store.listSessionsForReencryption('', 2);
    const second = await store.listSessionsForReencryption(first.at(-1)!.id, 10);
    const ids = [...first, ...second].map((row) => row.id);
    assert.deepEqual(ids, [...ids].sort());
    assert.ok(['r-1', 'r-2', 'r-3'].every((id) => ids.includes(id)));
  });

  await t.test('back-channel logout: sessions found by provider sid and/or subject; a logout token id is recorded once', async () => {
    await store.createSession(session('b-1', { subject: 'sub-b', providerSid: 'op-1' }));
    await store.createSession(session('b-2', { subject: 'sub-b', providerSid: 'op-1' }));
    await store.createSession(session('b-3', { subject: 'sub-b', providerSid: 'op-2' }));
    await store.createSession(session('b-4', { subject: 'sub-c', providerSid: 'op-3' }));
    assert.equal(await store.deleteSessionsForProvider({}), 0, 'nothing without a selector');
    assert.equal(await store.deleteSessionsForProvider({ subject: 'sub-c', providerSid: 'op-1' }), 0, 'both must match');
    assert.equal(await store.deleteSessionsForProvider({ providerSid: 'op-1' }), 2);
    assert.equal((await store.getSession('b-3', Date.now()))?.providerSid, 'op-2');
    assert.equal(await store.deleteSessionsForProvider({ subject: 'sub-b' }), 1);
    assert.ok(await store.getSession('b-4', Date.now()));
    const now = Date.now();
    const results = await Promise.all(Array.from({ length: 8 }, () => store.recordLogoutToken('jti-hash-1', now + 60_000)));
    assert.equal(results.filter(Boolean).length, 1, 'one of concurrent deliveries wins; the rest are replays');
    await store.recordLogoutToken('jti-old', now - 1);
    await store.deleteExpired(now);
    assert.equal(await store.recordLogoutToken('jti-old', now + 60_000), true, 'forgotten after it expired');
    assert.equal(await store.recordLogoutToken('jti-hash-1', now + 60_000), false);
  });
}

test('SQLite store contract', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-store-'));
  const store = createSqliteStore({ path: join(dir, 'store.db') });
  try {
    await store.migrate();
    await runContract(t, store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PostgreSQL store contract', async (t) => {
  const url = process.env.LATCHKEY_TEST_POSTGRES_URL;
  if (!url) {
    t.skip('LATCHKEY_TEST_POSTGRES_URL not set');
    return;
  }
  const schema = `latchkey_test_${randomBytes(6).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  const store = createPostgresStore({ pool, schema });
  try {
    await store.migrate();
    await runContract(t, store);
    const { rows } = await pool.query('select table_name from information_schema.tables where table_schema = $1 order by table_name', [schema]);
    assert.deepEqual(rows.map((r: { table_name: string }) => r.table_name), ['latchkey_logout_tokens', 'latchkey_migrations', 'latchkey_sessions', 'latchkey_transactions'], 'everything in the configured schema');
  } finally {
    await store.close();
    await pool.query(`drop schema if exists "${schema}" cascade`);
    await pool.end();
  }
});
