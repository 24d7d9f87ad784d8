// The Store contract, passkeys and WebAuthn challenges: run against every implementation by ../store-contract.ts.
// The counter only moves forward (or stays 0 on both sides), a credential id is registered once, a challenge is taken
// once and only by the browser and ceremony it was made for; of concurrent uses of one counter value one wins.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { PasskeyRecord } from '../../../src/store/records.ts';
import type { SqlStore } from '../../../src/store/sql/sql-store.ts';
import { StoreConflict } from '../../../src/store/store.ts';
import { NOW, seedClientAndUser } from './contract-fixtures.ts';

const passkey = (id: string, userId: string, overrides: Partial<PasskeyRecord> = {}): PasskeyRecord => ({
  id, userId, name: 'Laptop', publicKey: 'cose-key', counter: 0, transports: ['internal'], deviceType: 'singleDevice', backedUp: false,
  createdAt: NOW, lastUsedAt: null, ...overrides,
});

export function passkeysContract(current: () => SqlStore): void {
  describe('passkeys', () => {
    let store: SqlStore;
    beforeEach(() => { store = current(); });

    it('stores, lists per user, refuses a second registration of one credential id, deletes only the owner\'s', async () => {
      await seedClientAndUser(store);
      await store.createPasskey(passkey('cred-a', 'u1', { counter: 3 }));
      await store.createPasskey(passkey('cred-b', 'u1', { createdAt: NOW + 1, deviceType: 'multiDevice', backedUp: true }));
      assert.deepEqual(await store.getPasskey('cred-a'), passkey('cred-a', 'u1', { counter: 3 }));
      assert.deepEqual((await store.listPasskeys('u1')).map((p) => p.id), ['cred-a', 'cred-b']);
      await assert.rejects(store.createPasskey(passkey('cred-a', 'u1')), StoreConflict);
      assert.equal(await store.deletePasskey('someone-else', 'cred-a'), false);
      assert.equal(await store.deletePasskey('u1', 'cred-a'), true);
      assert.deepEqual((await store.listPasskeys('u1')).map((p) => p.id), ['cred-b']);
    });

    it('a sign-in moves the counter forward only; 0 stays acceptable while both are 0; concurrent uses of one value: one wins', async () => {
      await seedClientAndUser(store);
      await store.createPasskey(passkey('zero', 'u1'));
      assert.equal(await store.updatePasskeyUse('zero', { counter: 0, backedUp: true, at: NOW + 1 }), true);
      assert.equal((await store.getPasskey('zero'))?.lastUsedAt, NOW + 1);
      assert.equal((await store.getPasskey('zero'))?.backedUp, true);
      assert.equal(await store.updatePasskeyUse('zero', { counter: 5, backedUp: true, at: NOW + 2 }), true);
      assert.equal(await store.updatePasskeyUse('zero', { counter: 0, backedUp: true, at: NOW + 3 }), false, 'back to 0 after 5');
      assert.equal(await store.updatePasskeyUse('zero', { counter: 4, backedUp: true, at: NOW + 3 }), false);
      const race = await Promise.all([6, 6, 6].map((counter) => store.updatePasskeyUse('zero', { counter, backedUp: true, at: NOW + 4 })));
      assert.deepEqual(race.filter(Boolean).length, 1);
      assert.equal((await store.getPasskey('zero'))?.counter, 6);
    });

    it('a challenge is taken once, only by its browser and ceremony, and not after it expires', async () => {
      await seedClientAndUser(store);
      const challenge = { challengeHash: 'c1', browserHash: 'b1', purpose: 'authentication' as const, userId: null, createdAt: NOW, expiresAt: NOW + 300 };
      await store.createWebAuthnChallenge(challenge);
      await store.createWebAuthnChallenge({ ...challenge, challengeHash: 'c2', purpose: 'registration', userId: 'u1' });
      await store.createWebAuthnChallenge({ ...challenge, challengeHash: 'c3' });
      assert.equal(await store.consumeWebAuthnChallenge('c1', 'other-browser', 'authentication', NOW), undefined);
      assert.equal(await store.consumeWebAuthnChallenge('c1', 'b1', 'registration', NOW), undefined);
      const takers = await Promise.all([1, 2, 3].map(() => store.consumeWebAuthnChallenge('c1', 'b1', 'authentication', NOW)));
      assert.deepEqual(takers.filter(Boolean), [challenge]);
      assert.equal((await store.consumeWebAuthnChallenge('c2', 'b1', 'registration', NOW))?.userId, 'u1');
      assert.equal(await store.consumeWebAuthnChallenge('c3', 'b1', 'authentication', NOW + 300), undefined, 'expired at expiresAt');
      assert.ok((await store.deleteExpired(NOW + 301, 100)) >= 1, 'expired challenges are removed');
    });

    it('the TOTP factor: one per user, replaced while unconfirmed, each step accepted once; recovery codes taken once', async () => {
      await seedClientAndUser(store);
      const factor = { userId: 'u1', secretSealed: 'v1.a', confirmedAt: null, lastStep: 0, createdAt: NOW };
      assert.equal(await store.createTotpFactor(factor), true);
      assert.equal(await store.createTotpFactor({ ...factor, secretSealed: 'v1.b' }), true, 'an unconfirmed enrolment is replaced');
      assert.equal((await store.getTotpFactor('u1'))?.secretSealed, 'v1.b');
      assert.equal(await store.useTotpStep('u1', 10), false, 'not before confirmation');
      assert.equal(await store.confirmTotpFactor('u1', 10, NOW), true);
      assert.equal(await store.confirmTotpFactor('u1', 11, NOW), false, 'once');
      assert.equal(await store.createTotpFactor({ ...factor, secretSealed: 'v1.c' }), false, 'a confirmed factor is not replaced');
      assert.equal(await store.useTotpStep('u1', 10), false, 'the confirming step is spent');
      const race = await Promise.all([11, 11, 11].map((step) => store.useTotpStep('u1', step)));
      assert.equal(race.filter(Boolean).length, 1);
      assert.equal(await store.useTotpStep('u1', 9), false);

      await store.replaceRecoveryCodes('u1', ['h1', 'h2', 'h3'], NOW);
      assert.equal(await store.countRecoveryCodes('u1'), 3);
      const takers = await Promise.all([1, 2].map(() => store.consumeRecoveryCode('u1', 'h1', NOW)));
      assert.equal(takers.filter(Boolean).length, 1);
      assert.equal(await store.consumeRecoveryCode('someone-else', 'h2', NOW), false);
      assert.equal(await store.countRecoveryCodes('u1'), 2);
      await store.replaceRecoveryCodes('u1', ['h4'], NOW);
      assert.equal(await store.countRecoveryCodes('u1'), 1);
      assert.equal(await store.deleteTotpFactor('u1'), true);
      assert.equal(await store.deleteRecoveryCodes('u1'), 1);
      assert.equal(await store.getTotpFactor('u1'), undefined);
    });

    it('the last passkey of a user without a password stays, even against concurrent removals; the password goes only with a passkey', async () => {
      await seedClientAndUser(store);
      assert.equal(await store.removePasswordOfPasskeyUser('u1', NOW), false, 'no passkey yet');
      assert.notEqual((await store.getUser('u1'))?.passwordHash, null);
      await store.createPasskey(passkey('p1', 'u1'));
      await store.createPasskey(passkey('p2', 'u1'));
      assert.equal(await store.removePasswordOfPasskeyUser('u1', NOW), true);
      assert.equal((await store.getUser('u1'))?.passwordHash, null);
      const outcomes = await Promise.all([store.deletePasskeyKeepingSignIn('u1', 'p1'), store.deletePasskeyKeepingSignIn('u1', 'p2')]);
      assert.deepEqual(outcomes.sort(), ['last', 'removed']);
      assert.equal((await store.listPasskeys('u1')).length, 1);
      assert.equal(await store.deletePasskeyKeepingSignIn('u1', 'nope'), 'unknown');
      assert.equal(await store.deletePasskeyKeepingSignIn('someone-else', 'p1'), 'unknown');
    });

    it('users without a password read back null, and the sessions, codes and grants keep their amr', async () => {
      await seedClientAndUser(store);
      assert.equal(await store.updateUserPassword('u1', null, NOW), true);
      assert.equal((await store.getUser('u1'))?.passwordHash, null);
      await store.createSession({ idHash: 's-amr', sid: 'sid-amr', userId: 'u1', authTime: NOW, amr: ['hwk', 'user', 'mfa'], userAgent: null, createdAt: NOW, lastActiveAt: NOW, expiresAt: NOW + 60 });
      assert.deepEqual((await store.getSession('s-amr', NOW))?.amr, ['hwk', 'user', 'mfa']);
    });
  });
}
