// The Store contract, users: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { StoreConflict } from '../../../src/store/store.ts';
import { NOW, userRecord, isConflict } from './contract-fixtures.ts';

export function usersContract(current: () => SqlStore): void {
  describe('users', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('finds users by id and username and lists them by username', async () => {
      const bob = userRecord('u2', { username: 'bob', email: null, name: null });
      const alice = userRecord('u1', { username: 'alice' });
      await store.createUser(bob);
      await store.createUser(alice);
      assert.deepEqual(await store.getUser('u2'), bob);
      assert.deepEqual(await store.findUserByUsername('alice'), alice);
      assert.equal(await store.findUserByUsername('carol'), undefined);
      assert.equal(await store.getUser('u3'), undefined);
      assert.deepEqual((await store.listUsers()).map((u) => u.username), ['alice', 'bob']);
    });

    it('refuses a taken username or id with StoreConflict', async () => {
      await store.createUser(userRecord('u1', { username: 'alice' }));
      await assert.rejects(store.createUser(userRecord('u2', { username: 'alice' })), isConflict);
      await assert.rejects(store.createUser(userRecord('u1', { username: 'other' })), isConflict);
      assert.equal((await store.listUsers()).length, 1);
    });

    it('sets a password and deletes a user', async () => {
      await store.createUser(userRecord('u1'));
      assert.equal(await store.updateUserPassword('u1', 'new-hash', NOW + 9), true);
      const user = await store.getUser('u1');
      assert.equal(user?.passwordHash, 'new-hash');
      assert.equal(user?.updatedAt, NOW + 9);
      assert.equal(await store.updateUserPassword('nobody', 'x', NOW), false);
      assert.equal(await store.deleteUser('u1'), true);
      assert.equal(await store.getUser('u1'), undefined);
      assert.equal(await store.deleteUser('u1'), false);
    });
  });
}
