// The Store contract, grants and refresh tokens: run against every implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { MAX_ANSWERS_PER_REFRESH_TOKEN } from '../../../src/store/grant-store.ts';
import { assertStoreInvariants } from '../../helpers/store-invariants.ts';
import { NOW, DAY, clientRecord, userRecord, grantRecord, refreshRecord, race, seedClientAndUser } from './contract-fixtures.ts';

export function grantsContract(current: () => SqlStore): void {
  describe('grants and refresh tokens', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('creates a grant with its first refresh token and finds both', async () => {
      await seedClientAndUser(store);
      const grant = grantRecord('g1', 'c1', 'u1');
      await store.createGrant(grant, refreshRecord('rt-1', 'g1'));
      assert.deepEqual(await store.getGrant('g1'), grant);
      assert.deepEqual(await store.getRefreshToken('rt-1'), { ...refreshRecord('rt-1', 'g1'), grant });
      assert.equal(await store.getRefreshToken('rt-unknown'), undefined);
      const user = await store.getUser('u1');
      assert.ok(user);
      assert.deepEqual(await store.getRefreshTokenWithUser('rt-1'), { ...refreshRecord('rt-1', 'g1'), grant, user }, 'the token, its grant and its user, in one read');
      assert.equal(await store.getRefreshTokenWithUser('rt-unknown'), undefined);
      assert.equal(await store.getGrant('g-unknown'), undefined);
      await store.createGrant(grantRecord('g2', 'c1', 'u1'), null);
      assert.equal((await store.getGrant('g2'))?.id, 'g2');
    });

    it('rotates a refresh token once: the successor works, the predecessor is marked rotated', async () => {
      await seedClientAndUser(store);
      await store.createGrant(grantRecord('g1', 'c1', 'u1'), refreshRecord('rt-1', 'g1'));
      const rotated = await store.rotateRefreshToken('rt-1', refreshRecord('rt-2', 'g1', { createdAt: NOW + 10, expiresAt: NOW + 10 + 14 * DAY }), NOW + 10);
      assert.equal(rotated.status, 'ok');
      assert.equal(rotated.status === 'ok' && rotated.grant.id, 'g1');
      assert.equal(rotated.status === 'ok' && rotated.grant.lastUsedAt, NOW + 10);
      assert.equal((await store.getGrant('g1'))?.lastUsedAt, NOW + 10);
      assert.equal((await store.getRefreshToken('rt-1'))?.rotatedAt, NOW + 10);
      assert.equal((await store.getRefreshToken('rt-2'))?.rotatedAt, null);
      const next = await store.rotateRefreshToken('rt-2', refreshRecord('rt-3', 'g1'), NOW + 20);
      assert.equal(next.status, 'ok');
    });

    it('replaying a rotated token reports reuse and revokes the whole family', async () => {
      await seedClientAndUser(store);
      await store.createGrant(grantRecord('g1', 'c1', 'u1'), refreshRecord('rt-1', 'g1'));
      assert.equal((await store.rotateRefreshToken('rt-1', refreshRecord('rt-2', 'g1'), NOW + 10)).status, 'ok');
      assert.equal((await store.rotateRefreshToken('rt-2', refreshRecord('rt-3', 'g1'), NOW + 20)).status, 'ok');

      // The attacker replays the first token.
      assert.deepEqual(await store.rotateRefreshToken('rt-1', refreshRecord('rt-evil', 'g1'), NOW + 30), { status: 'reused', grantId: 'g1' });
      assert.equal((await store.getGrant('g1'))?.revokedAt, NOW + 30);
      assert.equal(await store.getRefreshToken('rt-evil'), undefined, 'no successor for a replayed token');
      // The legitimate client's newest token is dead too.
      const newest = await store.rotateRefreshToken('rt-3', refreshRecord('rt-4', 'g1'), NOW + 40);
      assert.notEqual(newest.status, 'ok');
      const found = await store.getRefreshToken('rt-3');
      assert.ok(found === undefined || found.grant.revokedAt !== null, 'the newest token no longer leads to a live grant');
      assert.deepEqual(await store.listActiveGrants('u1', NOW + 40), []);
    });

    it('gives exactly one of 50 concurrent rotations of one token a successor (no retry window)', async () => {
      await seedClientAndUser(store);
      await store.createGrant(grantRecord('g1', 'c1', 'u1'), refreshRecord('rt-0', 'g1'));
      const results = await race(50, (i) => store.rotateRefreshToken('rt-0', refreshRecord(`rt-next-${i}`, 'g1'), NOW + 1));
      const winners = results.flatMap((r, i) => (r.status === 'ok' ? [i] : []));
      assert.equal(winners.length, 1, `${winners.length} rotations succeeded`);
      assert.deepEqual(new Set(results.filter((r) => r.status !== 'ok').map((r) => r.status)), new Set(['reused']));
      for (let i = 0; i < 50; i++) {
        if (i !== winners[0]) assert.equal(await store.getRefreshToken(`rt-next-${i}`), undefined, `loser ${i} got no successor`);
      }
      // Concurrent presentation of one token is reuse (RFC 9700 §4.14.2): the family is revoked.
      assert.notEqual((await store.getGrant('g1'))?.revokedAt, null);
      await assertStoreInvariants(store.db, { now: NOW + 1 });
    });

    it('inside the grace window, while no answer was used: one more answer, both live; using one retires the other', async () => {
      await seedClientAndUser(store);
      await store.createGrant(grantRecord('g1', 'c1', 'u1'), refreshRecord('rt-0', 'g1'));
      const first = await store.rotateRefreshToken('rt-0', refreshRecord('rt-1', 'g1'), NOW + 10, 30);
      assert.equal(first.status === 'ok' && first.graced, false);
      // A second tab (or a retry after a lost answer) presents rt-0 again.
      const again = await store.rotateRefreshToken('rt-0', refreshRecord('rt-2', 'g1'), NOW + 20, 30);
      assert.equal(again.status === 'ok' && again.graced, true);
      assert.equal((await store.getRefreshToken('rt-1'))?.rotatedAt, null, 'the first answer still works');
      assert.equal((await store.getRefreshToken('rt-2'))?.rotatedAt, null, 'so does the second');
      await assertStoreInvariants(store.db, { now: NOW + 20 });
      // The client kept rt-2: using it retires rt-1, whose presentation is then reuse.
      assert.equal((await store.rotateRefreshToken('rt-2', refreshRecord('rt-3', 'g1'), NOW + 21, 30)).status, 'ok');
      assert.equal((await store.getRefreshToken('rt-1'))?.rotatedAt, NOW + 21, 'the unused sibling retired');
      await assertStoreInvariants(store.db, { now: NOW + 21 });
      assert.deepEqual(await store.rotateRefreshToken('rt-1', refreshRecord('rt-x', 'g1'), NOW + 22, 30), { status: 'reused', grantId: 'g1' });
      assert.notEqual((await store.getGrant('g1'))?.revokedAt, null);
      await assertStoreInvariants(store.db, { now: NOW + 22 });
    });

    it('a token gets at most maxAnswers answers inside its window; past that, grace_exhausted and nothing changes', async () => {
      await seedClientAndUser(store);
      await store.createGrant(grantRecord('g1', 'c1', 'u1'), refreshRecord('rt-0', 'g1'));
      for (let i = 1; i <= 3; i++) assert.equal((await store.rotateRefreshToken('rt-0', refreshRecord(`rt-${i}`, 'g1'), NOW + i, 30, 3)).status, 'ok');
      assert.deepEqual(await store.rotateRefreshToken('rt-0', refreshRecord('rt-4', 'g1'), NOW + 4, 30, 3), { status: 'grace_exhausted' });
      assert.equal(await store.getRefreshToken('rt-4'), undefined);
      assert.equal((await store.getGrant('g1'))?.revokedAt, null, 'the family lives');
      for (const t of ['rt-1', 'rt-2', 'rt-3']) assert.equal((await store.getRefreshToken(t))?.rotatedAt, null, `${t} still live`);
      await assertStoreInvariants(store.db, { now: NOW + 4 });
    });

    it('no grace answer once an answer was used, after the window, or with the window off: reuse', async () => {
      await seedClientAndUser(store);
      for (const [grant, setup] of [
        ['g-used', async () => {
          assert.equal((await store.rotateRefreshToken('rt-g-used-1', refreshRecord('rt-g-used-2', 'g-used'), NOW + 2, 30)).status, 'ok');
        }],
        ['g-late', async () => {}],
      ] as const) {
        await store.createGrant(grantRecord(grant, 'c1', 'u1'), refreshRecord(`rt-${grant}-0`, grant));
        assert.equal((await store.rotateRefreshToken(`rt-${grant}-0`, refreshRecord(`rt-${grant}-1`, grant), NOW + 1, 30)).status, 'ok');
        await setup();
        const late = grant === 'g-late' ? NOW + 31 : NOW + 3;
        assert.deepEqual(await store.rotateRefreshToken(`rt-${grant}-0`, refreshRecord(`rt-${grant}-x`, grant), late, 30), { status: 'reused', grantId: grant });
        assert.notEqual((await store.getGrant(grant))?.revokedAt, null);
      }
      await store.createGrant(grantRecord('g-off', 'c1', 'u1'), refreshRecord('rt-off-0', 'g-off'));
      assert.equal((await store.rotateRefreshToken('rt-off-0', refreshRecord('rt-off-1', 'g-off'), NOW + 1)).status, 'ok');
      assert.deepEqual(await store.rotateRefreshToken('rt-off-0', refreshRecord('rt-off-x', 'g-off'), NOW + 2), { status: 'reused', grantId: 'g-off' });
      await assertStoreInvariants(store.db, { now: NOW + 40 });
    });

    it('50 concurrent presentations of one token within the grace window: one rotation, 4 grace answers, 45 refused; 5 live tokens', async () => {
      await seedClientAndUser(store);
      await store.createGrant(grantRecord('g1', 'c1', 'u1'), refreshRecord('rt-0', 'g1'));
      const results = await race(50, (i) => store.rotateRefreshToken('rt-0', refreshRecord(`rt-next-${i}`, 'g1'), NOW + 1, 30));
      assert.equal(results.filter((r) => r.status === 'ok' && !r.graced).length, 1, 'exactly one rotation');
      assert.equal(results.filter((r) => r.status === 'ok' && r.graced).length, MAX_ANSWERS_PER_REFRESH_TOKEN - 1);
      assert.equal(results.filter((r) => r.status === 'grace_exhausted').length, 50 - MAX_ANSWERS_PER_REFRESH_TOKEN);
      const live = await store.db.selectFrom('refresh_tokens').select('token_hash').where('grant_id', '=', 'g1').where('rotated_at', 'is', null).execute();
      assert.equal(live.length, MAX_ANSWERS_PER_REFRESH_TOKEN);
      assert.equal((await store.getGrant('g1'))?.revokedAt, null);
      await assertStoreInvariants(store.db, { now: NOW + 1 });
    });

    it('rotation racing revocation: never a deadlock, never a live token in a revoked grant', async () => {
      await seedClientAndUser(store);
      for (let round = 0; round < 10; round++) {
        const g = `g-${round}`;
        await store.createGrant(grantRecord(g, 'c1', 'u1'), refreshRecord(`rt-${g}-0`, g));
        const [rotated] = await Promise.all([
          store.rotateRefreshToken(`rt-${g}-0`, refreshRecord(`rt-${g}-1`, g), NOW + 1, 30),
          store.revokeGrant(g, NOW + 1),
        ]);
        assert.ok(['ok', 'not_found', 'expired'].includes(rotated.status), rotated.status);
        assert.notEqual((await store.getGrant(g))?.revokedAt, null);
      }
      await assertStoreInvariants(store.db, { now: NOW + 1 });
    });

    it('refuses an idle-expired token and a token of an expired or revoked grant', async () => {
      await seedClientAndUser(store);
      await store.createGrant(grantRecord('g-idle', 'c1', 'u1'), refreshRecord('rt-idle', 'g-idle', { expiresAt: NOW + 100 }));
      assert.deepEqual(await store.rotateRefreshToken('rt-idle', refreshRecord('rt-x', 'g-idle'), NOW + 100), { status: 'expired' });

      await store.createGrant(grantRecord('g-old', 'c1', 'u1', { expiresAt: NOW + 50 }), refreshRecord('rt-old', 'g-old'));
      assert.deepEqual(await store.rotateRefreshToken('rt-old', refreshRecord('rt-y', 'g-old'), NOW + 50), { status: 'expired' });
      assert.equal(await store.getRefreshToken('rt-y'), undefined);
      assert.equal((await store.getRefreshToken('rt-old'))?.rotatedAt, null, 'a refused rotation writes nothing');
      assert.equal((await store.getRefreshToken('rt-idle'))?.rotatedAt, null);

      await store.createGrant(grantRecord('g-rev', 'c1', 'u1'), refreshRecord('rt-rev', 'g-rev'));
      assert.equal(await store.revokeGrant('g-rev', NOW + 1), true);
      assert.equal(await store.revokeGrant('g-rev', NOW + 2), false, 'revoking twice changes nothing');
      assert.equal((await store.getGrant('g-rev'))?.revokedAt, NOW + 1);
      const afterRevoke = await store.rotateRefreshToken('rt-rev', refreshRecord('rt-z', 'g-rev'), NOW + 3);
      assert.ok(afterRevoke.status === 'not_found' || afterRevoke.status === 'expired', `got ${afterRevoke.status}`);
      assert.equal(await store.getRefreshToken('rt-z'), undefined);
      assert.deepEqual(await store.rotateRefreshToken('rt-never', refreshRecord('rt-w', 'g-rev'), NOW), { status: 'not_found' });
    });

    it('revokes every live grant of one user for one client, and lists only live grants', async () => {
      await seedClientAndUser(store);
      await store.createClient(clientRecord('c2'));
      await store.createUser(userRecord('u2'));
      await store.createGrant(grantRecord('g1', 'c1', 'u1', { createdAt: NOW }), refreshRecord('rt-1', 'g1'));
      await store.createGrant(grantRecord('g2', 'c1', 'u1', { createdAt: NOW + 1 }), refreshRecord('rt-2', 'g2'));
      await store.createGrant(grantRecord('g3', 'c2', 'u1', { createdAt: NOW + 2 }), refreshRecord('rt-3', 'g3'));
      await store.createGrant(grantRecord('g4', 'c1', 'u2', { createdAt: NOW + 3 }), refreshRecord('rt-4', 'g4'));
      await store.createGrant(grantRecord('g5', 'c2', 'u1', { createdAt: NOW + 4, expiresAt: NOW + 10 }), null);
      assert.deepEqual((await store.listActiveGrants('u1', NOW + 5)).map((g) => g.id), ['g1', 'g2', 'g3', 'g5']);
      assert.deepEqual((await store.listActiveGrants('u1', NOW + 10)).map((g) => g.id), ['g1', 'g2', 'g3']);

      assert.equal(await store.revokeGrantsFor('u1', 'c1', NOW + 20), 2);
      assert.equal(await store.revokeGrantsFor('u1', 'c1', NOW + 21), 0);
      assert.deepEqual((await store.listActiveGrants('u1', NOW + 20)).map((g) => g.id), ['g3']);
      assert.deepEqual((await store.listActiveGrants('u2', NOW + 20)).map((g) => g.id), ['g4']);
      assert.notEqual((await store.rotateRefreshToken('rt-1', refreshRecord('rt-1b', 'g1'), NOW + 22)).status, 'ok');
      assert.equal((await store.rotateRefreshToken('rt-3', refreshRecord('rt-3b', 'g3'), NOW + 22)).status, 'ok');
    });

    it('revokes every live grant of one client, whoever the user (an operator blocking it)', async () => {
      await seedClientAndUser(store);
      await store.createClient(clientRecord('c2'));
      await store.createUser(userRecord('u2'));
      await store.createGrant(grantRecord('g1', 'c1', 'u1'), refreshRecord('rt-1', 'g1'));
      await store.createGrant(grantRecord('g2', 'c1', 'u2'), refreshRecord('rt-2', 'g2'));
      await store.createGrant(grantRecord('g3', 'c2', 'u1'), refreshRecord('rt-3', 'g3'));
      assert.equal(await store.revokeClientGrants('c1', NOW + 1), 2);
      assert.equal(await store.revokeClientGrants('c1', NOW + 2), 0);
      assert.equal((await store.getGrant('g1'))?.revokedAt, NOW + 1);
      assert.equal((await store.getGrant('g2'))?.revokedAt, NOW + 1);
      assert.equal((await store.getGrant('g3'))?.revokedAt, null);
      assert.notEqual((await store.rotateRefreshToken('rt-2', refreshRecord('rt-2b', 'g2'), NOW + 3)).status, 'ok');
    });
  });
}
