// The Store contract, revoked access tokens: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { grantRecord, NOW, seedClientAndUser } from './contract-fixtures.ts';

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

    it('an access token is live unless its id was revoked or its grant was revoked or has expired', async () => {
      await seedClientAndUser(store);
      await store.createGrant(grantRecord('g-live', 'c1', 'u1', { expiresAt: NOW + 100 }), null);
      await store.createGrant(grantRecord('g-revoked', 'c1', 'u1', { revokedAt: NOW - 1 }), null);
      await store.revokeAccessToken('jti-revoked', NOW + 900);
      assert.equal(await store.isAccessTokenLive('jti-a', undefined, NOW), true, 'client credentials: no grant');
      assert.equal(await store.isAccessTokenLive('jti-a', 'g-live', NOW), true);
      assert.equal(await store.isAccessTokenLive('jti-revoked', undefined, NOW), false);
      assert.equal(await store.isAccessTokenLive('jti-revoked', 'g-live', NOW), false);
      assert.equal(await store.isAccessTokenLive('jti-a', 'g-revoked', NOW), false);
      assert.equal(await store.isAccessTokenLive('jti-a', 'g-live', NOW + 100), false, 'the grant has expired');
      assert.equal(await store.isAccessTokenLive('jti-a', 'g-unknown', NOW), false, 'a grant that no longer exists');
    });
  });
}
