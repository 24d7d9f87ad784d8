// Per-client lifetimes (issue 15): a client's setting replaces the server's, except that access and ID tokens never
// outlive the server's setting (signing keys are kept published for that long); the bounds a client may set.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { clientLifetimeProblem, effectiveLifetimes } from '../../src/clients/client-lifetimes.ts';
import { storeBeforeMigration } from '../helpers/store-before-migration.ts';

const SERVER = { accessTokenTtl: 900, idTokenTtl: 3600, refreshIdleTtl: 14 * 86400, refreshAbsoluteTtl: 90 * 86400, refreshRetryWindow: 10 };

describe('effectiveLifetimes', () => {
  it("without a setting of its own, a client gets the server's", () => {
    assert.deepEqual(effectiveLifetimes(SERVER, {}), { accessTokenTtl: 900, idTokenTtl: 3600, refreshIdleTtl: 14 * 86400, refreshAbsoluteTtl: 90 * 86400, refreshGrace: 10 });
    assert.deepEqual(effectiveLifetimes(SERVER, { lifetimes: { accessTokenTtl: null, idTokenTtl: null, refreshIdleTtl: null, refreshAbsoluteTtl: null, refreshGrace: null } }),
      effectiveLifetimes(SERVER, {}));
  });

  it("a client's own values replace the server's; refresh lifetimes and grace may be longer, 0 grace turns it off", () => {
    const own = effectiveLifetimes(SERVER, { lifetimes: { accessTokenTtl: 60, idTokenTtl: 120, refreshIdleTtl: 365 * 86400, refreshAbsoluteTtl: 86400, refreshGrace: 0 } });
    assert.deepEqual(own, { accessTokenTtl: 60, idTokenTtl: 120, refreshIdleTtl: 365 * 86400, refreshAbsoluteTtl: 86400, refreshGrace: 0 });
    assert.equal(effectiveLifetimes(SERVER, { lifetimes: { accessTokenTtl: null, idTokenTtl: null, refreshIdleTtl: null, refreshAbsoluteTtl: null, refreshGrace: 60 } }).refreshGrace, 60);
  });

  it("access and ID tokens are capped at the server's setting", () => {
    const greedy = effectiveLifetimes(SERVER, { lifetimes: { accessTokenTtl: 86400, idTokenTtl: 86400, refreshIdleTtl: null, refreshAbsoluteTtl: null, refreshGrace: null } });
    assert.equal(greedy.accessTokenTtl, 900);
    assert.equal(greedy.idTokenTtl, 3600);
  });
});

describe('clientLifetimeProblem', () => {
  it('accepts the bounds and refuses what lies outside them or is not whole seconds', () => {
    assert.equal(clientLifetimeProblem('refreshGrace', 0), undefined);
    assert.equal(clientLifetimeProblem('refreshGrace', 300), undefined);
    assert.match(clientLifetimeProblem('refreshGrace', 301)!, /from 0 to 300/);
    assert.match(clientLifetimeProblem('accessTokenTtl', 29)!, /from 30 to 86400/);
    assert.match(clientLifetimeProblem('refreshIdleTtl', 1.5)!, /whole number/);
  });
});

describe('migration 0010', () => {
  it("keeps existing clients on the server's lifetimes and grace window", async () => {
    const store = await storeBeforeMigration('0010');
    try {
      await sql`insert into clients (id, name, secret_hash, is_public, redirect_uris, grant_types, scopes, require_pkce, id_token_alg, created_at, updated_at)
        values ('c1', 'Old', null, 1, '[]', '["authorization_code"]', '["openid"]', 1, 'RS256', 1, 1)`.execute(store.db);
      assert.ok((await store.migrate()).applied.includes('0010-client-lifetimes-and-refresh-grace'));
      const client = (await store.getClient('c1'))!;
      assert.deepEqual(client.lifetimes, { accessTokenTtl: null, idTokenTtl: null, refreshIdleTtl: null, refreshAbsoluteTtl: null, refreshGrace: null });
      assert.deepEqual(effectiveLifetimes(SERVER, client), effectiveLifetimes(SERVER, {}));
    } finally {
      await store.close();
    }
  });
});
