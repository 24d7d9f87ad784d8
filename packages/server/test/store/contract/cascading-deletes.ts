// The Store contract, cascading deletes: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { NOW, clientRecord, userRecord, sessionRecord, interactionRecord, codeRecord, grantRecord, refreshRecord, countRows, seedClientAndUser } from './contract-fixtures.ts';

export function cascadingDeletesContract(current: () => SqlStore): void {
  describe('cascading deletes', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    async function seedFamily(clientId: string, userId: string): Promise<void> {
      await store.addConsentScopes(userId, clientId, ['openid'], NOW);
      await store.createCode(codeRecord(`code-${clientId}-${userId}`, clientId, userId));
      await store.createGrant(grantRecord(`g-${clientId}-${userId}`, clientId, userId), refreshRecord(`rt-${clientId}-${userId}`, `g-${clientId}-${userId}`));
      await store.createInteraction(interactionRecord(`i-${clientId}-${userId}`, clientId, { userId, authTime: NOW }));
    }

    async function assertFamilyGone(clientId: string, userId: string): Promise<void> {
      assert.equal(await store.getConsent(userId, clientId), undefined);
      assert.equal(await store.getCode(`code-${clientId}-${userId}`), undefined);
      assert.equal(await store.getGrant(`g-${clientId}-${userId}`), undefined);
      assert.equal(await store.getRefreshToken(`rt-${clientId}-${userId}`), undefined);
      assert.equal(await store.getInteraction(`i-${clientId}-${userId}`, NOW), undefined);
    }

    it('deleting a client removes its consents, codes, grants, refresh tokens and interactions only', async () => {
      await seedClientAndUser(store, 'c1', 'u1');
      await store.createClient(clientRecord('c2'));
      await seedFamily('c1', 'u1');
      await seedFamily('c2', 'u1');
      assert.equal(await store.deleteClient('c1'), true);
      await assertFamilyGone('c1', 'u1');
      assert.ok(await store.getConsent('u1', 'c2'));
      assert.ok(await store.getRefreshToken('rt-c2-u1'));
      assert.ok(await store.getCode('code-c2-u1'));
      assert.equal(await countRows(store, 'refresh_tokens'), 1);
    });

    it('deleting a user removes their sessions, consents, codes, grants, refresh tokens and interactions only', async () => {
      await seedClientAndUser(store, 'c1', 'u1');
      await store.createUser(userRecord('u2'));
      await seedFamily('c1', 'u1');
      await seedFamily('c1', 'u2');
      await store.createSession(sessionRecord('sess-u1', 'u1', NOW + 100));
      await store.createSession(sessionRecord('sess-u2', 'u2', NOW + 100));
      assert.equal(await store.deleteUser('u1'), true);
      await assertFamilyGone('c1', 'u1');
      assert.equal(await store.getSession('sess-u1', NOW), undefined);
      assert.ok(await store.getSession('sess-u2', NOW));
      assert.ok(await store.getRefreshToken('rt-c1-u2'));
      assert.deepEqual((await store.listConsents('u2')).map((c) => c.clientId), ['c1']);
    });
  });
}
