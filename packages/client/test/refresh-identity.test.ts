// OIDC Core §12.2 from the attacker's side: a refresh whose ID token names another user (or issuer, audience,
// authorized party, authentication time) ends the session, and its access token never reaches the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBrowser } from './support/cookie-jar-fetch.ts';
import { logIn, startHarness, type Harness } from './support/test-harness.ts';
import { SCRIPTED_CLIENT_ID, startScriptedProvider, type ScriptedProvider } from './support/scripted-provider.ts';
import { ReauthenticationRequiredError } from '../src/index.ts';

async function withScriptedProvider(run: (harness: Harness, provider: ScriptedProvider) => Promise<void>): Promise<void> {
  let provider: ScriptedProvider | undefined;
  const harness = await startHarness({ provider: async (app) => (provider = await startScriptedProvider(app)) });
  try {
    await run(harness, provider!);
  } finally {
    await harness.close();
  }
}

const JSON_ACCEPT = { accept: 'application/json' };

test('control: a refresh whose ID token matches the original keeps the session and sends the new token upstream', async () => {
  await withScriptedProvider(async (harness, provider) => {
    const browser = createBrowser();
    await logIn(browser, harness);
    const sessionId = harness.sessionIdOf(browser)!;
    harness.expireAccessToken(sessionId);
    // A refreshed ID token carries a new iat/exp; auth_time stays the original's.
    provider.refreshClaims = {};
    const response = await browser.request(`${harness.appOrigin}/api/orders/items`, { headers: JSON_ACCEPT });
    assert.equal(response.status, 200);
    const refreshed = provider.issued.at(-1)!;
    assert.equal(refreshed.grant, 'refresh_token');
    assert.equal(harness.upstream.calls.at(-1)!.authorization, `Bearer ${refreshed.accessToken}`);
    assert.ok(harness.sessionRow(sessionId));
    assert.deepEqual(provider.revoked, []);
  });
});

const attacks: Array<[string, string, (provider: ScriptedProvider) => Record<string, unknown>]> = [
  ['another sub', 'sub', () => ({ sub: 'attacker' })],
  ['an extra audience (with azp, so the ID token itself is valid)', 'aud, azp', () => ({ aud: [SCRIPTED_CLIENT_ID, 'another-client'], azp: SCRIPTED_CLIENT_ID })],
  ['an azp the original did not have', 'azp', () => ({ azp: SCRIPTED_CLIENT_ID })],
  ['a later auth_time (a new authentication, not the original)', 'auth_time', (provider) => ({ auth_time: provider.authTime + 30 })],
];

for (const [name, changed, claims] of attacks) {
  test(`a refreshed ID token with ${name} ends the session; its access token never reaches the API`, async () => {
    await withScriptedProvider(async (harness, provider) => {
      const browser = createBrowser();
      await logIn(browser, harness);
      const sessionId = harness.sessionIdOf(browser)!;
      const first = await browser.request(`${harness.appOrigin}/api/orders/items`, { headers: JSON_ACCEPT });
      assert.equal(first.status, 200);
      const login = provider.issued.at(-1)!;
      assert.equal(harness.upstream.calls.at(-1)!.authorization, `Bearer ${login.accessToken}`);
      const callsBefore = harness.upstream.calls.length;

      harness.expireAccessToken(sessionId);
      provider.refreshClaims = claims(provider);
      const attacked = await browser.request(`${harness.appOrigin}/api/orders/items`, { headers: JSON_ACCEPT });
      assert.equal(attacked.status, 401);
      const body = await attacked.json() as { error: string; message: string; login: string };
      assert.deepEqual({ error: body.error, login: body.login }, { error: 'reauthentication_required', login: '/login' });
      assert.match(body.message, new RegExp(`\\(${changed} changed\\)`));
      const refreshed = provider.issued.at(-1)!;
      assert.equal(refreshed.grant, 'refresh_token');
      assert.equal(provider.counts.refreshGrants, 1);
      // Nothing reached the API, and the refreshed access token reached nobody.
      assert.equal(harness.upstream.calls.length, callsBefore);
      assert.ok(harness.upstream.calls.every((call) => call.authorization !== `Bearer ${refreshed.accessToken}`));
      // The session is gone (tokens deleted) and what the provider may still honour was revoked.
      assert.equal(harness.sessionRow(sessionId), undefined);
      assert.deepEqual([...provider.revoked].sort(), [login.refreshToken, refreshed.accessToken, refreshed.refreshToken].sort());
      const after = await browser.request(`${harness.appOrigin}/api/orders/items`, { headers: JSON_ACCEPT });
      assert.equal(after.status, 401);
      assert.equal((await after.json() as { error: string }).error, 'not_authenticated');
      assert.equal(harness.upstream.calls.length, callsBefore);
    });
  });
}

test('a refreshed ID token from another issuer is refused by openid-client; the kit ends the session the same way', async () => {
  await withScriptedProvider(async (harness, provider) => {
    const browser = createBrowser();
    await logIn(browser, harness);
    const sessionId = harness.sessionIdOf(browser)!;
    const login = provider.issued.at(-1)!;
    harness.expireAccessToken(sessionId);
    provider.refreshClaims = { iss: 'https://attacker.example' };
    await assert.rejects(harness.client.getAccessToken(sessionId), (error: unknown) => {
      assert.ok(error instanceof ReauthenticationRequiredError);
      assert.equal(error.code, 'ERR_REAUTHENTICATION_REQUIRED');
      return true;
    });
    assert.equal(harness.upstream.calls.length, 0);
    assert.equal(harness.sessionRow(sessionId), undefined);
    // openid-client threw before the kit saw the new tokens: the login's refresh token is what can still be revoked.
    assert.deepEqual(provider.revoked, [login.refreshToken]);
  });
});
