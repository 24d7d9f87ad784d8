// The Store contract, cache versions: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { race } from './contract-fixtures.ts';

export function cacheVersionsContract(current: () => SqlStore): void {
  describe('cache versions', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('starts at zero and counts every bump, also concurrent ones', async () => {
      assert.deepEqual(await store.listCacheVersions(), { clients: 0, apis: 0, keys: 0 });
      await store.bumpCacheVersion('keys');
      assert.deepEqual(await store.listCacheVersions(), { clients: 0, apis: 0, keys: 1 });
      await race(25, () => store.bumpCacheVersion('clients'));
      assert.deepEqual(await store.listCacheVersions(), { clients: 25, apis: 0, keys: 1 });
    });
  });
}
