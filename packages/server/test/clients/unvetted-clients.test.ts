// Clients nobody vetted: the operator's scope allow-list (scope names or API identifiers), the host the pages show,
// and the removal of dynamic registrations never used within unusedClientTtl (the server's own cleanup).
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { storeBeforeMigration } from '../helpers/store-before-migration.ts';
import { describe, it } from 'node:test';
import { removeExpired } from '../../src/clients/unused-clients.ts';
import { clientMayRequest, unvettedClientHost } from '../../src/clients/unvetted-client-policy.ts';
import { registerClient } from '../../src/clients/register-client.ts';
import type { ClientRecord } from '../../src/store/records.ts';
import { startTestServer } from '../helpers/test-server.ts';

const base: ClientRecord = {
  id: 'c', name: 'C', secretHash: null, isPublic: true, redirectUris: ['http://127.0.0.1/cb', 'https://app.example/cb'], grantTypes: ['authorization_code'],
  scopes: [], requirePkce: true, idTokenAlg: 'RS256', registration: 'dynamic', idTokenClaims: true, requireMfa: false, createdAt: 0, updatedAt: 0,
  postLogoutRedirectUris: [], backchannelLogoutUri: null, backchannelLogoutSessionRequired: false,
  requirePar: false, requireDpop: false, jwks: null, jwksUri: null, profile: null,
};
const read = { name: 'tools:read', description: 'read', api: 'https://mcp.example/mcp' };
const admin = { name: 'admin', description: 'admin', api: 'https://admin.example' };
const openid = { name: 'openid', description: 'who', api: null };

describe('what an unvetted client may request', () => {
  it('any known scope when the operator set no allow-list, whatever scope it registered (step-up needs more later)', () => {
    assert.equal(clientMayRequest({ unvettedClientScopes: '' }, base, admin), true);
    assert.equal(clientMayRequest({ unvettedClientScopes: '' }, { ...base, scopes: ['openid'] }, admin), true);
  });

  it('an allow-list of scope names and API identifiers admits exactly those', () => {
    const config = { unvettedClientScopes: 'openid https://mcp.example/mcp' };
    assert.equal(clientMayRequest(config, base, read), true, 'a scope of an allowed API');
    assert.equal(clientMayRequest(config, base, openid), true, 'an allowed scope name');
    assert.equal(clientMayRequest(config, base, admin), false, 'another API');
  });

  it('operator clients keep their registered scope list, whatever the allow-list says', () => {
    const operator = { ...base, registration: 'operator' as const, scopes: ['admin'] };
    assert.equal(clientMayRequest({ unvettedClientScopes: 'openid' }, operator, admin), true);
    assert.equal(clientMayRequest({ unvettedClientScopes: '' }, operator, read), false);
  });

  it('the host shown: the client_id URL, else client_uri, else the first web redirect URI', () => {
    assert.equal(unvettedClientHost({ ...base, id: 'https://agent.example/client.json' }), 'agent.example');
    assert.equal(unvettedClientHost({ ...base, clientUri: 'https://home.example' }), 'home.example');
    assert.equal(unvettedClientHost(base), '127.0.0.1');
    assert.equal(unvettedClientHost({ ...base, redirectUris: ['com.example.app:/cb'] }), 'an unknown site');
  });
});

describe('unused dynamic registrations', () => {
  it('are removed by the cleanup after unusedClientTtl; used, blocked and operator clients stay', async () => {
    const clock = { now: 1_900_000_000 };
    const server = await startTestServer({ unusedClientTtl: 86400 }, { now: () => clock.now });
    try {
      const ctx = server.app.latchkeyServer;
      const make = async (name: string, registration: 'dynamic' | 'operator') =>
        (await registerClient(server.store, { name, redirectUris: ['https://app.example/cb'], isPublic: true, registration }, clock.now)).client.id;
      const unused = await make('unused', 'dynamic');
      const used = await make('used', 'dynamic');
      const blocked = await make('blocked', 'dynamic');
      const operator = await make('operator', 'operator');
      await server.store.updateClientFirstUse(used, clock.now + 10);
      await server.store.updateClientBlocked(blocked, clock.now + 10, clock.now + 10);
      clock.now += 86400;
      await removeExpired(ctx, 100);
      assert.ok(await server.store.getClient(unused), 'not yet: exactly the TTL has passed');
      clock.now += 1;
      await removeExpired(ctx, 100);
      assert.equal(await server.store.getClient(unused), undefined);
      for (const id of [used, blocked, operator]) assert.ok(await server.store.getClient(id), id);
    } finally {
      await server.close();
    }
  });
});

describe('migration 0023', () => {
  it('keeps existing clients as they were: operator-registered, never blocked, nothing self-asserted', async () => {
    const store = await storeBeforeMigration('0023');
    try {
      const db = store.db;
      await sql`insert into clients (id, name, secret_hash, is_public, redirect_uris, grant_types, scopes, require_pkce, id_token_alg, created_at, updated_at)
        values ('c1', 'Old', null, 1, '[]', '["authorization_code"]', '["openid"]', 1, 'RS256', 1, 1)`.execute(db);
      assert.equal((await store.migrate()).applied[0], '0023-unvetted-clients');
      const client = await store.getClient('c1');
      assert.equal(client?.registration, 'operator');
      assert.deepEqual([client?.blockedAt, client?.firstUsedAt, client?.registrationTokenHash, client?.clientUri, client?.applicationType], [null, null, null, null, null]);
    } finally {
      await store.close();
    }
  });
});
