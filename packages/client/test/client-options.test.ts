// Option resolution: cookie names and attributes (RFC 6265bis §4.1.3), https-only issuers, required scopes and secrets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCookieHeader, serializeCookie } from '../src/cookies.ts';
import { resolveOptions } from '../src/client-options.ts';
import { createSqliteStore } from '../src/index.ts';

test('cookies: host-only HttpOnly, session Strict by default, Secure and __Host- on https, names unlike the server\'s', () => {
  const store = createSqliteStore({ path: ':memory:' });
  const base = { issuer: 'https://id.example', clientId: 'c', clientSecret: 's', scopes: ['openid'], store, encryptionKeys: [] };
  const https = resolveOptions({ ...base, redirectUri: 'https://app.example/cb' });
  assert.equal(https.sessionCookieName, '__Host-app_session');
  assert.equal(https.transactionCookieName, '__Host-app_login');
  assert.equal(https.sessionCookieSameSite, 'Strict');
  assert.equal(https.cookieSecure, true);
  const cookie = serializeCookie(https.sessionCookieName, 'abc', { secure: true, sameSite: https.sessionCookieSameSite, maxAgeSeconds: 60 });
  assert.equal(cookie, '__Host-app_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure');
  assert.equal(resolveOptions({ ...base, redirectUri: 'https://app.example/cb', sessionCookieSameSite: 'Lax' }).sessionCookieSameSite, 'Lax');
  assert.throws(() => resolveOptions({ ...base, redirectUri: 'https://app.example/cb', sessionCookieSameSite: 'None' as 'Lax' }), /sessionCookieSameSite/);
  assert.doesNotMatch(cookie, /Domain/i);
  const http = resolveOptions({ ...base, redirectUri: 'http://127.0.0.1:3000/cb', issuer: 'http://127.0.0.1:4000' });
  assert.equal(http.sessionCookieName, 'app_session');
  assert.equal(http.transactionCookieName, 'app_login');
  // Latchkey's own server names its cookie latchkey_sso: the kit's names share no stem with it.
  for (const name of [http.sessionCookieName, http.transactionCookieName, https.sessionCookieName]) assert.doesNotMatch(name, /latchkey/i);
  assert.equal(http.cookieSecure, false);
  assert.throws(() => resolveOptions({ ...base, redirectUri: 'https://app.example/cb', issuer: 'http://id.example' }), /https/);
  assert.throws(() => resolveOptions({ ...base, redirectUri: 'https://app.example/cb', scopes: ['profile'] }), /openid/);
  assert.throws(() => resolveOptions({ ...base, clientSecret: undefined, tokenEndpointAuthMethod: 'client_secret_basic', redirectUri: 'https://app.example/cb' }), /clientSecret/);
  assert.deepEqual([...parseCookieHeader('a=1; b="2"; a=3; junk; =x')], [['a', '1'], ['b', '2']]);
  assert.throws(() => serializeCookie('a', 'x;y', { secure: false, sameSite: 'Lax' }));
});
