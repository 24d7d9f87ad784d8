// OpenID Connect Core §5.1 and §5.4: the claims of the granted profile/email/phone/address scopes, in the ID token by
// default and always at UserInfo; a client may keep them UserInfo-only; claims the user lacks are left out; the
// migration that added the columns keeps existing users and clients as they were.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { authorizeUrl, callbackParams, decodeJwt, InjectBrowser, pkcePair, runAuthorization, tokenRequest, type ClientCredentials } from '../helpers/authorization-flow.ts';
import { PASSWORD, startFixture, type Fixture } from '../helpers/authorization-fixtures.ts';
import { addClient, addTestUser } from '../helpers/test-server.ts';
import { addUser } from '../../src/accounts/user-accounts.ts';
import { RegistrationError } from '../../src/clients/register-client.ts';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.ts';

const CALLBACK = 'https://claims.example/cb';
const ALL = 'openid profile email phone address';
let f: Fixture;
let scoped: ClientCredentials;
let userinfoOnly: ClientCredentials;
let narrow: ClientCredentials;

before(async () => {
  f = await startFixture();
  scoped = await addClient(f.server, { name: 'Scoped', redirectUris: [CALLBACK], scope: ALL });
  userinfoOnly = await addClient(f.server, { name: 'Small tokens', redirectUris: [CALLBACK], scope: ALL, userinfoOnlyClaims: true });
  narrow = await addClient(f.server, { name: 'Narrow', redirectUris: [CALLBACK], scope: 'openid email' });
  await addTestUser(f.server, 'carol', PASSWORD, {
    name: 'Carol', email: 'carol@example.com', emailVerified: true, phoneNumber: '+44 20 7946 0000', phoneNumberVerified: true,
    address: '1 High Street\\nLondon',
  });
  await addTestUser(f.server, 'dave', PASSWORD, { email: 'dave@example.com' });
});
after(async () => {
  await f.server.close();
});

async function signIn(client: ClientCredentials, username: string, scope: string) {
  const browser = new InjectBrowser(f.server.app);
  const pkce = pkcePair();
  const url = authorizeUrl({ response_type: 'code', client_id: client.id, redirect_uri: CALLBACK, scope, state: 's', nonce: 'n', code_challenge: pkce.challenge, code_challenge_method: 'S256' });
  const { response } = await runAuthorization(browser, url, { username, password: PASSWORD });
  const code = callbackParams(response).get('code');
  if (!code) return { error: callbackParams(response).get('error'), tokens: undefined, idToken: undefined };
  const token = await tokenRequest(f.server.app, client, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: pkce.verifier });
  assert.equal(token.statusCode, 200, token.body);
  const tokens = token.json() as Record<string, string>;
  return { error: undefined, tokens, idToken: decodeJwt(tokens.id_token!).payload };
}

async function userinfo(accessToken: string): Promise<Record<string, unknown>> {
  const response = await f.server.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${accessToken}` } });
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}

const SCOPE_CLAIMS = ['name', 'preferred_username', 'updated_at', 'email', 'email_verified', 'phone_number', 'phone_number_verified', 'address'];
const pick = (claims: Record<string, unknown>) => Object.fromEntries(SCOPE_CLAIMS.filter((k) => k in claims).map((k) => [k, claims[k]]));

describe('claims of the granted scopes', () => {
  it('the ID token carries the profile, email, phone and address claims by default, the same as UserInfo', async () => {
    const { tokens, idToken } = await signIn(scoped, 'carol', ALL);
    assert.equal(idToken!.name, 'Carol');
    assert.equal(idToken!.preferred_username, 'carol');
    assert.equal(idToken!.email, 'carol@example.com');
    assert.equal(idToken!.email_verified, true);
    assert.equal(idToken!.phone_number, '+44 20 7946 0000');
    assert.equal(idToken!.phone_number_verified, true);
    assert.deepEqual(idToken!.address, { formatted: '1 High Street\nLondon' });
    assert.equal(idToken!.nonce, 'n');
    assert.deepEqual(pick(idToken!), pick(await userinfo(tokens!.access_token!)));
  });

  it('a refreshed ID token carries them too', async () => {
    const { tokens } = await signIn(scoped, 'carol', ALL);
    const refreshed = await tokenRequest(f.server.app, scoped, { grant_type: 'refresh_token', refresh_token: tokens!.refresh_token });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const idToken = decodeJwt(refreshed.json().id_token).payload;
    assert.equal(idToken.email, 'carol@example.com');
    assert.equal(idToken.phone_number, '+44 20 7946 0000');
  });

  it('only the granted scopes count: openid alone gives no profile or email claims', async () => {
    const { idToken } = await signIn(scoped, 'carol', 'openid');
    assert.deepEqual(pick(idToken!), {});
  });

  it('claims the user lacks are left out, and email_verified is false unless the operator said so', async () => {
    const { tokens, idToken } = await signIn(scoped, 'dave', ALL);
    assert.equal(idToken!.email_verified, false);
    for (const absent of ['name', 'phone_number', 'phone_number_verified', 'address']) assert.equal(absent in idToken!, false, absent);
    assert.deepEqual(pick(await userinfo(tokens!.access_token!)), pick(idToken!));
  });

  it('a client registered with userinfo-only claims gets a bare ID token; UserInfo still has every claim', async () => {
    const { tokens, idToken } = await signIn(userinfoOnly, 'carol', ALL);
    assert.deepEqual(pick(idToken!), {});
    const info = await userinfo(tokens!.access_token!);
    assert.equal(info.email, 'carol@example.com');
    assert.deepEqual(info.address, { formatted: '1 High Street\nLondon' });
  });

  it('a client not registered for phone cannot ask for it: invalid_scope, and no code', async () => {
    const { error, tokens } = await signIn(narrow, 'carol', 'openid phone');
    assert.equal(error, 'invalid_scope');
    assert.equal(tokens, undefined);
  });

  it('discovery lists the scopes and claims', async () => {
    const metadata = (await f.server.app.inject({ url: '/.well-known/openid-configuration' })).json();
    for (const s of ['phone', 'address']) assert.ok(metadata.scopes_supported.includes(s), s);
    for (const c of ['email_verified', 'phone_number', 'phone_number_verified', 'address']) assert.ok(metadata.claims_supported.includes(c), c);
  });
});

describe('registering the new user fields', () => {
  it('refuses a verified email without an email, a bad phone number, and a verified phone without one; nothing is stored', async () => {
    const store = f.server.store;
    const base = { password: PASSWORD };
    await assert.rejects(addUser(store, { ...base, username: 'e1', emailVerified: true }, 0), (e: Error) => e instanceof RegistrationError && /only be verified when there is one/.test(e.message));
    await assert.rejects(addUser(store, { ...base, username: 'e2', phoneNumber: 'call me' }, 0), (e: Error) => e instanceof RegistrationError && /not a phone number/.test(e.message));
    await assert.rejects(addUser(store, { ...base, username: 'e3', phoneNumberVerified: true }, 0), /only be verified when there is one/);
    for (const u of ['e1', 'e2', 'e3']) assert.equal(await store.findUserByUsername(u), undefined);
  });
});

describe('migration 0006', () => {
  it('keeps existing users (unverified, no phone or address) and existing clients (claims in the ID token)', async () => {
    const store = openSqliteStore(':memory:');
    try {
      const db = store.db;
      await sql`create table latchkey_migrations (name varchar(255) primary key, timestamp varchar(255) not null)`.execute(db);
      for (const [name, migration] of MIGRATIONS.filter(([n]) => n < '0006')) {
        await migration.up(db);
        await sql`insert into latchkey_migrations (name, timestamp) values (${name}, 'then')`.execute(db);
      }
      await sql`insert into users (id, username, email, name, password_hash, created_at, updated_at) values ('u1', 'old', 'old@example.com', null, 'h', 1, 1)`.execute(db);
      await sql`insert into clients (id, name, secret_hash, is_public, redirect_uris, grant_types, scopes, require_pkce, id_token_alg, created_at, updated_at)
        values ('c1', 'Old', null, 1, '[]', '["authorization_code"]', '["openid"]', 1, 'RS256', 1, 1)`.execute(db);
      assert.equal((await store.migrate()).applied[0], '0006-oidc-claims');
      const user = await store.getUser('u1');
      assert.deepEqual([user!.emailVerified, user!.phoneNumber, user!.phoneNumberVerified, user!.address], [false, null, false, null]);
      assert.equal((await store.getClient('c1'))!.idTokenClaims, true);
    } finally {
      await store.close();
    }
  });
});
