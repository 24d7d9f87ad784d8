// The Store contract, revoked access tokens: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { NOW } from './contract-fixtures.ts';

export function revokedTokensContract(current: () => SqlStore): void {
  describe('revoked access tokens', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('remembers a revoked token id; revoking twice is harmless', async () => {
      assert.equal(await store.isAccessTokenRevoked('jti-1'), false);
      await store.revokeAccessToken('jti-1', NOW + 900);
      await store.revokeAccessToken('jti-1', NOW + 900);
      assert.equal(await store.isAccessTokenRevoked('jti-1'), true);
      assert.equal(await store.isAccessTokenRevoked('jti-2'), false);
    });
  });
}
