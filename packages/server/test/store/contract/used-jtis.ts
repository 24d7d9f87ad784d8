// The Store contract, used one-time identifiers (DPoP proof and client assertion jti): run by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { NOW, countRows, race } from './contract-fixtures.ts';

export function usedJtisContract(current: () => SqlStore): void {
  describe('used jtis', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('records a jti once: the second use is refused until it expires, then it is free again', async () => {
      assert.equal(await store.recordJti('dpop:k1:j1', NOW + 60, NOW), true);
      assert.equal(await store.recordJti('dpop:k1:j1', NOW + 60, NOW + 30), false, 'a replay');
      assert.equal(await store.recordJti('dpop:k2:j1', NOW + 60, NOW), true, 'another key');
      assert.equal(await store.recordJti('dpop:k1:j1', NOW + 120, NOW + 60), true, 'expired entries count as unused');
      assert.equal(await store.recordJti('dpop:k1:j1', NOW + 120, NOW + 61), false);
    });

    it('of 50 concurrent uses of one jti exactly one is accepted', async () => {
      const results = await race(50, () => store.recordJti('assertion:c1:race', NOW + 300, NOW));
      assert.equal(results.filter((r) => r).length, 1);
    });

    it('expired entries are deleted', async () => {
      await store.recordJti('a', NOW - 1, NOW - 10);
      await store.recordJti('b', NOW + 10, NOW);
      await store.deleteExpired(NOW, 100);
      assert.equal(await countRows(store, 'used_jtis'), 1);
    });
  });
}
