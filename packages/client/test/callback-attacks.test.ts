// The attacker's side of the callback and the proxy: each attempt leaves no session and makes no upstream call.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createBrowser, type BrowserLike } from './support/cookie-jar-fetch.ts';
import { authorizeAtProvider, landingTarget, logIn, startHarness, type Harness } from './support/test-harness.ts';
import { EXPECTED_TARGETS, redirectBypassCorpus } from './support/redirect-bypass-corpus.ts';
import { countRows } from './support/store-rows.ts';

let harness: Harness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness.close();
});

/** Starts a login in `browser` and returns the provider's callback URL without requesting it. */
async function pendingCallback(browser: BrowserLike, user = 'alice'): Promise<URL> {
  const start = await browser.request(`${harness.appOrigin}/login`);
  return authorizeAtProvider(browser, new URL(start.headers.get('location')!), harness.appOrigin, user);
}

async function assertRefused(browser: BrowserLike, url: URL | string, code: string, sessionsBefore: number): Promise<void> {
  const callsBefore = harness.upstream.calls.length;
  const response = await browser.request(url, { headers: { accept: 'text/html' } });
  const html = await response.text();
  assert.equal(response.status, 400, `expected 400 for ${code}, got ${response.status}: ${html.slice(0, 200)}`);
  assert.match(response.headers.get('content-type') ?? '', /text\/html/);
  assert.match(html, /Sign-in problem/);
  // RFC 9700 §4.2.4: the error page must not hand the callback URL (code, state) to anything it links to.
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(response.headers.getSetCookie().some((c) => c.startsWith('app_session=')), false);
  assert.equal((await countRows(harness.store)).sessions, sessionsBefore, `no session for ${code}`);
  assert.equal(harness.upstream.calls.length, callsBefore);
  const json = await browser.request(url, { headers: { accept: 'application/json' } });
  assert.equal(json.status, 400);
}

function withParams(url: URL, changes: Record<string, string | null>): URL {
  const copy = new URL(url);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) copy.searchParams.delete(name);
    else copy.searchParams.set(name, value);
  }
  return copy;
}

test('forged and missing state are refused', async () => {
  const browser = createBrowser();
  const callback = await pendingCallback(browser);
  const sessions = (await countRows(harness.store)).sessions;
  await assertRefused(browser, withParams(callback, { state: 'forged-state-value' }), 'forged state', sessions);
  await assertRefused(browser, withParams(callback, { state: null }), 'missing state', sessions);
  // The genuine response still works afterwards: refusals did not consume it.
  const ok = await browser.request(callback);
  assert.equal(ok.status, 200);
  assert.equal((await countRows(harness.store)).sessions, sessions + 1);
});

test('a replayed callback is refused, and concurrent duplicates succeed exactly once', async () => {
  const browser = createBrowser();
  const callback = await pendingCallback(browser);
  const sessions = (await countRows(harness.store)).sessions;
  const [first, second] = await Promise.all([browser.request(callback), browser.request(callback)]);
  assert.deepEqual([first.status, second.status].sort(), [200, 400]);
  assert.equal((await countRows(harness.store)).sessions, sessions + 1);
  await assertRefused(browser, callback, 'replay', sessions + 1);
});

test('mix-up: an iss of another issuer, or a missing iss, is refused (RFC 9207)', async () => {
  const browser = createBrowser();
  const sessions = (await countRows(harness.store)).sessions;
  await assertRefused(browser, withParams(await pendingCallback(browser), { iss: 'https://attacker.example' }), 'iss mismatch', sessions);
  await assertRefused(browser, withParams(await pendingCallback(browser), { iss: null }), 'iss missing', sessions);
});

test('tokens in the callback URL are refused', async () => {
  const browser = createBrowser();
  const sessions = (await countRows(harness.store)).sessions;
  await assertRefused(browser, withParams(await pendingCallback(browser), { access_token: 'injected' }), 'access_token', sessions);
  await assertRefused(browser, withParams(await pendingCallback(browser), { id_token: 'eyJhbGciOiJub25lIn0.e30.' }), 'id_token', sessions);
});

test('an error response with a valid state gives a clear error page', async () => {
  const browser = createBrowser();
  const start = await browser.request(`${harness.appOrigin}/login`);
  const authorizationUrl = new URL(start.headers.get('location')!);
  const sessions = (await countRows(harness.store)).sessions;
  const callback = new URL(`${harness.appOrigin}/auth/callback`);
  callback.searchParams.set('error', 'access_denied');
  callback.searchParams.set('error_description', '<script>alert(1)</script>');
  callback.searchParams.set('state', authorizationUrl.searchParams.get('state')!);
  callback.searchParams.set('iss', harness.provider.issuer);
  const response = await browser.request(callback, { headers: { accept: 'text/html' } });
  assert.equal(response.status, 400);
  const html = await response.text();
  assert.match(html, /Sign-in was cancelled or access was denied/);
  assert.doesNotMatch(html, /<script>/);
  assert.equal((await countRows(harness.store)).sessions, sessions);
});

test("an injected code from another browser's transaction is refused", async () => {
  const attacker = createBrowser();
  const victim = createBrowser();
  const attackerCallback = await pendingCallback(attacker, 'mallory');
  const sessions = (await countRows(harness.store)).sessions;
  // (a) The attacker's whole response replayed into the victim's browser: the victim's binding cookie does not match.
  await victim.request(`${harness.appOrigin}/login`);
  await assertRefused(victim, attackerCallback, 'foreign transaction', sessions);
  // (b) The attacker's code spliced into the victim's own response: PKCE (and the code's binding) make the exchange fail.
  const victimCallback = await pendingCallback(victim);
  await assertRefused(victim, withParams(victimCallback, { code: attackerCallback.searchParams.get('code') }), 'spliced code', sessions);
  assert.equal(harness.provider.counts.codeGrants > 0, true);
});

/** Signs in with a raw `returnTo` query value; returns where the callback's landing page sends the browser. */
async function landingAfterLogin(browser: BrowserLike, rawQueryValue: string): Promise<string> {
  const start = await browser.request(`${harness.appOrigin}/login?returnTo=${rawQueryValue}`);
  assert.equal(start.status, 302, `login with returnTo=${rawQueryValue}`);
  const callbackUrl = await authorizeAtProvider(browser, new URL(start.headers.get('location')!), harness.appOrigin);
  const callback = await browser.request(callbackUrl);
  assert.equal(callback.headers.get('location'), null, 'no redirect from the callback itself');
  const target = await landingTarget(callback);
  assert.ok(target !== null, `landing page for returnTo=${rawQueryValue}: ${callback.status}`);
  return target;
}

test('open redirect: the audit\'s /login?returnTo=%2F..%2F%2Fevil.example lands on the app, not on evil.example', async () => {
  const browser = createBrowser();
  assert.equal(await landingAfterLogin(browser, '%2F..%2F%2Fevil.example'), `${harness.appOrigin}/`);
  assert.equal(await landingAfterLogin(browser, '%252F..%252F%252Fevil.example'), `${harness.appOrigin}/%2F..%2F%2Fevil.example`);
  assert.equal(await landingAfterLogin(browser, '%2Fdashboard%3Ftab%3Dopen'), `${harness.appOrigin}/dashboard?tab=open`);
});

test('open redirect: every value of the bypass corpus lands on the app origin after the callback', async () => {
  const browser = createBrowser();
  const outcomes = new Map<string, string>();
  for (const returnTo of redirectBypassCorpus(harness.appOrigin)) {
    const target = await landingAfterLogin(browser, encodeURIComponent(returnTo));
    const url = new URL(target);
    assert.equal(url.origin, harness.appOrigin, `returnTo ${JSON.stringify(returnTo)} → ${target}`);
    assert.equal(target, url.href, 'an absolute, already-normalised URL');
    outcomes.set(returnTo, target);
  }
  for (const [returnTo, expected] of EXPECTED_TARGETS) {
    if (outcomes.has(returnTo)) assert.equal(outcomes.get(returnTo), `${harness.appOrigin}${expected ?? '/'}`, JSON.stringify(returnTo));
  }
});

test('the proxy refuses cross-site state-changing requests and unknown upstreams', async () => {
  const browser = createBrowser();
  await logIn(browser, harness);
  const callsBefore = harness.upstream.calls.length;
  const url = `${harness.appOrigin}/api/orders/items`;
  const attempts: Array<Record<string, string>> = [
    { origin: 'https://evil.example', 'x-latchkey-csrf': '1' },
    { 'x-latchkey-csrf': '1' },
    { origin: harness.appOrigin },
    { origin: harness.appOrigin, 'x-latchkey-csrf': '0' },
    { origin: harness.appOrigin, 'x-latchkey-csrf': '1', 'sec-fetch-site': 'cross-site' },
    { origin: 'null', 'x-latchkey-csrf': '1' },
  ];
  for (const headers of attempts) {
    for (const method of ['POST', 'DELETE', 'PUT']) {
      const response = await browser.request(url, { method, headers: { ...headers, 'content-type': 'text/plain' }, body: 'x' });
      assert.equal(response.status, 403, `${method} ${JSON.stringify(headers)}`);
      assert.equal((await response.json() as { error: string }).error, 'cross_site_request');
    }
  }
  for (const path of ['/api/unknown/x', '/api/orders/..%2F..%2Fadmin', '/api/orders/%2e%2e/secret']) {
    const response = await browser.request(`${harness.appOrigin}${path}`);
    assert.equal(response.status, 404, path);
  }
  // Without a session the proxy answers 401 and calls nothing.
  const anonymous = await createBrowser().request(`${harness.appOrigin}/api/orders/items`);
  assert.equal(anonymous.status, 401);
  assert.equal(harness.upstream.calls.length, callsBefore);
});

test('the proxy passes back no upstream header that redirects the browser or sets policy for the app origin', async () => {
  const browser = createBrowser();
  await logIn(browser, harness);
  const hostile = await browser.request(`${harness.appOrigin}/api/orders/hostile-headers`, { headers: { accept: 'application/json' } });
  assert.equal(hostile.status, 302);
  for (const name of ['location', 'refresh', 'access-control-allow-origin', 'access-control-allow-credentials', 'clear-site-data', 'strict-transport-security', 'alt-svc', 'set-cookie']) {
    assert.equal(hostile.headers.get(name), null, name);
  }
  // A Location inside the upstream is the same resource through the proxy.
  const created = await browser.request(`${harness.appOrigin}/api/orders/create`, {
    method: 'POST', headers: { origin: harness.appOrigin, 'x-latchkey-csrf': '1', 'content-type': 'application/json' }, body: '{}',
  });
  assert.equal(created.status, 201);
  assert.equal(created.headers.get('location'), `${harness.appOrigin}/api/orders/items/7`);
});
