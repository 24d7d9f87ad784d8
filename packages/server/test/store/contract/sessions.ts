// The Store contract, sessions and their participants, and the logout delivery outbox: run against every
// implementation by ../store-contract.ts.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { clientRecord, countRows, NOW, race, sessionRecord, seedClientAndUser, userRecord } from './contract-fixtures.ts';

export function sessionsContract(current: () => SqlStore): void {
  describe('sessions', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('returns a session until it expires, and not after deletion', async () => {
      await seedClientAndUser(store);
      const session = sessionRecord('sess-hash', 'u1', NOW + 100);
      await store.createSession(session);
      assert.deepEqual(await store.getSession('sess-hash', NOW + 99), session);
      assert.equal(await store.getSession('sess-hash', NOW + 100), undefined, 'expired at expiresAt');
      assert.equal(await store.getSession('other', NOW), undefined);
      await store.deleteSession('sess-hash');
      assert.equal(await store.getSession('sess-hash', NOW), undefined);
      await store.deleteSession('sess-hash');
    });

    it('reads a live session with its user\'s consent for one client, in one read', async () => {
      await seedClientAndUser(store);
      await store.createClient(clientRecord('c2'));
      await store.createUser(userRecord('u2'));
      const session = sessionRecord('sess-hash', 'u1', NOW + 100);
      await store.createSession(session);
      assert.deepEqual(await store.getSessionWithConsent('sess-hash', 'c1', NOW), { session, consent: undefined }, 'no consent yet');
      await store.addConsentScopes('u1', 'c1', ['openid', 'contacts:read'], NOW - 5);
      await store.addConsentScopes('u1', 'c2', ['other'], NOW - 4);
      await store.addConsentScopes('u2', 'c1', ['someone-else'], NOW - 3);
      assert.deepEqual(await store.getSessionWithConsent('sess-hash', 'c1', NOW), { session, consent: await store.getConsent('u1', 'c1') });
      assert.deepEqual((await store.getSessionWithConsent('sess-hash', 'c1', NOW))?.consent?.scopes, ['contacts:read', 'openid']);
      assert.deepEqual((await store.getSessionWithConsent('sess-hash', 'c2', NOW))?.consent?.scopes, ['other'], 'the consent of the asked client');
      assert.equal(await store.getSessionWithConsent('sess-hash', 'c1', NOW + 100), undefined, 'expired at expiresAt');
      assert.equal(await store.getSessionWithConsent('other', 'c1', NOW), undefined);
    });

    it('lists a user\'s live sessions by last activity and updates it', async () => {
      await seedClientAndUser(store);
      await store.createSession({ ...sessionRecord('a', 'u1', NOW + 100), lastActiveAt: NOW - 50 });
      await store.createSession({ ...sessionRecord('b', 'u1', NOW + 100), lastActiveAt: NOW - 20 });
      await store.createSession(sessionRecord('gone', 'u1', NOW - 1));
      assert.deepEqual((await store.listSessionsForUser('u1', NOW)).map((s) => s.idHash), ['b', 'a']);
      assert.equal(await store.updateSessionLastActive('a', NOW), true);
      assert.deepEqual((await store.listSessionsForUser('u1', NOW)).map((s) => s.idHash), ['a', 'b']);
      assert.equal(await store.updateSessionLastActive('nope', NOW), false);
    });

    it('ending sessions queues one delivery per participant with a back-channel URI, once, and forgets the participants', async () => {
      await seedClientAndUser(store);
      await store.createClient(clientRecord('bc', { backchannelLogoutUri: 'https://bc.example/logout' }));
      await store.createSession(sessionRecord('s1', 'u1', NOW + 100));
      await store.createSession(sessionRecord('s2', 'u1', NOW + 100));
      for (const sid of ['sid-s1', 'sid-s2']) {
        await store.addSessionClient({ sid, clientId: 'c1', userId: 'u1', createdAt: NOW });
        await store.addSessionClient({ sid, clientId: 'bc', userId: 'u1', createdAt: NOW });
        await store.addSessionClient({ sid, clientId: 'bc', userId: 'u1', createdAt: NOW });
      }
      assert.deepEqual((await store.listSessionClients('sid-s1')).map((p) => p.clientId).sort(), ['bc', 'c1']);
      const results = await race(4, () => store.deleteSessions({ userId: 'u1', sid: 'sid-s1' }, NOW));
      assert.equal(results.filter((r) => r.ended.length === 1).length, 1, 'one caller ends it');
      const winner = results.find((r) => r.ended.length === 1)!;
      assert.deepEqual(winner.queued.map((d) => [d.clientId, d.sid, d.userId, d.uri, d.status]), [['bc', 'sid-s1', 'u1', 'https://bc.example/logout', 'pending']]);
      assert.equal(await countRows(store, 'logout_deliveries'), 1);
      assert.deepEqual(await store.listSessionClients('sid-s1'), []);
      const all = await store.deleteSessions({ userId: 'u1' }, NOW);
      assert.deepEqual(all.ended.map((s) => s.sid), ['sid-s2']);
      assert.equal(all.queued.length, 1);
      assert.deepEqual(await store.deleteSessions({ idHash: 's2' }, NOW), { ended: [], queued: [] });
    });

    it('expired sessions end like signed-out ones (their back-channel logouts are queued)', async () => {
      await seedClientAndUser(store);
      await store.createClient(clientRecord('bc', { backchannelLogoutUri: 'https://bc.example/logout' }));
      await store.createSession(sessionRecord('old', 'u1', NOW - 1));
      await store.createSession(sessionRecord('live', 'u1', NOW + 100));
      for (const sid of ['sid-old', 'sid-live']) await store.addSessionClient({ sid, clientId: 'bc', userId: 'u1', createdAt: NOW - 10 });
      await store.addSessionClient({ sid: 'sid-live', clientId: 'c1', userId: 'u1', createdAt: NOW - 10 });
      assert.ok((await store.deleteExpired(NOW, 500)) >= 1);
      assert.deepEqual((await store.listLogoutDeliveries({ limit: 10 })).map((d) => d.sid), ['sid-old']);
      assert.deepEqual(await store.listSessionClients('sid-old'), []);
      assert.ok(await store.getSession('live', NOW));
      assert.deepEqual((await store.listSessionClients('sid-live')).map((p) => p.clientId).sort(), ['bc', 'c1'], 'a live session keeps its participants');
    });

    it('a delivery is claimed by one claimant at a time; an expired lease lets another take it; outcomes need the lease', async () => {
      await seedClientAndUser(store);
      await store.createClient(clientRecord('bc', { backchannelLogoutUri: 'https://bc.example/logout' }));
      for (let i = 0; i < 5; i++) {
        await store.createSession(sessionRecord(`s${i}`, 'u1', NOW + 100));
        await store.addSessionClient({ sid: `sid-s${i}`, clientId: 'bc', userId: 'u1', createdAt: NOW });
      }
      await store.deleteSessions({ userId: 'u1' }, NOW);
      const claims = await race(6, (i) => store.claimLogoutDeliveries(`worker-${i}`, NOW, 30, 10));
      const ids = claims.flat().map((d) => d.id);
      assert.equal(ids.length, 5, 'every row claimed');
      assert.equal(new Set(ids).size, 5, 'no row claimed twice');
      assert.deepEqual(await store.claimLogoutDeliveries('late', NOW + 29, 30, 10), [], 'leased rows are not due');
      const taken = await store.claimLogoutDeliveries('rescuer', NOW + 30, 30, 10);
      assert.equal(taken.length, 5, 'expired leases are taken over');
      const [first, second, third] = taken;
      const previousOwner = claims.flat().find((d) => d.id === first!.id)!.leaseOwner!;
      assert.equal(await store.recordLogoutDeliveryOutcome(first!.id, previousOwner, { status: 'delivered' }, NOW + 31), false, 'a lost lease records nothing');
      assert.equal(await store.recordLogoutDeliveryOutcome(first!.id, 'rescuer', { status: 'delivered' }, NOW + 31), true);
      assert.equal(await store.recordLogoutDeliveryOutcome(first!.id, 'rescuer', { status: 'delivered' }, NOW + 31), false, 'finished');
      assert.equal(await store.recordLogoutDeliveryOutcome(second!.id, 'rescuer', { status: 'retry', error: 'HTTP 500', nextAttemptAt: NOW + 100 }, NOW + 31), true);
      assert.equal(await store.recordLogoutDeliveryOutcome(third!.id, 'rescuer', { status: 'failed', error: 'gave up' }, NOW + 31), true);
      assert.deepEqual((await store.claimLogoutDeliveries('w', NOW + 99, 30, 10)).map((d) => d.id).includes(second!.id), false, 'not due before nextAttemptAt');
      const retried = await store.claimLogoutDeliveries('w', NOW + 200, 30, 10);
      assert.ok(retried.some((d) => d.id === second!.id && d.attempts === 1 && d.lastError === 'HTTP 500'));
      const failed = await store.listLogoutDeliveries({ status: 'failed', limit: 10 });
      assert.deepEqual(failed.map((d) => [d.id, d.lastError, d.attempts]), [[third!.id, 'gave up', 1]]);
      assert.equal((await store.listLogoutDeliveries({ status: 'delivered', limit: 10 }))[0]?.finishedAt, NOW + 31);
      assert.equal((await store.listLogoutDeliveries({ limit: 2 })).length, 2);
    });
  });
}
