// The Store contract, lifecycle: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';

export function lifecycleContract(current: () => SqlStore): void {
  describe('lifecycle', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('ping answers and migrate is idempotent', async () => {
      await store.ping();
      assert.deepEqual(await store.migrate(), { applied: [] });
    });
  });
}
