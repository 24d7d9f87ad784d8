// The demo's story (issue #6, steps 1-6) in headless Chromium against the real server, Contacts API and Contacts
// Importer on localhost, with a screenshot of every step under test-output/demo/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { runSync } from '../sync-job/run-sync.ts';
import { inDemoBrowser, shot } from './support/demo-browser.ts';
import type { DemoHarness } from './support/demo-harness.ts';

/** A JWT anywhere in what the browser receives would mean a token leaked to the front end. */
const JWT = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+/;

/** The titles of the "How this worked" steps, in order. */
async function flowSteps(page: Page): Promise<string[]> {
  return page.locator('#how ~ ol.steps > li .step-title').allTextContents();
}

function indexOfStep(steps: string[], pattern: RegExp): number {
  const index = steps.findIndex((step) => pattern.test(step));
  assert.notEqual(index, -1, `no step matching ${pattern} in:\n${steps.join('\n')}`);
  return index;
}

test('the demo story in a browser: connect, consent, contacts, incremental consent, revocation, machine-to-machine, sign-out', { timeout: 120_000 }, async (t) => {
  await inDemoBrowser(t, 'the browser walk-through', {}, async (demo, page, context) => {
    const importerBodies: string[] = [];
    const importerPolicies: string[] = [];
    page.on('response', async (response) => {
      if (response.url().startsWith(demo.importerUrl) && (response.headers()['content-type'] ?? '').includes('text/html')) {
        importerPolicies.push(response.headers()['content-security-policy'] ?? '(none)');
        importerBodies.push(await response.text().catch(() => ''));
      }
    });
    const { username, password } = demo.state.user;

    await t.test('the server\'s start page explains what runs and links to discovery, the account page and the demo', async () => {
      await page.goto(`${demo.issuer}/`);
      const links = await page.locator('a').evaluateAll((anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
      assert.ok(links.some((href) => href.includes('/.well-known/openid-configuration')), links.join(' '));
      assert.ok(links.some((href) => href.endsWith('/account')), links.join(' '));
      assert.ok(links.includes(`${demo.importerUrl}/`), links.join(' '));
      assert.ok(links.includes(`${demo.apiUrl}/`), links.join(' '));
      await shot(page, '00-server-start-page');
    });

    await t.test('1. "Connect your contacts" leads to the server\'s login page; the password is typed there', async () => {
      await page.goto(`${demo.importerUrl}/`);
      // Keyboard users meet the skip link, then the one thing to do.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Connect your contacts');
      await shot(page, '00-importer-start');
      await page.getByRole('link', { name: 'Connect your contacts' }).click();
      await page.getByLabel('Username').waitFor();
      assert.equal(new URL(page.url()).origin, demo.issuer, 'the login page is the server\'s');
      const action = await page.locator('form').first().getAttribute('action');
      assert.equal(new URL(action!, page.url()).origin, demo.issuer, 'the password is posted to the server, not the importer');
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await shot(page, '01-login-at-server');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    });

    await t.test('2. the consent screen names the app and what it wants; the user allows', async () => {
      await page.getByRole('button', { name: 'Allow' }).waitFor();
      assert.equal(new URL(page.url()).origin, demo.issuer);
      const text = await page.locator('body').innerText();
      assert.match(text, /Contacts Importer/);
      const asked = await page.locator('ul li').allTextContents();
      assert.ok(asked.includes('read your contacts'), asked.join('; '));
      assert.ok(asked.includes('see your email address'), asked.join('; '));
      assert.ok(!asked.some((a) => a.startsWith('know who you are')), 'signing in already identifies the user');
      await shot(page, '02-consent');
      await page.getByRole('button', { name: 'Allow' }).click();
    });

    await t.test('3. back at the importer, the contacts appear, fetched by its backend; the flow is explained, tokens redacted', async () => {
      await page.waitForURL(`${demo.importerUrl}/`);
      await page.getByRole('heading', { name: 'Your contacts' }).waitFor();
      const table = await page.locator('table').innerText();
      for (const name of ['Ada Lovelace', 'Grace Hopper', 'Alan Turing']) assert.match(table, new RegExp(name));
      assert.match(await page.locator('body').innerText(), /demo@example\.com/);
      const steps = await flowSteps(page);
      const order = [/sent your browser to the authorization server/, /back to the importer with a one-time code/, /exchanged the code for tokens/, /called the Contacts API/]
        .map((pattern) => indexOfStep(steps, pattern));
      assert.deepEqual(order, [...order].sort((a, b) => a - b), `steps out of order:\n${steps.join('\n')}`);
      assert.match(await page.locator('#how ~ ol.steps').innerText(), /redacted/);
      // The browser holds only an opaque HttpOnly cookie; no page it received carries a token.
      assert.equal(await page.evaluate(() => document.cookie), '');
      const session = (await context.cookies(demo.importerUrl)).find((c) => c.name === 'app_session');
      assert.ok(session?.httpOnly);
      assert.doesNotMatch(session.value, /^eyJ/);
      for (const body of importerBodies) assert.doesNotMatch(body, JWT);
      // Strict CSP on every page: nothing but the hashed stylesheet; no scripts, no external assets.
      assert.ok(importerPolicies.length > 0);
      for (const policy of importerPolicies) {
        // The importer's pages, or the kit's sign-in landing page (no style, no form at all).
        if (policy === "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'") continue;
        assert.match(policy, /^default-src 'none'; style-src 'sha256-[^']+'; form-action 'self' http:\/\/localhost:\d+; frame-ancestors 'none'; base-uri 'none'$/);
      }
      assert.ok(demo.lines.some((line) => /contacts-api: GET \/contacts · user demo .* via Contacts Importer .*→ 200/.test(line)), demo.lines.join('\n'));
      await shot(page, '03-contacts-and-how-it-worked');
    });

    await t.test('4. "Add a contact" asks for just contacts:write (incremental consent), then succeeds', async () => {
      await page.getByRole('link', { name: 'Add a contact' }).click();
      await page.getByRole('button', { name: 'Allow' }).waitFor();
      assert.equal(new URL(page.url()).origin, demo.issuer, 'no password this time: straight to consent');
      assert.deepEqual(await page.locator('ul li').allTextContents(), ['add contacts'], 'only the new permission is asked for');
      await shot(page, '04a-consent-for-add-contacts');
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.getByLabel('Name').waitFor();
      assert.equal(new URL(page.url()).href, `${demo.importerUrl}/contacts/new`);
      await page.getByLabel('Name').fill('Mary Jackson');
      await page.getByLabel('Email').fill('mary@example.com');
      await page.getByRole('button', { name: 'Add contact' }).click();
      await page.getByText('Contact added').waitFor();
      // Read and write both work with the new token.
      assert.match(await page.locator('table').innerText(), /Mary Jackson/);
      assert.match(await page.locator('body').innerText(), /contacts:write/);
      assert.ok(demo.lines.some((line) => /POST \/contacts · user demo .*contacts:write.*→ 201/.test(line)), demo.lines.join('\n'));
      for (const body of importerBodies) assert.doesNotMatch(body, JWT);
      await shot(page, '04-contact-added');
    });

    await t.test('5. after the user revokes the importer on the server\'s account page, the importer says "access was revoked — reconnect"', async () => {
      await revokeImporter(page, demo);
      await page.goto(`${demo.importerUrl}/`);
      await page.getByRole('heading', { name: 'Access was revoked — reconnect' }).waitFor();
      assert.equal(await page.getByRole('link', { name: 'Reconnect' }).count(), 1);
      assert.ok(demo.lines.some((line) => /GET \/contacts · .*→ 401 invalid_token/.test(line)), demo.lines.join('\n'));
      await shot(page, '05-access-revoked');
    });

    await t.test('error page: choosing "Deny" is explained, with the way back', async () => {
      const other = await (await context.browser()!.newContext()).newPage();
      await other.goto(`${demo.importerUrl}/connect`);
      await other.getByLabel('Username').fill(username);
      await other.getByLabel('Password', { exact: true }).fill(password);
      await other.getByRole('button', { name: 'Sign in', exact: true }).click();
      await other.getByRole('button', { name: 'Deny' }).click();
      await other.getByRole('heading', { name: 'You did not allow access' }).waitFor();
      assert.equal(new URL(other.url()).origin, demo.importerUrl);
      assert.match(await other.locator('main').innerText(), /What to do: Nothing to fix/);
      assert.equal(await other.getByRole('link', { name: 'Connect your contacts' }).count(), 1);
      await shot(other, '07-error-page-after-deny');
      await other.context().close();
    });

    await t.test('after revocation, "Reconnect" asks for consent again and brings the contacts back', async () => {
      await page.goto(`${demo.importerUrl}/`);
      await page.getByRole('link', { name: 'Reconnect' }).click();
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL(`${demo.importerUrl}/`);
      assert.match(await page.locator('table').innerText(), /Ada Lovelace/);
    });

    await t.test('6. npm run demo:sync: client credentials, and the API logs the client acting as itself', async () => {
      const output: string[] = [];
      const result = await runSync(demo.state, (line) => void output.push(line));
      assert.equal(result.summary.caller.kind, 'client');
      assert.equal(result.summary.caller.clientId, demo.state.sync.clientId);
      assert.equal(result.tokenScope, 'contacts:read');
      assert.ok(!output.join('\n').includes(demo.state.sync.clientSecret), 'the job never prints its secret');
      assert.ok(demo.lines.some((line) => /GET \/contacts\/summary · client Nightly contacts sync .* acting as itself · scope "contacts:read" → 200/.test(line)), demo.lines.join('\n'));
      await page.goto(`${demo.apiUrl}/`);
      await page.getByRole('heading', { name: 'Recent calls' }).waitFor();
      assert.match(await page.locator('table').last().innerText(), /acting as itself/);
      await shot(page, '06-api-log-with-sync-job');
    });

    await t.test('"Disconnect" revokes the importer\'s tokens at the server, forgets the session and signs out of the server (end_session_endpoint)', async () => {
      await page.goto(`${demo.importerUrl}/`);
      await page.getByRole('button', { name: 'Disconnect' }).click();
      await page.getByText('Disconnected').waitFor();
      assert.equal(await page.getByRole('link', { name: 'Connect your contacts' }).count(), 1);
      assert.match(await page.locator('#how ~ ol.steps').innerText(), /told the server to revoke its tokens/);
      assert.equal((await context.cookies(demo.importerUrl)).find((c) => c.name === 'app_session'), undefined);
      await shot(page, '08-disconnected');
      await page.goto(`${demo.issuer}/account`);
      await page.getByLabel('Password').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Sign in', exact: true }).count(), 1, 'the server session ended too');
    });

    await t.test('connecting again asks for the password; "Sign out everywhere" on the account page ends the importer\'s session (back-channel logout)', async () => {
      await page.goto(`${demo.importerUrl}/`);
      await page.getByRole('link', { name: 'Connect your contacts' }).click();
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL(`${demo.importerUrl}/`);
      await page.getByRole('heading', { name: 'Your contacts' }).waitFor();
      await page.goto(`${demo.issuer}/account`);
      await page.getByRole('heading', { name: 'Where you are signed in' }).waitFor();
      await shot(page, '09-account-sessions');
      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await page.getByLabel('Password').waitFor();
      // The server POSTed a logout token to the importer: its session is gone without the user touching it.
      for (;;) {
        await page.goto(`${demo.importerUrl}/`);
        if (await page.getByRole('link', { name: 'Connect your contacts' }).count() === 1) break;
        await page.waitForTimeout(100);
      }
      await shot(page, '10-signed-out-everywhere');
    });
  });
});

/** Revokes the importer's access the way a user does: "Revoke access" on the server's /account page. */
async function revokeImporter(page: Page, demo: DemoHarness): Promise<void> {
  await page.goto(`${demo.issuer}/account`);
  if (await page.getByLabel('Password', { exact: true }).count() > 0) {
    await page.getByLabel('Username').fill(demo.state.user.username);
    await page.getByLabel('Password', { exact: true }).fill(demo.state.user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }
  await page.getByText('Contacts Importer').first().waitFor();
  await shot(page, '05a-account-page');
  const buttons = page.getByRole('button', { name: /revoke access/i });
  const target = (await buttons.count()) === 1 ? buttons
    : page.locator('li, tr, article, section, form').filter({ hasText: 'Contacts Importer' }).getByRole('button', { name: /revoke access/i }).last();
  await target.click();
  await page.waitForLoadState('load');
}
