// Migrations 0007 and 0008 on a database that already has sessions, codes, grants and clients: existing sessions get a
// random sid each and keep working; clients get no logout registration; codes and grants have no sid and no requested
// claims.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { storeBeforeMigration } from '../helpers/store-before-migration.ts';

it('0007 and 0008 keep existing sessions (each with a new, distinct sid) and clients (no logout URIs)', async () => {
  const store = await storeBeforeMigration('0007');
  try {
    const db = store.db;
    await sql`insert into users (id, username, email, name, password_hash, created_at, updated_at) values ('u1', 'old', null, null, 'h', 1, 1)`.execute(db);
    await sql`insert into clients (id, name, secret_hash, is_public, redirect_uris, grant_types, scopes, require_pkce, id_token_alg, created_at, updated_at)
      values ('c1', 'Old', null, 1, '[]', '["authorization_code"]', '["openid"]', 1, 'RS256', 1, 1)`.execute(db);
    for (const hash of ['h1', 'h2']) {
      await sql`insert into sessions (id_hash, user_id, auth_time, created_at, expires_at) values (${hash}, 'u1', 10, 10, 9999999999)`.execute(db);
    }
    assert.deepEqual((await store.migrate()).applied.slice(0, 2), ['0007-sessions-and-logout', '0008-requested-claims'], 'then any later ones');
    const [a, b] = [await store.getSession('h1', 100), await store.getSession('h2', 100)];
    assert.ok(a && b);
    assert.match(a.sid, /^[\w-]{22}$/);
    assert.notEqual(a.sid, b.sid);
    assert.equal(a.lastActiveAt, 10);
    assert.equal(a.userAgent, null);
    const client = await store.getClient('c1');
    assert.deepEqual([client!.postLogoutRedirectUris, client!.backchannelLogoutUri, client!.backchannelLogoutSessionRequired], [[], null, false]);
  } finally {
    await store.close();
  }
});
