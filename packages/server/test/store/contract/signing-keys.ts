// The Store contract, signing keys: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { NOW, DAY, keyRecord } from './contract-fixtures.ts';

export function signingKeysContract(current: () => SqlStore): void {
  describe('signing keys', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('adding a key retires the previous key of the same alg only', async () => {
      await store.createSigningKey(keyRecord('es-1', 'ES256', NOW), NOW + 1000);
      await store.createSigningKey(keyRecord('rs-1', 'RS256', NOW + 1), NOW + 1000);
      assert.equal((await store.findActiveSigningKey('ES256'))?.kid, 'es-1');

      await store.createSigningKey(keyRecord('es-2', 'ES256', NOW + 100), NOW + 100 + 1200);
      assert.equal((await store.findActiveSigningKey('ES256'))?.kid, 'es-2');
      assert.equal((await store.findActiveSigningKey('RS256'))?.kid, 'rs-1');
      assert.equal(await store.findActiveSigningKey('EdDSA'), undefined);

      const keys = await store.listSigningKeys(NOW + 100);
      const byKid = new Map(keys.map((k) => [k.kid, k]));
      assert.deepEqual([...byKid.keys()].sort(), ['es-1', 'es-2', 'rs-1']);
      assert.deepEqual(byKid.get('es-1'), { ...keyRecord('es-1', 'ES256', NOW), retiredAt: NOW + 100, expiresAt: NOW + 1300 });
      assert.deepEqual(byKid.get('es-2'), keyRecord('es-2', 'ES256', NOW + 100));
      assert.equal(byKid.get('rs-1')?.retiredAt, null, 'another alg is untouched');
    });

    it('stops listing a retired key once it has expired', async () => {
      await store.createSigningKey(keyRecord('es-1', 'ES256', NOW), NOW + 500);
      await store.createSigningKey(keyRecord('es-2', 'ES256', NOW + 10), NOW + 500);
      assert.deepEqual((await store.listSigningKeys(NOW + 499)).map((k) => k.kid).sort(), ['es-1', 'es-2']);
      assert.deepEqual((await store.listSigningKeys(NOW + 500)).map((k) => k.kid), ['es-2']);
      assert.deepEqual((await store.listSigningKeys(NOW + 10 * DAY)).map((k) => k.kid), ['es-2'], 'an active key never expires');
    });
  });
}
