// The Store contract, clients: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { StoreConflict } from '../../../src/store/store.ts';
import { NOW, clientRecord, isConflict } from './contract-fixtures.ts';

export function clientsContract(current: () => SqlStore): void {
  describe('clients', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('round-trips every field of a client', async () => {
      const confidential = clientRecord('c1', { idTokenAlg: 'ES256', requirePkce: false });
      const pub = clientRecord('c2', { secretHash: null, isPublic: true, grantTypes: ['authorization_code'], scopes: [], registration: 'dynamic', createdAt: NOW + 1 });
      await store.createClient(confidential);
      await store.createClient(pub);
      assert.deepEqual(await store.getClient('c1'), confidential);
      assert.deepEqual(await store.getClient('c2'), pub);
      assert.equal(await store.getClient('nope'), undefined);
      assert.deepEqual((await store.listClients()).map((c) => c.id), ['c1', 'c2']);
    });

    it('round-trips what an unvetted client says about itself, its registration token hash, first use and block (migration 0023)', async () => {
      const dynamic = clientRecord('d1', {
        registration: 'dynamic', clientUri: 'https://agent.example', logoUri: 'https://agent.example/logo.png', applicationType: 'native',
        registrationTokenHash: 'rat-hash', firstUsedAt: NOW + 5, blockedAt: NOW + 6,
      });
      await store.createClient(dynamic);
      assert.deepEqual(await store.getClient('d1'), dynamic);
    });

    it('updates a dynamic registration (never an operator client) and its keys, keeping its token hash, first use and block', async () => {
      await store.createClient(clientRecord('d1', { registration: 'dynamic', registrationTokenHash: 'rat', blockedAt: NOW }));
      await store.createClient(clientRecord('op'));
      const changed = clientRecord('d1', {
        registration: 'dynamic', name: 'Renamed', redirectUris: ['https://x.example/cb'], scopes: [], clientUri: 'https://x.example', updatedAt: NOW + 9,
        isPublic: false, jwksUri: 'https://x.example/jwks.json',
      });
      assert.equal(await store.updateClientRegistration(changed), true);
      assert.deepEqual(await store.getClient('d1'), { ...changed, registrationTokenHash: 'rat', blockedAt: NOW });
      assert.equal(await store.updateClientRegistration(clientRecord('op', { name: 'Hijacked' })), false);
      assert.equal((await store.getClient('op'))?.name, 'Client op');
      assert.equal(await store.updateClientRegistration(clientRecord('nope', { registration: 'dynamic' })), false);
    });

    it('blocks and unblocks; records the first use once', async () => {
      await store.createClient(clientRecord('c1'));
      assert.equal(await store.updateClientBlocked('c1', NOW + 1, NOW + 1), true);
      assert.equal((await store.getClient('c1'))?.blockedAt, NOW + 1);
      assert.equal(await store.updateClientBlocked('c1', null, NOW + 2), true);
      assert.equal((await store.getClient('c1'))?.blockedAt, null);
      assert.equal(await store.updateClientBlocked('nope', NOW, NOW), false);
      assert.equal(await store.updateClientFirstUse('c1', NOW + 3), true);
      assert.equal(await store.updateClientFirstUse('c1', NOW + 4), false);
      assert.equal((await store.getClient('c1'))?.firstUsedAt, NOW + 3);
    });

    it('deletes only dynamic clients created before the cutoff, never used and not blocked, in bounded batches', async () => {
      await store.createClient(clientRecord('unused1', { registration: 'dynamic', createdAt: NOW - 10 }));
      await store.createClient(clientRecord('unused2', { registration: 'dynamic', createdAt: NOW - 10 }));
      await store.createClient(clientRecord('young', { registration: 'dynamic', createdAt: NOW }));
      await store.createClient(clientRecord('used', { registration: 'dynamic', createdAt: NOW - 10, firstUsedAt: NOW - 5 }));
      await store.createClient(clientRecord('blocked', { registration: 'dynamic', createdAt: NOW - 10, blockedAt: NOW - 5 }));
      await store.createClient(clientRecord('operator', { createdAt: NOW - 10 }));
      assert.equal((await store.deleteUnusedClients(NOW, 1)).length, 1);
      assert.equal((await store.deleteUnusedClients(NOW, 10)).length, 1);
      assert.deepEqual(await store.deleteUnusedClients(NOW, 10), []);
      assert.deepEqual((await store.listClients()).map((c) => c.id).sort(), ['blocked', 'operator', 'used', 'young']);
    });

    it('round-trips per-client lifetimes; an update sets the named ones (null: back to the server\'s) and leaves the others', async () => {
      const lifetimes = { accessTokenTtl: 300, idTokenTtl: 600, refreshIdleTtl: 86400, refreshAbsoluteTtl: 7 * 86400, refreshGrace: 0 };
      await store.createClient(clientRecord('c1', { lifetimes }));
      assert.deepEqual((await store.getClient('c1'))?.lifetimes, lifetimes);
      assert.equal(await store.updateClientLifetimes('c1', { refreshGrace: 5, accessTokenTtl: null }, NOW + 5), true);
      const updated = await store.getClient('c1');
      assert.deepEqual(updated?.lifetimes, { ...lifetimes, refreshGrace: 5, accessTokenTtl: null });
      assert.equal(updated?.updatedAt, NOW + 5);
      assert.equal(await store.updateClientLifetimes('nope', { refreshGrace: 5 }, NOW), false);
    });

    it('a client stored before its registration kind was recorded counts as operator-registered (migration 0004)', async () => {
      await sql`insert into clients (id, name, secret_hash, is_public, redirect_uris, grant_types, scopes, require_pkce, id_token_alg, created_at, updated_at)
        values ('old', 'Old', null, 1, '[]', '[]', '[]', 1, 'RS256', ${NOW}, ${NOW})`.execute(store.db);
      assert.equal((await store.getClient('old'))?.registration, 'operator');
    });

    it('refuses a duplicate client id with StoreConflict and keeps the original', async () => {
      await store.createClient(clientRecord('c1'));
      await assert.rejects(store.createClient(clientRecord('c1', { name: 'Impostor' })), isConflict);
      assert.equal((await store.getClient('c1'))?.name, 'Client c1');
      assert.equal((await store.listClients()).length, 1);
    });

    it('updates the secret of a confidential client only', async () => {
      await store.createClient(clientRecord('c1'));
      await store.createClient(clientRecord('pub', { secretHash: null, isPublic: true }));
      assert.equal(await store.updateClientSecret('c1', 'new-hash', NOW + 5), true);
      const updated = await store.getClient('c1');
      assert.equal(updated?.secretHash, 'new-hash');
      assert.equal(updated?.updatedAt, NOW + 5);
      assert.equal(await store.updateClientSecret('pub', 'new-hash', NOW + 5), false);
      assert.equal((await store.getClient('pub'))?.secretHash, null);
      assert.equal(await store.updateClientSecret('missing', 'new-hash', NOW + 5), false);
    });

    it('deletes a client once', async () => {
      await store.createClient(clientRecord('c1'));
      assert.equal(await store.deleteClient('c1'), true);
      assert.equal(await store.getClient('c1'), undefined);
      assert.equal(await store.deleteClient('c1'), false);
    });
  });
}
