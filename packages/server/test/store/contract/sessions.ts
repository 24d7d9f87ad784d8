// The Store contract, sessions: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { NOW, sessionRecord, seedClientAndUser } from './contract-fixtures.ts';

export function sessionsContract(current: () => SqlStore): void {
  describe('sessions', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('returns a session until it expires, and not after deletion', async () => {
      await seedClientAndUser(store);
      const session = sessionRecord('sess-hash', 'u1', NOW + 100);
      await store.createSession(session);
      assert.deepEqual(await store.getSession('sess-hash', NOW + 99), session);
      assert.equal(await store.getSession('sess-hash', NOW + 100), undefined, 'expired at expiresAt');
      assert.equal(await store.getSession('other', NOW), undefined);
      await store.deleteSession('sess-hash');
      assert.equal(await store.getSession('sess-hash', NOW), undefined);
      await store.deleteSession('sess-hash');
    });
  });
}
