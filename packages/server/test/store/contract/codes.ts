// The Store contract, authorization codes: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { assertStoreInvariants } from '../../helpers/store-invariants.ts';
import { NOW, clientRecord, codeRecord, grantRecord, refreshRecord, race, countRows, seedClientAndUser } from './contract-fixtures.ts';

export function codesContract(current: () => SqlStore): void {
  describe('authorization codes', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    const redeem = (codeHash: string, grantId: string, now: number, clientId = 'c1') =>
      store.consumeCode(codeHash, now, grantRecord(grantId, clientId, 'u1', { createdAt: now, lastUsedAt: now }), refreshRecord(`rt-${grantId}`, grantId, { createdAt: now }));

    it('redeems a code into a grant without a refresh token (a client without the refresh grant): the grant alone is written', async () => {
      await seedClientAndUser(store);
      await store.createCode(codeRecord('code-nr', 'c1', 'u1'));
      const grant = grantRecord('g-nr', 'c1', 'u1', { createdAt: NOW + 3, lastUsedAt: NOW + 3 });
      assert.deepEqual(await store.consumeCode('code-nr', NOW + 3, grant, null), { status: 'ok' });
      assert.deepEqual(await store.getGrant('g-nr'), grant);
      assert.equal(await countRows(store, 'refresh_tokens'), 0);
      assert.deepEqual(await store.consumeCode('code-nr', NOW + 4, { ...grant, id: 'g-nr-2' }, null), { status: 'reused', grantId: 'g-nr' });
      assert.equal(await store.getGrant('g-nr-2'), undefined);
    });

    it('makes the client of a code issued under a session a participant of it, with the code (once per session and client)', async () => {
      await seedClientAndUser(store);
      await store.createClient(clientRecord('c2'));
      await store.createCode(codeRecord('code-s1', 'c1', 'u1', { sid: 'sid-1' }));
      await store.createCode(codeRecord('code-s2', 'c1', 'u1', { sid: 'sid-1', createdAt: NOW + 5 }));
      await store.createCode(codeRecord('code-s3', 'c2', 'u1', { sid: 'sid-1', createdAt: NOW + 6 }));
      await store.createCode(codeRecord('code-none', 'c2', 'u1'));
      assert.deepEqual(await store.listSessionClients('sid-1'), [
        { sid: 'sid-1', clientId: 'c1', userId: 'u1', createdAt: NOW },
        { sid: 'sid-1', clientId: 'c2', userId: 'u1', createdAt: NOW + 6 },
      ]);
      assert.equal((await store.getCode('code-s2'))?.sid, 'sid-1');
      assert.equal((await store.getCode('code-none'))?.sid, null);
    });

    it('writes neither the code nor its participant when the code cannot be stored', async () => {
      await seedClientAndUser(store);
      await store.createCode(codeRecord('code-dup', 'c1', 'u1', { sid: 'sid-a' }));
      await assert.rejects(store.createCode(codeRecord('code-dup', 'c1', 'u1', { sid: 'sid-b' })));
      assert.deepEqual(await store.listSessionClients('sid-b'), [], 'no participant without its code');
    });

    it('redeems a code once, storing its grant and first refresh token with it; then reports reuse naming that grant', async () => {
      await seedClientAndUser(store);
      const code = codeRecord('code-1', 'c1', 'u1');
      await store.createCode(code);
      assert.deepEqual(await store.getCode('code-1'), code);
      assert.deepEqual(await store.getCodeWithUser('code-1'), { code, user: await store.getUser('u1') }, 'the code with its user, in one read');
      assert.equal(await store.getCodeWithUser('never-issued'), undefined);
      assert.deepEqual(await redeem('code-1', 'g1', NOW + 3), { status: 'ok' });
      assert.deepEqual(await store.getCode('code-1'), { ...code, consumedAt: NOW + 3, grantId: 'g1' });
      assert.equal((await store.getGrant('g1'))?.clientId, 'c1');
      assert.equal((await store.getRefreshToken('rt-g1'))?.grantId, 'g1');

      assert.deepEqual(await redeem('code-1', 'g1-again', NOW + 4), { status: 'reused', grantId: 'g1' });
      assert.equal(await store.getGrant('g1-again'), undefined, 'a reused code writes nothing');
      assert.equal((await store.getCode('code-1'))?.consumedAt, NOW + 3, 'the first consumption time is kept');
      assert.equal(await store.getCode('never-issued'), undefined);
      assert.deepEqual(await redeem('never-issued', 'g2', NOW), { status: 'not_found' });
    });

    it('writes nothing for an expired code, or for a code of another client', async () => {
      await seedClientAndUser(store);
      await store.createClient(clientRecord('c2'));
      await store.createCode(codeRecord('code-old', 'c1', 'u1', { expiresAt: NOW + 60 }));
      assert.deepEqual(await redeem('code-old', 'g-old', NOW + 60), { status: 'expired' });
      assert.deepEqual(await redeem('code-old', 'g-thief', NOW, 'c2'), { status: 'not_found' });
      assert.equal((await store.getCode('code-old'))?.consumedAt, null, 'neither consumed the code');
      assert.equal(await countRows(store, 'grants'), 0);
      assert.equal(await countRows(store, 'refresh_tokens'), 0);
    });

    it('is all or nothing: a grant that cannot be stored leaves the code unconsumed', async () => {
      await seedClientAndUser(store);
      await store.createCode(codeRecord('code-1', 'c1', 'u1'));
      await store.createGrant(grantRecord('g-taken', 'c1', 'u1'), refreshRecord('rt-taken', 'g-taken'));
      await assert.rejects(redeem('code-1', 'g-taken', NOW + 1));
      assert.deepEqual(await store.getCode('code-1'), codeRecord('code-1', 'c1', 'u1'), 'the code is still unused');
      assert.deepEqual(await redeem('code-1', 'g1', NOW + 2), { status: 'ok' });
    });

    it('gives exactly one of 50 concurrent redemptions the code, and stores exactly one grant', async () => {
      await seedClientAndUser(store);
      await store.createCode(codeRecord('code-race', 'c1', 'u1'));
      const results = await race(50, (i) => redeem('code-race', `g-${i}`, NOW + 1));
      const winners = results.flatMap((r, i) => (r.status === 'ok' ? [i] : []));
      assert.equal(winners.length, 1);
      for (const r of results) if (r.status !== 'ok') assert.deepEqual(r, { status: 'reused', grantId: `g-${winners[0]}` });
      assert.equal(await countRows(store, 'grants'), 1);
      await assertStoreInvariants(store.db, { now: NOW + 1, grantsFromCodes: true });
    });
  });
}
