// Migrations 0014-0016 on a database that has rows already: sessions, codes and grants made before them were password
// sign-ins and read back with amr ["pwd"]; a signed-in interaction likewise; clients do not require a second factor.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { storeBeforeMigration } from '../helpers/store-before-migration.ts';

describe('migrations 0014-0016', () => {
  it('keep existing sessions, codes, grants and clients as password sign-ins without a second-factor requirement', async () => {
    const store = await storeBeforeMigration('0014');
    try {
      const db = store.db;
      await sql`insert into users (id, username, email, name, password_hash, created_at, updated_at) values ('u1', 'old', null, null, 'h', 1, 1)`.execute(db);
      await sql`insert into clients (id, name, secret_hash, is_public, redirect_uris, grant_types, scopes, require_pkce, id_token_alg, created_at, updated_at)
        values ('c1', 'Old', null, 1, '[]', '["authorization_code"]', '["openid"]', 1, 'RS256', 1, 1)`.execute(db);
      await sql`insert into sessions (id_hash, user_id, auth_time, created_at, expires_at) values ('s1', 'u1', 5, 5, 9999999999)`.execute(db);
      await sql`insert into auth_codes (code_hash, client_id, user_id, redirect_uri, code_challenge, nonce, scopes, audience, auth_time, created_at, expires_at, consumed_at, grant_id)
        values ('k1', 'c1', 'u1', '', null, null, '["openid"]', null, 5, 5, 9999999999, null, null)`.execute(db);
      await sql`insert into grants (id, client_id, user_id, scopes, audience, auth_time, created_at, last_used_at, expires_at, revoked_at)
        values ('g1', 'c1', 'u1', '["openid"]', null, 5, 5, 5, 9999999999, null)`.execute(db);
      await sql`insert into interactions (id, browser_hash, client_id, request, user_id, auth_time, created_at, expires_at)
        values ('i1', 'b', 'c1', '{}', 'u1', 5, 5, 9999999999)`.execute(db);

      const applied = (await store.migrate()).applied;
      for (const name of ['0014-passkeys', '0015-second-factor', '0016-client-second-factor']) assert.ok(applied.includes(name), name);
      assert.deepEqual((await store.getSession('s1', 10))?.amr, ['pwd']);
      assert.deepEqual((await store.getCode('k1'))?.amr, ['pwd']);
      assert.deepEqual((await store.getGrant('g1'))?.amr, ['pwd']);
      assert.deepEqual((await store.getInteraction('i1', 10))?.amr, null, 'read as ["pwd"] by the endpoints (interaction.ts)');
      assert.equal((await store.getClient('c1'))?.requireMfa, false);
      assert.equal((await store.getUser('u1'))?.passwordHash, 'h');
      assert.deepEqual(await store.listPasskeys('u1'), []);
      assert.equal(await store.getTotpFactor('u1'), undefined);
    } finally {
      await store.close();
    }
  });
});
