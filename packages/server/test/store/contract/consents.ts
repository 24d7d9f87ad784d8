// The Store contract, consents: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { NOW, clientRecord, race, seedClientAndUser } from './contract-fixtures.ts';

export function consentsContract(current: () => SqlStore): void {
  describe('consents', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('adds scopes as a union and keeps the first grant time', async () => {
      await seedClientAndUser(store);
      assert.equal(await store.getConsent('u1', 'c1'), undefined);
      const first = await store.addConsentScopes('u1', 'c1', ['openid', 'contacts:read'], NOW);
      assert.deepEqual(first, { userId: 'u1', clientId: 'c1', scopes: ['contacts:read', 'openid'], grantedAt: NOW, updatedAt: NOW });
      const second = await store.addConsentScopes('u1', 'c1', ['contacts:write', 'openid'], NOW + 60);
      assert.deepEqual(second, { userId: 'u1', clientId: 'c1', scopes: ['contacts:read', 'contacts:write', 'openid'], grantedAt: NOW, updatedAt: NOW + 60 });
      assert.deepEqual(await store.getConsent('u1', 'c1'), second);
      assert.deepEqual(await store.listConsents('u1'), [second]);
    });

    it('loses no scope when many additions race on a new consent', async () => {
      await seedClientAndUser(store);
      await race(30, (i) => store.addConsentScopes('u1', 'c1', [`scope:${i}`], NOW + i));
      const consent = await store.getConsent('u1', 'c1');
      assert.ok(consent);
      assert.equal(consent.scopes.length, 30, `kept ${consent.scopes.length} of 30 scopes`);
      assert.deepEqual(consent.scopes, Array.from({ length: 30 }, (_, i) => `scope:${i}`).sort());
    });

    it('loses no scope when many additions race on an existing consent', async () => {
      await seedClientAndUser(store);
      await store.addConsentScopes('u1', 'c1', ['openid'], NOW);
      await race(30, (i) => store.addConsentScopes('u1', 'c1', [`scope:${i}`, 'openid'], NOW + 1));
      const consent = await store.getConsent('u1', 'c1');
      assert.ok(consent);
      assert.equal(consent.scopes.length, 31);
      assert.equal(consent.grantedAt, NOW);
    });

    it('deletes a consent', async () => {
      await seedClientAndUser(store);
      await store.createClient(clientRecord('c2'));
      await store.addConsentScopes('u1', 'c1', ['openid'], NOW);
      await store.addConsentScopes('u1', 'c2', ['openid'], NOW + 1);
      assert.equal(await store.deleteConsent('u1', 'c1'), true);
      assert.equal(await store.deleteConsent('u1', 'c1'), false);
      assert.deepEqual((await store.listConsents('u1')).map((c) => c.clientId), ['c2']);
    });
  });
}
