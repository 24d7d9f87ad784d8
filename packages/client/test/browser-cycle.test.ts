// The whole BFF cycle in headless Chromium: the browser only ever holds an HttpOnly opaque cookie.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from './support/test-harness.ts';
import { countRows } from './support/store-rows.ts';
import { chromiumMissing, launchChromium } from '../../../test/support/chromium.ts';


test('login, API call through the proxy and logout in headless Chromium', { timeout: 60_000 }, async (t) => {
  const missing = chromiumMissing('the BFF browser cycle');
  if (missing) {
    t.skip(missing);
    return;
  }
  const harness = await startHarness();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${harness.appOrigin}/login?returnTo=%2F`);
    await page.waitForSelector('input[name="login"]');
    assert.equal(new URL(page.url()).origin, harness.provider.issuer);
    await page.fill('input[name="login"]', 'carol');
    await page.fill('input[name="password"]', 'secret');
    await Promise.all([page.waitForURL(`${harness.appOrigin}/`), page.click('button[type="submit"]')]);
    const home = JSON.parse(await page.textContent('body') ?? '{}') as { subject: string };
    assert.equal(home.subject, 'carol');

    // HttpOnly: scripts see no session cookie; the cookie is opaque (not a JWT).
    assert.equal(await page.evaluate(() => document.cookie), '');
    const cookies = await page.context().cookies(harness.appOrigin);
    const session = cookies.find((c) => c.name === 'app_session');
    assert.ok(session);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.doesNotMatch(session.value, /^ey/);

    const result = await page.evaluate(async () => {
      const response = await fetch('/api/orders/items', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-latchkey-csrf': '1' },
        body: JSON.stringify({ sku: 'B-2' }),
      });
      return { status: response.status, body: await response.text() };
    });
    assert.equal(result.status, 200, result.body);
    const call = harness.upstream.calls.at(-1)!;
    assert.match(call.authorization ?? '', /^Bearer /);
    assert.equal(call.cookie, undefined);
    assert.equal(call.body, JSON.stringify({ sku: 'B-2' }));
    // The same request without the custom header is refused, and nothing reaches the upstream.
    const calls = harness.upstream.calls.length;
    const refused = await page.evaluate(async () => (await fetch('/api/orders/items', { method: 'POST', body: 'x' })).status);
    assert.equal(refused, 403);
    assert.equal(harness.upstream.calls.length, calls);

    // Logout with an ordinary form POST; the provider asks to confirm, then returns to the app.
    await page.evaluate(() => {
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = '/logout';
      document.body.append(form);
      form.submit();
    });
    await page.waitForURL((url) => url.origin === harness.provider.issuer);
    await Promise.all([page.waitForURL(`${harness.appOrigin}/signed-out`), page.click('button[value="yes"]')]);
    assert.equal(harness.provider.counts.revocations, 1);
    assert.equal((await countRows(harness.store)).sessions, 0);
    const after = await page.goto(`${harness.appOrigin}/`);
    assert.equal(new URL(page.url()).origin, harness.provider.issuer, 'signed out: sent to the provider again');
    assert.ok(after);
  } finally {
    await browser.close();
    await harness.close();
  }
});
