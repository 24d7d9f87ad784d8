// Remembered, incremental consent (consent/consent.ts; OpenID Connect Core §3.1.2.1 prompt=consent) on a real store:
// only scopes not approved before are asked for, prompt=consent asks for all of them and shows none as "already
// allowed", and approving adds to what was remembered.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addUser } from '../../src/accounts/user-accounts.ts';
import { registerClient } from '../../src/clients/register-client.ts';
import { previouslyGranted, rememberConsent, scopesNeedingConsent } from '../../src/consent/consent.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { SqlStore } from '../../src/store/sql/sql-store.ts';

let store: SqlStore;
let userId: string;
let clientId: string;
const NOW = 1_900_000_000;

before(async () => {
  store = openStore('sqlite::memory:');
  await store.migrate();
  userId = (await addUser(store, { username: 'alice', password: 'correct horse battery staple' }, NOW)).id;
  clientId = (await registerClient(store, { name: 'App', redirectUris: ['https://app.example/cb'], scope: 'openid profile email' }, NOW)).client.id;
});
after(() => store.close());

describe('consent', () => {
  it('asks for everything the first time, and nothing is "already allowed"', async () => {
    const question = { scopes: ['openid', 'profile'], prompt: [] };
    assert.deepEqual(await scopesNeedingConsent(store, userId, clientId, question), ['openid', 'profile']);
    assert.deepEqual(await previouslyGranted(store, userId, clientId, question), []);
  });

  it('after approval, asks only for new scopes (incremental) and remembers the union', async () => {
    await rememberConsent(store, userId, clientId, ['openid', 'profile'], NOW);
    const wider = { scopes: ['openid', 'profile', 'email'], prompt: [] };
    assert.deepEqual(await scopesNeedingConsent(store, userId, clientId, wider), ['email']);
    assert.deepEqual(await previouslyGranted(store, userId, clientId, wider), ['openid', 'profile']);
    await rememberConsent(store, userId, clientId, ['email'], NOW + 1);
    assert.deepEqual((await store.getConsent(userId, clientId))?.scopes.sort(), ['email', 'openid', 'profile']);
    assert.deepEqual(await scopesNeedingConsent(store, userId, clientId, wider), []);
  });

  it('prompt=consent asks for every requested scope again and lists none as already allowed', async () => {
    const forced = { scopes: ['openid', 'email'], prompt: ['consent' as const] };
    assert.deepEqual(await scopesNeedingConsent(store, userId, clientId, forced), ['openid', 'email']);
    assert.deepEqual(await previouslyGranted(store, userId, clientId, forced), []);
  });

  it('every approval is in the audit trail with its scopes', async () => {
    const rows = await store.db.selectFrom('audit_events').select(['type', 'user_id', 'client_id', 'detail']).where('type', '=', 'consent.granted').execute();
    assert.deepEqual(rows.map((r) => [r.type, r.user_id, r.client_id, JSON.parse(String(r.detail)).scopes]), [
      ['consent.granted', userId, clientId, ['openid', 'profile']], ['consent.granted', userId, clientId, ['email']],
    ]);
  });
});
