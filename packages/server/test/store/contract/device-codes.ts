// The Store contract, device codes (RFC 8628): run against every implementation by ../store-contract.ts. A code is
// decided once, polled with a growing interval, redeemed once with its grant, and removed an hour after it expires.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { DeviceCodeRecord } from '../../../src/store/records.ts';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { assertStoreInvariants } from '../../helpers/store-invariants.ts';
import { NOW, HOUR, clientRecord, userRecord, countRows, grantRecord, isConflict, race, refreshRecord, seedClientAndUser } from './contract-fixtures.ts';

function deviceCodeRecord(deviceCodeHash: string, clientId: string, overrides: Partial<DeviceCodeRecord> = {}): DeviceCodeRecord {
  return {
    deviceCodeHash, userCodeHash: `user-${deviceCodeHash}`, clientId, scopes: ['openid', 'contacts:read'], audience: 'https://contacts.example',
    interval: 5, lastPolledAt: null, status: 'pending', userId: null, authTime: null, decidedAt: null, grantId: null,
    createdAt: NOW, expiresAt: NOW + 600, ...overrides,
  };
}

export function deviceCodesContract(current: () => SqlStore): void {
  describe('device codes', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    const redeem = (hash: string, grantId: string, now: number, clientId = 'c1', userId = 'u1') =>
      store.consumeDeviceCode(hash, now, grantRecord(grantId, clientId, userId, { createdAt: now, lastUsedAt: now }), refreshRecord(`rt-${grantId}`, grantId, { createdAt: now }));

    it('stores a code, finds it by its user code while it lives, and refuses a taken user code', async () => {
      await seedClientAndUser(store);
      const code = deviceCodeRecord('dc-1', 'c1');
      await store.createDeviceCode(code);
      assert.deepEqual(await store.getDeviceCode('dc-1'), code);
      assert.deepEqual(await store.findDeviceCodeByUserCode('user-dc-1', NOW + 599), code);
      assert.equal(await store.findDeviceCodeByUserCode('user-dc-1', NOW + 600), undefined, 'expired');
      assert.equal(await store.findDeviceCodeByUserCode('user-unknown', NOW), undefined);
      await assert.rejects(store.createDeviceCode(deviceCodeRecord('dc-2', 'c1', { userCodeHash: 'user-dc-1' })), isConflict);
    });

    it('is decided once: approval records who and when; a second decision (approve or deny) changes nothing', async () => {
      await seedClientAndUser(store);
      await store.createUser(userRecord('u2'));
      await store.createDeviceCode(deviceCodeRecord('dc-1', 'c1'));
      const approved = await store.decideDeviceCode('user-dc-1', { status: 'approved', userId: 'u1', authTime: NOW - 5 }, NOW + 10);
      assert.deepEqual(approved, { ...deviceCodeRecord('dc-1', 'c1'), status: 'approved', userId: 'u1', authTime: NOW - 5, decidedAt: NOW + 10 });
      assert.equal(await store.decideDeviceCode('user-dc-1', { status: 'approved', userId: 'u2', authTime: NOW }, NOW + 11), undefined);
      assert.equal(await store.decideDeviceCode('user-dc-1', { status: 'denied', userId: 'u2' }, NOW + 11), undefined);
      assert.equal((await store.getDeviceCode('dc-1'))?.userId, 'u1');
      await store.createDeviceCode(deviceCodeRecord('dc-old', 'c1'));
      assert.equal(await store.decideDeviceCode('user-dc-old', { status: 'approved', userId: 'u1', authTime: NOW }, NOW + 600), undefined, 'expired');
    });

    it('of 20 concurrent decisions by different users exactly one stands', async () => {
      await seedClientAndUser(store);
      for (let i = 0; i < 20; i++) await store.createUser(userRecord(`racer-${i}`));
      await store.createDeviceCode(deviceCodeRecord('dc-race', 'c1'));
      const results = await race(20, (i) => store.decideDeviceCode('user-dc-race', { status: 'approved', userId: `racer-${i}`, authTime: NOW }, NOW + 1));
      const winners = results.filter((r) => r !== undefined);
      assert.equal(winners.length, 1);
      assert.equal((await store.getDeviceCode('dc-race'))?.userId, winners[0]!.userId);
    });

    it('polls: the first is on time; one sooner than the interval is slow_down and adds to the interval', async () => {
      await seedClientAndUser(store);
      await store.createDeviceCode(deviceCodeRecord('dc-1', 'c1'));
      assert.deepEqual(await store.pollDeviceCode('dc-1', NOW + 1, 5), { status: 'ok', interval: 5 });
      assert.deepEqual(await store.pollDeviceCode('dc-1', NOW + 5, 5), { status: 'slow_down', interval: 10 });
      assert.deepEqual(await store.pollDeviceCode('dc-1', NOW + 14, 5), { status: 'slow_down', interval: 15 });
      assert.deepEqual(await store.pollDeviceCode('dc-1', NOW + 29, 5), { status: 'ok', interval: 15 });
      assert.equal((await store.getDeviceCode('dc-1'))?.lastPolledAt, NOW + 29);
      assert.equal(await store.pollDeviceCode('dc-unknown', NOW, 5), undefined);
    });

    it('redeems an approved code once, with its grant; pending, denied, expired and foreign codes write nothing', async () => {
      await seedClientAndUser(store);
      await store.createClient(clientRecord('c2'));
      await store.createDeviceCode(deviceCodeRecord('dc-pending', 'c1'));
      assert.deepEqual(await redeem('dc-pending', 'g0', NOW + 1), { status: 'pending' });
      await store.createDeviceCode(deviceCodeRecord('dc-denied', 'c1', { status: 'denied', userId: 'u1', decidedAt: NOW }));
      assert.deepEqual(await redeem('dc-denied', 'g0', NOW + 1), { status: 'denied' });
      const approved = { status: 'approved' as const, userId: 'u1', authTime: NOW, decidedAt: NOW };
      await store.createDeviceCode(deviceCodeRecord('dc-old', 'c1', { ...approved, expiresAt: NOW + 60 }));
      assert.deepEqual(await redeem('dc-old', 'g0', NOW + 60), { status: 'expired' });
      await store.createDeviceCode(deviceCodeRecord('dc-1', 'c1', approved));
      assert.deepEqual(await redeem('dc-1', 'g-thief', NOW + 1, 'c2'), { status: 'not_found' });
      assert.deepEqual(await redeem('dc-unknown', 'g0', NOW + 1), { status: 'not_found' });
      assert.equal(await countRows(store, 'grants'), 0);

      assert.deepEqual(await redeem('dc-1', 'g1', NOW + 2), { status: 'ok' });
      assert.deepEqual(await store.getDeviceCode('dc-1'), deviceCodeRecord('dc-1', 'c1', { ...approved, status: 'consumed', grantId: 'g1' }));
      assert.equal((await store.getRefreshToken('rt-g1'))?.grant.userId, 'u1');
      assert.deepEqual(await redeem('dc-1', 'g2', NOW + 3), { status: 'consumed' });
      assert.equal(await store.getGrant('g2'), undefined);
    });

    it('gives exactly one of 50 concurrent redemptions the code, and stores exactly one grant', async () => {
      await seedClientAndUser(store);
      await store.createDeviceCode(deviceCodeRecord('dc-race', 'c1', { status: 'approved', userId: 'u1', authTime: NOW, decidedAt: NOW }));
      const results = await race(50, (i) => redeem('dc-race', `g-${i}`, NOW + 1));
      assert.equal(results.filter((r) => r.status === 'ok').length, 1);
      for (const r of results) if (r.status !== 'ok') assert.deepEqual(r, { status: 'consumed' });
      assert.equal(await countRows(store, 'grants'), 1);
      await assertStoreInvariants(store.db, { now: NOW + 1 });
    });

    it('goes with its client or its user, and is removed an hour after it expires', async () => {
      await seedClientAndUser(store);
      await store.createClient(clientRecord('c2'));
      await store.createDeviceCode(deviceCodeRecord('dc-c2', 'c2'));
      await store.createDeviceCode(deviceCodeRecord('dc-u1', 'c1', { status: 'approved', userId: 'u1', authTime: NOW, decidedAt: NOW }));
      await store.createDeviceCode(deviceCodeRecord('dc-old', 'c1', { expiresAt: NOW - HOUR - 1 }));
      await store.createDeviceCode(deviceCodeRecord('dc-recent', 'c1', { expiresAt: NOW - HOUR + 1 }));
      await store.deleteClient('c2');
      await store.deleteUser('u1');
      assert.equal(await store.getDeviceCode('dc-c2'), undefined);
      assert.equal(await store.getDeviceCode('dc-u1'), undefined);
      await store.deleteExpired(NOW, 100);
      assert.equal(await store.getDeviceCode('dc-old'), undefined);
      assert.ok(await store.getDeviceCode('dc-recent'), 'a late poll of a recently expired code is still answered expired_token');
    });
  });
}
