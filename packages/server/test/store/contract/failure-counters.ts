// The Store contract, login throttling: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { NOW, race } from './contract-fixtures.ts';

export function failureCountersContract(current: () => SqlStore): void {
  describe('failure counters', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('counts failures inside the window and starts over after it', async () => {
      assert.deepEqual(await store.recordFailure('alice|10.0.0.1', NOW, 300), { count: 1, resetAt: NOW + 300 });
      assert.deepEqual(await store.recordFailure('alice|10.0.0.1', NOW + 10, 300), { count: 2, resetAt: NOW + 300 });
      assert.deepEqual(await store.recordFailure('alice|10.0.0.1', NOW + 299, 300), { count: 3, resetAt: NOW + 300 }, 'the window is fixed');
      assert.deepEqual(await store.getFailureCount('alice|10.0.0.1', NOW + 299, 300), { count: 3, resetAt: NOW + 300 });
      assert.equal((await store.getFailureCount('bob|10.0.0.1', NOW, 300)).count, 0);
      assert.equal((await store.getFailureCount('alice|10.0.0.1', NOW + 300, 300)).count, 0, 'the window has passed');
      assert.deepEqual(await store.recordFailure('alice|10.0.0.1', NOW + 300, 300), { count: 1, resetAt: NOW + 600 }, 'a new window starts at 1');
      assert.equal((await store.getFailureCount('alice|10.0.0.1', NOW + 301, 300)).count, 1);
      await store.deleteFailures('alice|10.0.0.1');
      assert.equal((await store.getFailureCount('alice|10.0.0.1', NOW + 301, 300)).count, 0);
    });

    it('counts every one of many concurrent failures', async () => {
      const counts = (await race(40, () => store.recordFailure('key', NOW, 300))).map((c) => c.count);
      assert.deepEqual([...counts].sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i + 1));
      assert.equal((await store.getFailureCount('key', NOW, 300)).count, 40);
    });
  });
}
