// The Store contract, interactions: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { NOW, interactionRecord, race, seedClientAndUser } from './contract-fixtures.ts';

export function interactionsContract(current: () => SqlStore): void {
  describe('interactions', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('returns a pending interaction until it expires', async () => {
      await seedClientAndUser(store);
      const pending = interactionRecord('i1', 'c1');
      const signedIn = interactionRecord('i2', 'c1', { userId: 'u1', authTime: NOW - 3 });
      await store.createInteraction(pending);
      await store.createInteraction(signedIn);
      assert.deepEqual(await store.getInteraction('i1', NOW + 599), pending);
      assert.deepEqual(await store.getInteraction('i2', NOW), signedIn);
      assert.equal(await store.getInteraction('i1', NOW + 600), undefined, 'expired at expiresAt');
      assert.equal(await store.getInteraction('nope', NOW), undefined);
    });

    it('consumes an interaction exactly once, and never an expired one', async () => {
      await seedClientAndUser(store);
      await store.createInteraction(interactionRecord('i1', 'c1'));
      await store.createInteraction(interactionRecord('i-old', 'c1', { expiresAt: NOW + 10 }));
      assert.deepEqual(await store.consumeInteraction('i1', NOW), interactionRecord('i1', 'c1'));
      assert.equal(await store.consumeInteraction('i1', NOW), undefined);
      assert.equal(await store.getInteraction('i1', NOW), undefined);
      assert.equal(await store.consumeInteraction('i-old', NOW + 10), undefined);
    });

    it('gives exactly one of 50 concurrent submissions the interaction', async () => {
      await seedClientAndUser(store);
      await store.createInteraction(interactionRecord('i-race', 'c1'));
      const results = await race(50, () => store.consumeInteraction('i-race', NOW + 1));
      assert.equal(results.filter((r) => r !== undefined).length, 1);
    });
  });
}
