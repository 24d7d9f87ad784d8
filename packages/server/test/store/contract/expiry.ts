// The Store contract, deleteExpired: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { NOW, HOUR, DAY, keyRecord, sessionRecord, interactionRecord, codeRecord, grantRecord, refreshRecord, inChunks, countRows, seedClientAndUser } from './contract-fixtures.ts';

export function expiryContract(current: () => SqlStore): void {
  describe('deleteExpired', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('removes only expired rows, at most one batch of each kind per call', async () => {
      const EXPIRED = 1200;
      const LIVE = 7;
      const BATCH = 500;
      await seedClientAndUser(store);
      // Expired rows of every kind.
      await inChunks(EXPIRED, (i) => store.createSession(sessionRecord(`sess-old-${i}`, 'u1', NOW - 1)));
      await inChunks(EXPIRED, (i) => store.createCode(codeRecord(`code-old-${i}`, 'c1', 'u1', { expiresAt: NOW - 2 * HOUR })));
      await inChunks(EXPIRED, (i) => store.createGrant(grantRecord(`g-old-${i}`, 'c1', 'u1', { expiresAt: NOW - 2 * DAY }), null));
      await inChunks(EXPIRED, (i) => store.createGrant(grantRecord(`g-idle-${i}`, 'c1', 'u1'), refreshRecord(`rt-old-${i}`, `g-idle-${i}`, { expiresAt: NOW - 1 })));
      await inChunks(EXPIRED, (i) => store.revokeAccessToken(`jti-old-${i}`, NOW - 1));
      await inChunks(EXPIRED, (i) => store.createInteraction(interactionRecord(`i-old-${i}`, 'c1', { expiresAt: NOW - 1 })));
      await store.recordFailure('old-key', NOW - 2 * DAY, 300);
      await store.recordAuditEvent({ type: 'ancient' }, NOW - 91 * DAY);
      await store.createSigningKey(keyRecord('es-1', 'ES256', NOW - 3 * DAY));
      await store.rotateSigningKey('es-1', keyRecord('es-2', 'ES256', NOW - 2 * DAY), NOW - 1); // es-1 left the JWKS a second ago
      // Live rows (some expired only recently enough that they must stay).
      await inChunks(LIVE, (i) => store.createSession(sessionRecord(`sess-live-${i}`, 'u1', NOW + 100)));
      await inChunks(LIVE, (i) => store.createCode(codeRecord(`code-live-${i}`, 'c1', 'u1', { expiresAt: i === 0 ? NOW - 60 : NOW + 60 })));
      await inChunks(LIVE, (i) => store.createGrant(grantRecord(`g-live-${i}`, 'c1', 'u1', { revokedAt: i === 0 ? NOW - HOUR : null }), refreshRecord(`rt-live-${i}`, `g-live-${i}`)));
      await inChunks(LIVE, (i) => store.revokeAccessToken(`jti-live-${i}`, NOW + 900));
      await inChunks(LIVE, (i) => store.createInteraction(interactionRecord(`i-live-${i}`, 'c1')));
      await store.recordFailure('recent-key', NOW - 10, 300);
      await store.recordAuditEvent({ type: 'recent' }, NOW - DAY);
      await store.rotateSigningKey('es-2', keyRecord('es-3', 'ES256', NOW - 10), NOW + 1000); // es-2 stays published

      const tables = ['sessions', 'interactions', 'auth_codes', 'grants', 'refresh_tokens', 'revoked_tokens', 'login_failures', 'audit_events', 'signing_keys'] as const;
      const counts = async () => Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await countRows(store, t)] as const))) as Record<typeof tables[number], number>;
      const live = { sessions: LIVE, interactions: LIVE, auth_codes: LIVE, grants: EXPIRED + LIVE, refresh_tokens: LIVE, revoked_tokens: LIVE, login_failures: 1, audit_events: 1, signing_keys: 2 };

      let before = await counts();
      let calls = 0;
      for (;;) {
        const removed = await store.deleteExpired(NOW, BATCH);
        calls++;
        const after = await counts();
        let sum = 0;
        for (const t of tables) {
          const gone = before[t] - after[t];
          assert.ok(gone >= 0 && gone <= BATCH, `${t}: ${gone} rows removed in one call (batch ${BATCH})`);
          sum += gone;
        }
        assert.equal(removed, sum, 'deleteExpired reports what it removed');
        if (calls === 1) assert.equal(before.sessions - after.sessions, BATCH, 'a full batch goes when there is a backlog');
        before = after;
        if (removed === 0) break;
        assert.ok(calls < 10, 'the backlog drains in a few calls');
      }
      assert.equal(calls, Math.ceil(EXPIRED / BATCH) + 1);
      assert.deepEqual(before, live);
      assert.ok(await store.getSession('sess-live-0', NOW));
      assert.ok(await store.getRefreshToken('rt-live-1'));
      assert.ok(await store.getGrant('g-live-0'), 'a grant revoked an hour ago is kept for reuse detection');
      assert.deepEqual((await store.listSigningKeys(NOW)).map((k) => k.kid).sort(), ['es-2', 'es-3']);
      assert.ok(await store.getCode('code-live-0'), 'a code expired a minute ago is still recognised');
    });
  });
}
