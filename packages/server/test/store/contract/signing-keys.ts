// The Store contract, signing keys: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { StoreConflict } from '../../../src/store/store.ts';
import { NOW, DAY, keyRecord } from './contract-fixtures.ts';

export function signingKeysContract(current: () => SqlStore): void {
  describe('signing keys', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('a rotation stages the successor and retires the current key of the same alg only, at the successor\'s activation', async () => {
      await store.createSigningKey(keyRecord('es-1', 'ES256', NOW));
      await store.createSigningKey(keyRecord('rs-1', 'RS256', NOW + 1));
      assert.equal((await store.findCurrentSigningKey('ES256'))?.kid, 'es-1');

      const next = { ...keyRecord('es-2', 'ES256', NOW + 100), activatesAt: NOW + 3700 };
      assert.equal(await store.rotateSigningKey('es-1', next, NOW + 3700 + 1200), true);
      assert.equal((await store.findCurrentSigningKey('ES256'))?.kid, 'es-2', 'the waiting key is the current one');
      assert.equal((await store.findCurrentSigningKey('RS256'))?.kid, 'rs-1');
      assert.equal(await store.findCurrentSigningKey('EdDSA'), undefined);

      const byKid = new Map((await store.listSigningKeys(NOW + 100)).map((k) => [k.kid, k]));
      assert.deepEqual([...byKid.keys()].sort(), ['es-1', 'es-2', 'rs-1']);
      assert.deepEqual(byKid.get('es-1'), { ...keyRecord('es-1', 'ES256', NOW), retiredAt: NOW + 3700, expiresAt: NOW + 4900 });
      assert.deepEqual(byKid.get('es-2'), next);
      assert.equal(byKid.get('rs-1')?.retiredAt, null, 'another alg is untouched');
    });

    it('of two rotations of the same current key exactly one succeeds; a second first key is a conflict', async () => {
      await store.createSigningKey(keyRecord('es-1', 'ES256', NOW));
      const results = await Promise.all(['es-a', 'es-b', 'es-c'].map((kid) => store.rotateSigningKey('es-1', keyRecord(kid, 'ES256', NOW + 10), NOW + 2000)));
      assert.deepEqual(results.filter(Boolean).length, 1);
      const kids = (await store.listSigningKeys(NOW + 10)).map((k) => k.kid);
      assert.equal(kids.length, 2, `es-1 and one successor, got ${kids.join(', ')}`);
      await assert.rejects(store.createSigningKey(keyRecord('es-x', 'ES256', NOW + 20)), StoreConflict);
      assert.equal(await store.rotateSigningKey('es-1', keyRecord('es-y', 'ES256', NOW + 30), NOW + 2000), false, 'es-1 is no longer current');
    });

    it('stops listing a retired key once it has expired', async () => {
      await store.createSigningKey(keyRecord('es-1', 'ES256', NOW));
      await store.rotateSigningKey('es-1', keyRecord('es-2', 'ES256', NOW + 10), NOW + 500);
      assert.deepEqual((await store.listSigningKeys(NOW + 499)).map((k) => k.kid).sort(), ['es-1', 'es-2']);
      assert.deepEqual((await store.listSigningKeys(NOW + 500)).map((k) => k.kid), ['es-2']);
      assert.deepEqual((await store.listSigningKeys(NOW + 10 * DAY)).map((k) => k.kid), ['es-2'], 'an active key never expires');
    });

    describe('revocation keeps the alg signing', () => {
      const replacement = keyRecord('es-new', 'ES256', NOW + 50);
      const state = async () => Object.fromEntries((await store.listSigningKeys(NOW + 50)).map((k) => [k.kid, [k.activatesAt, k.retiredAt]]));

      it('the active key alone: removed, the replacement signs at once', async () => {
        await store.createSigningKey(keyRecord('es-1', 'ES256', NOW));
        assert.deepEqual(await store.revokeSigningKey('es-1', NOW + 50, replacement), { alg: 'ES256', signingKid: 'es-new' });
        assert.deepEqual(await state(), { 'es-new': [NOW + 50, null] });
      });

      it('the active key with a waiting successor: the successor signs at once, no replacement', async () => {
        await store.createSigningKey(keyRecord('es-1', 'ES256', NOW));
        await store.rotateSigningKey('es-1', { ...keyRecord('es-2', 'ES256', NOW + 10), activatesAt: NOW + 3610 }, NOW + 5000);
        assert.deepEqual(await store.revokeSigningKey('es-1', NOW + 50, replacement), { alg: 'ES256', signingKid: 'es-2' });
        assert.deepEqual(await state(), { 'es-2': [NOW + 50, null] });
      });

      it('a waiting key: removed, the key it would have replaced stays current', async () => {
        await store.createSigningKey(keyRecord('es-1', 'ES256', NOW));
        await store.rotateSigningKey('es-1', { ...keyRecord('es-2', 'ES256', NOW + 10), activatesAt: NOW + 3610 }, NOW + 5000);
        assert.deepEqual(await store.revokeSigningKey('es-2', NOW + 50, replacement), { alg: 'ES256', signingKid: 'es-1' });
        assert.deepEqual(await state(), { 'es-1': [NOW, null] });
      });

      it('a retired key: removed, nothing else changes; an unknown kid is undefined', async () => {
        await store.createSigningKey(keyRecord('es-1', 'ES256', NOW));
        await store.rotateSigningKey('es-1', keyRecord('es-2', 'ES256', NOW + 10), NOW + 5000);
        assert.deepEqual(await store.revokeSigningKey('es-1', NOW + 50, replacement), { alg: 'ES256', signingKid: null });
        assert.deepEqual(await state(), { 'es-2': [NOW + 10, null] });
        assert.equal(await store.revokeSigningKey('nope', NOW + 50, replacement), undefined);
      });
    });
  });
}
