// The Store contract, pushed authorization requests (RFC 9126): run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { PushedRequestRecord } from '../../../src/store/records.ts';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { NOW, countRows, race, seedClientAndUser } from './contract-fixtures.ts';

const pushed = (uriHash: string, clientId = 'c1', overrides: Partial<PushedRequestRecord> = {}): PushedRequestRecord =>
  ({ uriHash, clientId, request: JSON.stringify({ clientId, state: uriHash }), createdAt: NOW, expiresAt: NOW + 60, ...overrides });

export function pushedRequestsContract(current: () => SqlStore): void {
  describe('pushed requests', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('gives a pushed request to its own client exactly once, before it expires', async () => {
      await seedClientAndUser(store);
      await seedClientAndUser(store, 'c2', 'u2');
      await store.createPushedRequest(pushed('h1'));
      await store.createPushedRequest(pushed('h-old', 'c1', { expiresAt: NOW + 10 }));
      assert.equal(await store.consumePushedRequest('h1', 'c2', NOW), undefined, 'another client gets nothing');
      assert.deepEqual(await store.consumePushedRequest('h1', 'c1', NOW + 59), pushed('h1'), 'and did not burn it');
      assert.equal(await store.consumePushedRequest('h1', 'c1', NOW), undefined, 'single use');
      assert.equal(await store.consumePushedRequest('h-old', 'c1', NOW + 10), undefined, 'expired at expiresAt');
      assert.equal(await store.consumePushedRequest('nope', 'c1', NOW), undefined);
    });

    it('gives exactly one of 50 concurrent uses the request', async () => {
      await seedClientAndUser(store);
      await store.createPushedRequest(pushed('h-race'));
      const results = await race(50, () => store.consumePushedRequest('h-race', 'c1', NOW + 1));
      assert.equal(results.filter((r) => r !== undefined).length, 1);
    });

    it('expired requests are deleted, and removing the client removes its requests', async () => {
      await seedClientAndUser(store);
      await store.createPushedRequest(pushed('h-live'));
      await store.createPushedRequest(pushed('h-dead', 'c1', { expiresAt: NOW - 1 }));
      await store.deleteExpired(NOW, 100);
      assert.equal(await countRows(store, 'pushed_requests'), 1);
      await store.deleteClient('c1');
      assert.equal(await countRows(store, 'pushed_requests'), 0);
    });
  });
}
