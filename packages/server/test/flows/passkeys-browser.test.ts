// Passkeys in a real browser: chromium (playwright-core) with a virtual authenticator from the DevTools protocol's
// WebAuthn domain (CTAP2, internal transport, resident keys, user verification). A user adds a passkey on the account
// page, signs out, signs in with it through the button and through autofill (conditional mediation), signs in to an
// app with it (the ID token says so), and removes it. The pages run under their own CSP (violations are collected).
// The issuer is http://localhost:<port>: a secure context whose host is a valid RP ID.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { PASSWORD, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { authorizeUrl, decodeJwt, pkcePair, tokenRequest } from '../helpers/authorization-flow.ts';
import { freePort } from '../helpers/latchkey-process.ts';
import { addClient } from '../helpers/test-server.ts';
import { base32Decode, hotp, timeStep } from '../../src/accounts/totp.ts';
import { chromiumMissing, launchChromium } from '../../../../test/support/chromium.ts';

const SCREENSHOTS = 'test-output/pages';
/** Desktop, and the narrowest phone the pages must fit without sideways scrolling (WCAG 2.2 §1.4.10 reflow). */
const WIDTHS = { desktop: { width: 1280, height: 860 }, phone: { width: 320, height: 640 } } as const;
const skip = chromiumMissing('passkey browser test');
if (skip) console.log(`# SKIP passkeys in a browser: ${skip}`);

describe('passkeys in a real browser', { skip }, () => {
  let f: Fixture;
  let browser: Browser;
  let issuer: string;

  before(async () => {
    const port = await freePort();
    issuer = `http://localhost:${port}`;
    f = await startFixture({ issuer, port });
    f.clock.now = Math.floor(Date.now() / 1000);
    await f.server.app.listen({ port, host: '127.0.0.1' });
    browser = await launchChromium(['--host-resolver-rules=MAP localhost 127.0.0.1']);
  });
  after(async () => {
    await browser?.close();
    await f?.server.close();
  });

  /** A page with a virtual platform authenticator that verifies the user (as a fingerprint or PIN would). */
  async function withAuthenticator(context: BrowserContext): Promise<{ page: Page; cdp: CDPSession; authenticatorId: string; violations: string[] }> {
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text()); });
    await page.addInitScript(() => {
      if (localStorage.getItem('no-autofill')) PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    return { page, cdp, authenticatorId, violations };
  }

  /** Makes the page's browser report no conditional mediation (a browser without passkey autofill), or support again. */
  async function withoutAutofill(page: Page, off: boolean): Promise<void> {
    await page.evaluate((value) => (value ? localStorage.setItem('no-autofill', '1') : localStorage.removeItem('no-autofill')), off);
  }

  /** Opens an authorization request of `clientId`; the app's callback (WEB_CALLBACK) is answered by the test. */
  async function startAuthorization(page: Page, clientId: string, scope: string): Promise<{ pkce: { verifier: string }; callback: () => URL | undefined }> {
    let callback: URL | undefined;
    await page.unroute('https://app.example/**');
    await page.route('https://app.example/**', (route) => {
      callback = new URL(route.request().url());
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<p>back at the app</p>' });
    });
    const pkce = pkcePair();
    await page.goto(`${issuer}${authorizeUrl({
      response_type: 'code', client_id: clientId, redirect_uri: WEB_CALLBACK, scope, state: 'st', code_challenge: pkce.challenge, code_challenge_method: 'S256',
    })}`);
    return { pkce, callback: () => callback };
  }

  async function signInWithPassword(page: Page): Promise<void> {
    await page.goto(`${issuer}/account`);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('Signed in as').waitFor();
  }

  async function signOut(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  }

  it('adds a passkey, signs out, signs in with the button and with autofill, signs in to an app, removes it', async () => {
    const context = await browser.newContext();
    const { page, cdp, authenticatorId, violations } = await withAuthenticator(context);

    await signInWithPassword(page);
    await page.getByLabel('Name for a new passkey').fill('Test laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('Your passkey was added.').waitFor();
    assert.ok(await page.getByRole('heading', { name: 'Test laptop' }).isVisible());
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1);
    assert.equal(credentials[0]!.isResidentCredential, true, 'a discoverable credential');
    assert.equal(credentials[0]!.rpId, 'localhost', 'RP ID = the issuer host');
    const stored = await f.server.store.listPasskeys(f.userId);
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.id, credentials[0]!.credentialId.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));

    // The button: a modal passkey request, no password.
    // (The virtual authenticator answers a conditional request at once, as a user picking the passkey from the
    // autofill list would; so the button is tried in a browser that reports no autofill support.)
    await withoutAutofill(page, true);
    await signOut(page);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByText('Signed in as').waitFor();
    assert.match(await page.locator('main').innerText(), /Test laptop[\s\S]*last used/);

    // Autofill: the login page's conditional request is answered when the user picks the passkey in the username field
    // (the virtual authenticator picks it for them).
    await withoutAutofill(page, false);
    await signOut(page);
    await page.getByText('Signed in as').waitFor({ timeout: 15_000 });
    const sessions = await f.server.store.db.selectFrom('audit_events').select('detail').where('type', '=', 'login.succeeded').execute();
    assert.equal(sessions.filter((s) => String(s.detail).includes('"method":"passkey"')).length, 2, 'both sign-ins used the passkey');

    // An app: its login page, the passkey button, consent, the code; the ID token says how.
    await withoutAutofill(page, true);
    await signOut(page);
    const app = await startAuthorization(page, f.web.id, 'openid contacts:read');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByText('back at the app').waitFor();
    const tokens = await tokenRequest(f.server.app, f.web, { grant_type: 'authorization_code', code: app.callback()!.searchParams.get('code')!, redirect_uri: WEB_CALLBACK, code_verifier: app.pkce.verifier });
    const { payload } = decodeJwt(tokens.json().id_token);
    assert.deepEqual(payload.amr, ['hwk', 'user', 'mfa']);
    assert.equal(payload.acr, 'urn:latchkey:acr:mfa');

    // Remove it (the sign-in is recent): the authenticator still has the key, the server no longer accepts it.
    await page.goto(`${issuer}/account`);
    await page.getByRole('button', { name: 'Remove passkey Test laptop' }).click();
    await page.getByText('The passkey was removed.').waitFor();
    assert.equal((await f.server.store.listPasskeys(f.userId)).length, 0);
    await signOut(page);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByText('This passkey is not registered here').waitFor();
    assert.deepEqual(violations, [], 'the pages work under their own CSP');
    await context.close();
  });

  /** Screenshots of the page at both widths, and at 320 px nothing scrolls sideways. */
  async function capture(page: Page, name: string): Promise<void> {
    for (const [label, size] of Object.entries(WIDTHS)) {
      await page.setViewportSize(size);
      await page.screenshot({ path: `${SCREENSHOTS}/${name}-${label}.png`, fullPage: true });
      if (label === 'phone') {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${name} fits 320 px (overflow ${overflow}px)`);
      }
    }
    await page.setViewportSize(WIDTHS.desktop);
  }

  it('steps up a password session for a client that requires a second factor; every page at desktop and phone widths', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const strict = await addClient(f.server, { name: 'Payroll', redirectUris: [WEB_CALLBACK], scope: 'openid profile contacts:read', requireMfa: true });
    const context = await browser.newContext({ viewport: WIDTHS.desktop });
    const { page, violations } = await withAuthenticator(context);
    await page.goto(`${issuer}/`);
    await capture(page, 'home');
    await withoutAutofill(page, true);
    await page.goto(`${issuer}/account`);
    await capture(page, 'account-sign-in');
    await signInWithPassword(page);
    await page.getByLabel('Name for a new passkey').fill('Phone');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('Your passkey was added.').waitFor();
    await capture(page, 'account');

    // A password session, then an app that requires a second factor: the same user confirms with the passkey.
    await signOut(page);
    await signInWithPassword(page);
    const app = await startAuthorization(page, strict.id, 'openid profile contacts:read');
    await page.getByRole('heading', { name: "Confirm it's you" }).waitFor();
    assert.match(await page.locator('main').innerText(), /Payroll asks for a stronger sign-in/);
    await capture(page, 'second-factor');
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    await capture(page, 'consent');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByText('back at the app').waitFor();
    const tokens = await tokenRequest(f.server.app, { id: strict.id, secret: strict.secret }, { grant_type: 'authorization_code', code: app.callback()!.searchParams.get('code')!, redirect_uri: WEB_CALLBACK, code_verifier: app.pkce.verifier });
    const { payload } = decodeJwt(tokens.json().id_token);
    assert.equal(payload.acr, 'urn:latchkey:acr:mfa');
    assert.deepEqual(payload.amr, ['hwk', 'user', 'mfa']);

    // The app's login page (before anyone signed in) and an error page.
    await signOutAt(page);
    await startAuthorization(page, f.web.id, 'openid');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
    await capture(page, 'login');
    await page.goto(`${issuer}/authorize?client_id=unknown-app`);
    await capture(page, 'error');

    // The authenticator app: set up from the QR page (the key read off the page, as a person would type it), recovery
    // codes shown once; then the account page's password sign-in asks for a code.
    await page.goto(`${issuer}/account`);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    await capture(page, 'account-authenticator-setup');
    const key = (await page.locator('.secret').innerText()).replace(/\s/g, '');
    await page.getByLabel('Code from the app').fill(hotp(base32Decode(key), timeStep(f.clock.now)));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('list', { name: 'Recovery codes' }).waitFor();
    assert.equal(await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count(), 10);
    await capture(page, 'account-recovery-codes');
    await signOut(page);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('Code from your authenticator app, or a recovery code').waitFor();
    await capture(page, 'second-factor-code');
    // The code used to turn the app on is spent; the app's next code (one step ahead is accepted) signs in.
    await page.getByLabel('Code from your authenticator app, or a recovery code').fill(hotp(base32Decode(key), timeStep(f.clock.now) + 1));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Signed in as').waitFor();
    assert.deepEqual(violations, [], 'the pages work under their own CSP');
    await context.close();
  });

  async function signOutAt(page: Page): Promise<void> {
    await page.goto(`${issuer}/account`);
    await signOut(page);
  }
});
