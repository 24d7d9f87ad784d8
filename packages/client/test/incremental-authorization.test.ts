// Incremental authorization: only the missing scopes (plus openid), no forced prompt, back to the page; scopes become the union.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBrowser } from './support/cookie-jar-fetch.ts';
import { authorizeAtProvider, landingTarget, logIn, startHarness } from './support/test-harness.ts';
import { countRows } from './support/store-rows.ts';

for (const adapter of ['fastify', 'express'] as const) {
  test(`${adapter}: requireScopes asks for the session's scopes plus the missing ones and returns to the page`, async () => {
    const harness = await startHarness({ adapter });
    try {
      const browser = createBrowser();
      await logIn(browser, harness);
      const sessionId = harness.sessionIdOf(browser);
      const api = await browser.request(`${harness.appOrigin}/orders?view=open`, { headers: { accept: 'application/json' } });
      assert.equal(api.status, 403);
      assert.deepEqual(await api.json(), { error: 'insufficient_scope', message: 'Additional authorization is required for: orders:read', missing_scopes: ['orders:read'] });

      const page = await browser.request(`${harness.appOrigin}/orders?view=open`, { headers: { accept: 'text/html' } });
      assert.equal(page.status, 302);
      const authorizationUrl = new URL(page.headers.get('location')!);
      assert.equal(authorizationUrl.origin, harness.provider.issuer);
      // The session's scopes plus the missing one: the provider asks consent only for what is new, and the new
      // tokens keep covering what the app could already do.
      assert.equal(authorizationUrl.searchParams.get('scope'), 'openid profile email orders:read');
      assert.equal(authorizationUrl.searchParams.get('prompt'), null);
      assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256');

      // The provider session still exists: no login form this time, straight back to the callback.
      const callbackUrl = await authorizeAtProvider(browser, authorizationUrl, harness.appOrigin);
      const callback = await browser.request(callbackUrl);
      assert.equal(await landingTarget(callback), `${harness.appOrigin}/orders?view=open`);
      assert.equal(harness.sessionIdOf(browser), sessionId, 'the same session was extended');
      assert.equal((await countRows(harness.store)).sessions, 1);

      const after = await browser.request(`${harness.appOrigin}/orders?view=open`, { headers: { accept: 'application/json' } });
      assert.equal(after.status, 200);
      const { scopes } = await after.json() as { scopes: string[] };
      assert.deepEqual([...scopes].sort(), ['email', 'openid', 'orders:read', 'profile']);
      const token = await harness.client.getAccessToken(sessionId!, { scopes: ['orders:read'] });
      assert.equal(token, harness.tokenResponses.at(-1)?.access_token);
      // Refresh still works with the refresh token of the latest authorization.
      harness.expireAccessToken(sessionId!);
      assert.notEqual(await harness.client.getAccessToken(sessionId!), token);
    } finally {
      await harness.close();
    }
  });
}

test('requireScopes without a session starts a login that includes the scopes', async () => {
  const harness = await startHarness();
  try {
    const browser = createBrowser();
    const page = await browser.request(`${harness.appOrigin}/orders`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 302);
    const authorizationUrl = new URL(page.headers.get('location')!);
    assert.deepEqual(authorizationUrl.searchParams.get('scope')!.split(' ').sort(), ['email', 'offline_access', 'openid', 'orders:read', 'profile']);
    const callback = await browser.request(await authorizeAtProvider(browser, authorizationUrl, harness.appOrigin));
    assert.equal(await landingTarget(callback), `${harness.appOrigin}/orders`);
    const after = await browser.request(`${harness.appOrigin}/orders`, { headers: { accept: 'application/json' } });
    assert.equal(after.status, 200);
  } finally {
    await harness.close();
  }
});

test('Strict session cookie withheld on the cross-site callback: incremental consent still extends the same session, and a new login replaces the old one', async () => {
  const harness = await startHarness();
  try {
    const browser = createBrowser();
    await logIn(browser, harness);
    const sessionId = harness.sessionIdOf(browser)!;
    // What a browser sends on the provider's cross-site redirect: the Lax login cookie only.
    const crossSite = () => ({ cookie: `app_login=${browser.cookies('127.0.0.1').get('app_login')}` });

    const page = await browser.request(`${harness.appOrigin}/orders`, { headers: { accept: 'text/html' } });
    const callback = await browser.request(await authorizeAtProvider(browser, new URL(page.headers.get('location')!), harness.appOrigin), { headers: crossSite() });
    assert.equal(await landingTarget(callback), `${harness.appOrigin}/orders`);
    assert.deepEqual(callback.headers.getSetCookie().filter((c) => c.startsWith('app_session=')), [], 'no new session cookie');
    assert.equal(harness.sessionIdOf(browser), sessionId);
    assert.ok((await harness.client.getSession(`app_session=${browser.cookies('127.0.0.1').get('app_session')}`))!.scopes.includes('orders:read'));
    assert.equal((await countRows(harness.store)).sessions, 1);

    // A new login from a page of the app (same-site, so /login sees the session) replaces the session.
    const login = await browser.request(`${harness.appOrigin}/login`);
    const again = await browser.request(await authorizeAtProvider(browser, new URL(login.headers.get('location')!), harness.appOrigin), { headers: crossSite() });
    assert.equal(again.status, 200);
    assert.notEqual(harness.sessionIdOf(browser), sessionId);
    assert.equal(harness.sessionRow(sessionId), undefined, 'the replaced session is deleted, not orphaned');
    assert.equal((await countRows(harness.store)).sessions, 1);
  } finally {
    await harness.close();
  }
});
