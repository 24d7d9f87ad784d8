// The account page in a real browser (playwright-core driving Debian's chromium): sign in, see the connected
// app, revoke it; afterwards the app's refresh token is refused and introspection reports its tokens inactive.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { PASSWORD, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { authorizeUrl, callbackParams, InjectBrowser, pkcePair, runAuthorization, tokenRequest } from '../helpers/authorization-flow.ts';
import { freePort } from '../helpers/latchkey-process.ts';
import { basic, form, FORM_HEADERS } from '../helpers/test-server.ts';
import { chromiumMissing, launchChromium } from '../../../../test/support/chromium.ts';

const skip = chromiumMissing('account-page browser test');
if (skip) console.log(`# SKIP account page in a browser: ${skip}`);
const SCREENSHOTS = 'test-output/account';

describe('account page in a real browser', { skip }, () => {
  let f: Fixture;
  let browser: Browser;
  let issuer: string;

  before(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    f = await startFixture({ issuer, port });
    await f.server.app.listen({ port, host: '127.0.0.1' });
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await f?.server.close();
  });

  it('signs in, shows the app, revokes it, and the app loses refresh and introspection', async () => {
    // The app obtains tokens through the code flow (its own browser session, not the one below).
    const pkce = pkcePair();
    const flow = await runAuthorization(new InjectBrowser(f.server.app), authorizeUrl({
      response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid email contacts:read', state: 'x',
      code_challenge: pkce.challenge, code_challenge_method: 'S256',
    }), { username: 'alice', password: PASSWORD });
    const tokens = (await tokenRequest(f.server.app, f.web, { grant_type: 'authorization_code', code: callbackParams(flow.response).get('code')!, redirect_uri: WEB_CALLBACK, code_verifier: pkce.verifier })).json();
    // Asked by the tokens' own client: refresh tokens are introspectable by their client only (RFC 7662 §2.2).
    const introspect = async (token: string) => (await f.server.app.inject({ method: 'POST', url: '/introspect', headers: { ...FORM_HEADERS, authorization: basic(f.web.id, f.web.secret) }, payload: form({ token }) })).json();
    assert.equal((await introspect(tokens.access_token)).active, true);

    const context = await browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    await page.goto(`${issuer}/account`);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.screenshot({ path: `${SCREENSHOTS}/1-sign-in.png` });
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Contact Importer' }).waitFor();
    assert.ok(await page.getByText('Read your contacts').isVisible());
    await page.screenshot({ path: `${SCREENSHOTS}/2-connected-apps.png` });

    await page.getByRole('button', { name: 'Revoke access for Contact Importer' }).click();
    await page.getByText('Access for Contact Importer was revoked.').waitFor();
    assert.ok(await page.getByText('No app has access to your account.').isVisible());
    await page.screenshot({ path: `${SCREENSHOTS}/3-revoked.png` });
    assert.deepEqual(violations, [], 'the pages work under their own CSP');
    await context.close();

    const refreshed = await tokenRequest(f.server.app, f.web, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    assert.equal(refreshed.statusCode, 400);
    assert.equal(refreshed.json().error, 'invalid_grant');
    assert.deepEqual(await introspect(tokens.access_token), { active: false });
    assert.deepEqual(await introspect(tokens.refresh_token), { active: false });
  });
});
