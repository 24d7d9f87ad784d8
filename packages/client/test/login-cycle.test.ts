// The whole BFF cycle over HTTP against node-oidc-provider: login → callback → session → token → proxy → logout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBrowser } from './support/cookie-jar-fetch.ts';
import { landingTarget, logIn, startHarness } from './support/test-harness.ts';
import { countRows } from './support/store-rows.ts';

for (const adapter of ['fastify', 'express'] as const) {
  test(`${adapter}: login, session cookie, access token, proxied API call, logout with revocation`, async () => {
    const harness = await startHarness({ adapter });
    try {
      const browser = createBrowser();
      // Unauthenticated page navigation is sent to login with its return path.
      const guarded = await browser.request(`${harness.appOrigin}/`, { headers: { accept: 'text/html' } });
      assert.equal(guarded.status, 302);
      assert.equal(guarded.headers.get('location'), '/login?returnTo=%2F');
      const guardedApi = await browser.request(`${harness.appOrigin}/`, { headers: { accept: 'application/json' } });
      assert.equal(guardedApi.status, 401);
      assert.equal((await guardedApi.json() as { error: string }).error, 'not_authenticated');

      const login = await browser.request(`${harness.appOrigin}/login?returnTo=%2Freports%3Fyear%3D2025`);
      assert.equal(login.status, 302);
      const authorizationUrl = new URL(login.headers.get('location')!);
      assert.equal(authorizationUrl.origin, harness.provider.issuer);
      assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
      assert.ok(authorizationUrl.searchParams.get('state'));
      assert.ok(authorizationUrl.searchParams.get('nonce'));
      assert.equal(authorizationUrl.searchParams.get('prompt'), null);
      const txCookie = login.headers.getSetCookie().find((c) => c.startsWith('app_login='));
      assert.match(txCookie ?? '', /HttpOnly/);
      assert.match(txCookie ?? '', /SameSite=Lax/);
      assert.equal((await countRows(harness.store)).transactions, 1);

      const { authorizeAtProvider } = await import('./support/test-harness.ts');
      const callbackUrl = await authorizeAtProvider(browser, authorizationUrl, harness.appOrigin);
      assert.equal(callbackUrl.pathname, '/auth/callback');
      const callback = await browser.request(callbackUrl);
      // A same-site landing page (not a 302), so that the Strict session cookie rides on the next navigation.
      assert.equal(callback.status, 200);
      assert.equal(callback.headers.get('location'), null);
      assert.equal(await landingTarget(callback), `${harness.appOrigin}/reports?year=2025`);
      assert.equal(callback.headers.get('referrer-policy'), 'no-referrer');
      const sessionCookie = callback.headers.getSetCookie().find((c) => c.startsWith('app_session='));
      assert.ok(sessionCookie);
      assert.match(sessionCookie, /HttpOnly/);
      assert.match(sessionCookie, /SameSite=Strict/);
      assert.match(sessionCookie, /Path=\//);
      assert.doesNotMatch(sessionCookie, /Secure/); // http loopback app
      assert.deepEqual(await countRows(harness.store), { sessions: 1, transactions: 0 });
      // Nothing token-like reached the browser.
      for (const cookie of [...browser.cookies('127.0.0.1').values()]) assert.ok(!cookie.startsWith('ey'));

      const home = await browser.request(`${harness.appOrigin}/`, { headers: { accept: 'application/json' } });
      assert.equal(home.status, 200);
      const body = await home.json() as { subject: string; scopes: string[] };
      assert.equal(body.subject, 'alice');
      assert.ok(body.scopes.includes('openid'));

      const session = await harness.client.getSession(`app_session=${browser.cookies('127.0.0.1').get('app_session')}`);
      assert.ok(session);
      assert.equal(session.claims.name, 'User alice');
      const accessToken = await harness.client.getAccessToken(session);
      assert.equal(accessToken, harness.tokenResponses.at(-1)?.access_token);

      const api = await browser.request(`${harness.appOrigin}/api/orders/items/42?expand=lines`, {
        headers: { accept: 'application/json', authorization: 'Bearer browser-supplied' },
      });
      assert.equal(api.status, 200);
      assert.equal(api.headers.get('set-cookie'), null, 'upstream cookies are not passed to the browser');
      assert.deepEqual(await api.json(), { ok: true, method: 'GET', url: '/v1/items/42?expand=lines', body: '' });
      const post = await browser.request(`${harness.appOrigin}/api/orders/items`, {
        method: 'POST',
        headers: { origin: harness.appOrigin, 'x-latchkey-csrf': '1', 'content-type': 'application/json' },
        body: JSON.stringify({ sku: 'A-1', quantity: 2 }),
      });
      assert.equal(post.status, 200);
      assert.equal(harness.upstream.calls.length, 2);
      for (const call of harness.upstream.calls) {
        assert.equal(call.authorization, `Bearer ${accessToken}`);
        assert.equal(call.cookie, undefined, 'browser cookies are never forwarded');
        assert.equal(call.origin, undefined);
      }
      assert.equal(harness.upstream.calls[1]!.body, JSON.stringify({ sku: 'A-1', quantity: 2 }));

      const revocationsBefore = harness.provider.counts.revocations;
      // As an HTML form would send it.
      const logout = await browser.request(`${harness.appOrigin}/logout`, {
        method: 'POST', headers: { origin: harness.appOrigin, 'content-type': 'application/x-www-form-urlencoded' }, body: 'confirm=1',
      });
      assert.equal(logout.status, 303);
      const endSession = new URL(logout.headers.get('location')!);
      assert.equal(`${endSession.origin}${endSession.pathname}`, `${harness.provider.issuer}/session/end`);
      assert.ok(endSession.searchParams.get('id_token_hint'));
      assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), `${harness.appOrigin}/signed-out`);
      assert.equal(harness.provider.counts.revocations, revocationsBefore + 1);
      assert.equal((await countRows(harness.store)).sessions, 0);
      assert.equal(browser.cookies('127.0.0.1').has('app_session'), false);
      // The revoked grant no longer yields tokens: the provider refuses the refresh token.
      const after = await browser.request(`${harness.appOrigin}/`, { headers: { accept: 'application/json' } });
      assert.equal(after.status, 401);
    } finally {
      await harness.close();
    }
  });
}

test('logout refuses a cross-site POST and keeps the session', async () => {
  const harness = await startHarness();
  try {
    const browser = createBrowser();
    await logIn(browser, harness);
    for (const headers of [{ origin: 'https://evil.example' }, {}] as Array<Record<string, string>>) {
      const response = await browser.request(`${harness.appOrigin}/logout`, { method: 'POST', headers });
      assert.equal(response.status, 403);
    }
    assert.equal((await countRows(harness.store)).sessions, 1);
    assert.equal(harness.provider.counts.revocations, 0);
  } finally {
    await harness.close();
  }
});
