// In headless Chromium: the Strict session cookie survives the cross-site login round trip (IETF browser-based-apps
// BCP §6.1.3.2, RFC 6265bis §5.2), and no landing page the kit produces for a bypass value leaves the app (RFC 9700 §4.11.2).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createBrowser } from './support/cookie-jar-fetch.ts';
import { authorizeAtProvider, startHarness } from './support/test-harness.ts';
import { listenOnLoopback, type LoopbackServer } from './support/test-provider.ts';
import { redirectBypassCorpus } from './support/redirect-bypass-corpus.ts';
import { chromiumMissing, launchChromium } from '../../../test/support/chromium.ts';

const missing = chromiumMissing('the SameSite browser tests');
let browser: Browser;
let evilSite: LoopbackServer;

before(async () => {
  if (missing) return;
  // app.test and evil.test are other sites than the provider's 127.0.0.1, all served from loopback.
  browser = await launchChromium(['--host-resolver-rules=MAP app.test 127.0.0.1, MAP evil.test 127.0.0.1']);
  evilSite = await listenOnLoopback();
});

after(async () => {
  if (missing) return;
  await browser.close();
  await evilSite.close();
});

test('Strict session cookie: a login through a cross-site provider ends signed in; a cross-site navigation carries no session cookie', { timeout: 60_000, skip: missing }, async () => {
  const harness = await startHarness({
    appHost: 'app.test',
    fastifyRoutes: (app) => {
      app.get('/whoami', async (request) => ({ signedIn: request.latchkey.session !== null, subject: request.latchkey.session?.subject ?? null }));
    },
  });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const navigations: string[] = [];
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) navigations.push(request.url());
    });
    // The audit's returnTo, through the whole round trip in a real browser.
    await page.goto(`${harness.appOrigin}/login?returnTo=%2F..%2F%2Fevil.example`);
    await page.waitForSelector('input[name="login"]');
    assert.equal(new URL(page.url()).origin, harness.provider.issuer);
    await page.fill('input[name="login"]', 'carol');
    await page.fill('input[name="password"]', 'secret');
    // Provider → callback (cross-site) → landing page → meta refresh (same-site) → / (requireLogin lets carol in).
    await Promise.all([page.waitForURL(`${harness.appOrigin}/`), page.click('button[type="submit"]')]);
    assert.equal((JSON.parse(await page.textContent('body') ?? '{}') as { subject: string }).subject, 'carol');
    const origins = new Set(navigations.map((url) => new URL(url).origin));
    assert.deepEqual([...origins].sort(), [harness.appOrigin, harness.provider.issuer].sort(), navigations.join('\n'));
    assert.equal(navigations.filter((url) => url === `${harness.appOrigin}/`).length, 1, 'the landing page navigates once');

    const [session] = (await context.cookies(harness.appOrigin)).filter((c) => c.name === 'app_session');
    assert.ok(session);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(session.httpOnly, true);
    const [transaction] = (await context.cookies(harness.appOrigin)).filter((c) => c.name === 'app_login');
    assert.equal(transaction?.sameSite, 'Lax');

    // Same-site: the session cookie is sent.
    await page.goto(`${harness.appOrigin}/whoami`);
    assert.deepEqual(JSON.parse(await page.textContent('body') ?? '{}'), { signedIn: true, subject: 'carol' });
    // Cross-site top-level navigation (a link on another site): the session cookie stays behind.
    evilSite.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<a id="go" href="${harness.appOrigin}/whoami">free prizes</a>`);
    });
    await page.goto(`http://evil.test:${new URL(evilSite.origin).port}/`);
    await Promise.all([page.waitForURL(`${harness.appOrigin}/whoami`), page.click('#go')]);
    assert.deepEqual(JSON.parse(await page.textContent('body') ?? '{}'), { signedIn: false, subject: null });
    // A cross-site form POST to the proxy carries no session either (and the CSRF check would refuse it anyway).
    const calls = harness.upstream.calls.length;
    evilSite.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<form id="f" method="post" action="${harness.appOrigin}/api/orders/items"><input name="x" value="1"></form>`);
    });
    await page.goto(`http://evil.test:${new URL(evilSite.origin).port}/`);
    const [refused] = await Promise.all([page.waitForResponse(`${harness.appOrigin}/api/orders/items`), page.evaluate(() => (document.getElementById('f') as HTMLFormElement).submit())]);
    assert.equal(refused.status(), 403);
    assert.equal(harness.upstream.calls.length, calls);
    await context.close();
  } finally {
    await harness.close();
  }
});

test('open redirect in Chromium: every landing page the kit produced for the bypass corpus navigates within the app origin', { timeout: 120_000, skip: missing }, async () => {
  const landings = new Map<number, { body: string; headers: Record<string, string>; returnTo: string }>();
  const harness = await startHarness({
    fastifyRoutes: (app) => {
      // Replays, byte for byte, what the kit's callback answered for corpus entry :n.
      app.get('/replayed-landing/:n', async (request, reply) => {
        const landing = landings.get(Number((request.params as { n: string }).n));
        if (!landing) return reply.code(404).send();
        return reply.code(200).headers(landing.headers).send(landing.body);
      });
    },
  });
  try {
    const corpus = redirectBypassCorpus(harness.appOrigin);
    const http = createBrowser();
    const seen = new Set<string>();
    for (const [n, returnTo] of corpus.entries()) {
      const start = await http.request(`${harness.appOrigin}/login?returnTo=${encodeURIComponent(returnTo)}`);
      const callback = await http.request(await authorizeAtProvider(http, new URL(start.headers.get('location')!), harness.appOrigin));
      assert.equal(callback.status, 200);
      const headers: Record<string, string> = {};
      for (const [name, value] of callback.headers) if (name !== 'set-cookie' && name !== 'content-length') headers[name] = value;
      const body = await callback.text();
      // Identical pages need one visit (many values fall back to the same target).
      if (seen.has(body)) continue;
      seen.add(body);
      landings.set(n, { body, headers, returnTo });
    }
    assert.ok(landings.size > 20, `${landings.size} distinct landing pages`);
    const context = await browser.newContext();
    const page = await context.newPage();
    // Wherever a landing page sends the browser, that request is answered here, so nothing navigates any further.
    await page.route('**/*', (route) => (route.request().url().includes('/replayed-landing/')
      ? route.continue()
      : route.fulfill({ status: 200, contentType: 'text/plain', body: 'arrived' })));
    for (const [n, { returnTo }] of landings) {
      const landingUrl = `${harness.appOrigin}/replayed-landing/${n}`;
      const next = page.waitForRequest((request) => request.isNavigationRequest() && request.url() !== landingUrl, { timeout: 10_000 });
      await page.goto(landingUrl, { waitUntil: 'commit' });
      const request = await next;
      const target = new URL(request.url());
      assert.equal(target.origin, harness.appOrigin, `returnTo ${JSON.stringify(returnTo)} navigated to ${target.href}`);
      // Let the refresh navigation commit before the next visit (a request URL has no fragment; the page URL may).
      await page.waitForURL((url) => url.href.split('#')[0] === target.href, { waitUntil: 'commit' });
    }
    await context.close();
  } finally {
    await harness.close();
  }
});
