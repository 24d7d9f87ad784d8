// Proactive refresh, single-flight across callers and processes, rotation, and refused grants (RFC 6749 §6, RFC 9700 §4.14).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ReauthenticationRequiredError, InsufficientScopeError } from '../src/index.ts';
import { TokenCipher } from '../src/token-encryption.ts';
import { sessionColumnAad } from '../src/session-secrets.ts';
import { createBrowser } from './support/cookie-jar-fetch.ts';
import { logIn, startHarness, type Harness } from './support/test-harness.ts';

let harness: Harness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness.close();
});

async function newSession(): Promise<string> {
  const browser = createBrowser();
  await logIn(browser, harness);
  const id = harness.sessionIdOf(browser);
  assert.ok(id);
  return id;
}

test('a fresh token is returned without calling the provider', async () => {
  const id = await newSession();
  const refreshes = harness.provider.counts.refreshGrants;
  const token = await harness.client.getAccessToken(id);
  assert.equal(token, harness.tokenResponses.at(-1)?.access_token);
  assert.equal(harness.provider.counts.refreshGrants, refreshes);
});

test('50 concurrent callers on an expiring session cause exactly one refresh; the rotated refresh token is kept', async () => {
  const id = await newSession();
  const rowBefore = harness.sessionRow(id)!;
  const oldToken = await harness.client.getAccessToken(id);
  harness.expireAccessToken(id);
  const refreshes = harness.provider.counts.refreshGrants;
  const tokens = await Promise.all(Array.from({ length: 50 }, () => harness.client.getAccessToken(id)));
  assert.equal(harness.provider.counts.refreshGrants, refreshes + 1);
  assert.equal(new Set(tokens).size, 1);
  assert.notEqual(tokens[0], oldToken);
  const refreshResponse = harness.tokenResponses.at(-1)!;
  assert.equal(tokens[0], refreshResponse.access_token);
  // The provider rotates refresh tokens: the stored one is the new one.
  const rowAfter = harness.sessionRow(id)!;
  assert.notEqual(rowAfter.refresh_token, rowBefore.refresh_token);
  const cipher = new TokenCipher([{ kid: 'k1', key: harness.encryptionKey }]);
  assert.equal(cipher.decrypt(String(rowAfter.refresh_token), sessionColumnAad(id, 'refreshToken')), refreshResponse.refresh_token);
  assert.equal(rowAfter.lease_owner, null);
  assert.equal(Number(rowAfter.version), Number(rowBefore.version) + 1);
  // The rotated token works for the next refresh.
  harness.expireAccessToken(id);
  const next = await harness.client.getAccessToken(id);
  assert.notEqual(next, tokens[0]);
  assert.equal(harness.provider.counts.refreshGrants, refreshes + 2);
});

test('two client instances sharing one SQLite file refresh once', async () => {
  const id = await newSession();
  const second = await harness.secondClient();
  harness.expireAccessToken(id);
  const refreshes = harness.provider.counts.refreshGrants;
  const tokens = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? harness.client : second).getAccessToken(id)));
  assert.equal(harness.provider.counts.refreshGrants, refreshes + 1);
  assert.equal(new Set(tokens).size, 1);
});

test('a second process sharing the SQLite file and racing this one also causes one refresh', async () => {
  const id = await newSession();
  const child = spawn(process.execPath, [fileURLToPath(new URL('./support/refresh-worker.ts', import.meta.url))], {
    env: {
      ...process.env,
      LATCHKEY_WORKER_INPUT: JSON.stringify({
        issuer: harness.provider.issuer, clientId: harness.provider.clientId, clientSecret: harness.provider.clientSecret,
        redirectUri: `${harness.appOrigin}/auth/callback`, dbPath: harness.dbPath, key: harness.encryptionKey, sessionId: id, calls: 25,
      }),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const iterator = lines[Symbol.asyncIterator]();
  assert.equal((await iterator.next()).value, 'ready');
  harness.expireAccessToken(id);
  const refreshes = harness.provider.counts.refreshGrants;
  child.stdin!.write('go\n');
  const mine = await Promise.all(Array.from({ length: 25 }, () => harness.client.getAccessToken(id)));
  const theirs = JSON.parse(String((await iterator.next()).value)) as string[];
  lines.close();
  assert.equal(harness.provider.counts.refreshGrants, refreshes + 1);
  assert.equal(new Set([...mine, ...theirs]).size, 1);
});

test('a revoked grant leads to ReauthenticationRequiredError and the session is marked', async () => {
  const browser = createBrowser();
  await logIn(browser, harness);
  const id = harness.sessionIdOf(browser)!;
  const refreshToken = harness.tokenResponses.at(-1)!.refresh_token as string;
  const revoke = await fetch(`${harness.provider.issuer}/token/revocation`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${harness.provider.clientId}:${harness.provider.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token: refreshToken, token_type_hint: 'refresh_token' }),
  });
  assert.equal(revoke.status, 200);
  harness.expireAccessToken(id);
  const refreshes = harness.provider.counts.refreshGrants;
  const results = await Promise.allSettled(Array.from({ length: 5 }, () => harness.client.getAccessToken(id)));
  for (const result of results) {
    assert.equal(result.status, 'rejected');
    assert.ok(result.reason instanceof ReauthenticationRequiredError);
  }
  assert.equal(harness.provider.counts.refreshGrants, refreshes + 1);
  assert.equal(harness.sessionRow(id)!.reauth_required, 1);
  // Later calls fail fast without asking the provider again.
  await assert.rejects(harness.client.getAccessToken(id), ReauthenticationRequiredError);
  assert.equal(harness.provider.counts.refreshGrants, refreshes + 1);
  const session = await harness.client.getSession(`app_session=${browser.cookies('127.0.0.1').get('app_session')}`);
  assert.equal(session?.reauthenticationRequired, true);
  // Pages send the user to sign in again; API calls get a typed 401; the proxy calls nothing.
  const page = await browser.request(`${harness.appOrigin}/`, { headers: { accept: 'text/html' } });
  assert.equal(page.status, 302);
  const calls = harness.upstream.calls.length;
  const api = await browser.request(`${harness.appOrigin}/api/orders/x`);
  assert.equal(api.status, 401);
  assert.equal((await api.json() as { error: string }).error, 'reauthentication_required');
  assert.equal(harness.upstream.calls.length, calls);
});

test('getAccessToken with scopes the session lacks throws InsufficientScopeError', async () => {
  const id = await newSession();
  await assert.rejects(harness.client.getAccessToken(id, { scopes: ['orders:read'] }), (error: unknown) => {
    assert.ok(error instanceof InsufficientScopeError);
    assert.deepEqual(error.missingScopes, ['orders:read']);
    return true;
  });
  assert.ok(await harness.client.getAccessToken(id, { scopes: ['openid'] }));
});
