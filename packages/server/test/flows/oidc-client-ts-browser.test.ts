// End to end with an independent single-page-app library: oidc-client-ts (its browser build) runs in chromium as an
// SPA served from its own origin (http://localhost:<port>, another site than the issuer's 127.0.0.1), registered as a
// public client. Its UserManager discovers the issuer, signs in by redirect (code + PKCE S256) through the real login
// and consent pages, exchanges the code and loads UserInfo by fetch from its origin (the CORS of /token and
// /userinfo), then signs out through end_session_endpoint with id_token_hint, post_logout_redirect_uri and state
// (revoking its tokens on the way: /revoke's CORS). Afterwards prompt=none gets login_required and a sign-in asks for
// the password again. The attacker's side: a sign-out asking to return to a URI the client did not register stops at
// an error page at the issuer.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { PASSWORD } from '../helpers/authorization-fixtures.ts';
import { freePort } from '../helpers/latchkey-process.ts';
import { addClient, addTestUser, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { chromiumMissing, launchChromium } from '../../../../test/support/chromium.ts';

const skip = chromiumMissing('oidc-client-ts browser flow');
if (skip) console.log(`# SKIP oidc-client-ts browser flow: ${skip}`);

const SPA_FILES = join(dirname(fileURLToPath(import.meta.url)), 'oidc-client-ts-spa');
const LIBRARY = join(dirname(fileURLToPath(import.meta.resolve('oidc-client-ts/package.json'))), 'dist/browser/oidc-client-ts.min.js');

let server: TestServer;
let spaServer: Server;
let browser: Browser | undefined;
let issuer: string;
let spaOrigin: string;
let userId: string;

/** The SPA's static host: the library, the app script, its configuration, and index.html for every other path. */
function startSpaHost(config: { authority: string; clientId: string }): Server {
  const files: Record<string, { type: string; body: string }> = {
    '/oidc-client-ts.min.js': { type: 'text/javascript', body: readFileSync(LIBRARY, 'utf8') },
    '/spa.js': { type: 'text/javascript', body: readFileSync(join(SPA_FILES, 'spa.js'), 'utf8') },
    '/config.js': { type: 'text/javascript', body: `window.SPA_CONFIG = ${JSON.stringify(config)};` },
  };
  const index = readFileSync(join(SPA_FILES, 'index.html'), 'utf8');
  return createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', spaOrigin).pathname] ?? { type: 'text/html; charset=utf-8', body: index };
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
}

before(async () => {
  if (skip) return;
  const [asPort, spaPort] = [await freePort(), await freePort()];
  issuer = `http://127.0.0.1:${asPort}`;
  spaOrigin = `http://localhost:${spaPort}`;
  server = await startTestServer({ issuer, port: asPort });
  await server.app.listen({ port: asPort, host: '127.0.0.1' });
  // UserInfo only: the name and email the SPA shows can only have come from its cross-origin /userinfo call.
  const spa = await addClient(server, {
    name: 'oidc-client-ts SPA', isPublic: true, scope: 'openid profile email', userinfoOnlyClaims: true,
    redirectUris: [`${spaOrigin}/callback`], postLogoutRedirectUris: [`${spaOrigin}/signed-out`],
  });
  userId = (await addTestUser(server, 'alice', PASSWORD, { email: 'alice@example.com', emailVerified: true, name: 'Alice Example' })).id;
  spaServer = startSpaHost({ authority: issuer, clientId: spa.id });
  await new Promise<void>((resolve) => spaServer.listen(spaPort, '127.0.0.1', resolve));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (spaServer ? spaServer.close(() => resolve()) : resolve()));
  await server?.close();
});

interface Observed {
  page: Page;
  /** Console messages about CSP or CORS refusals (none expected). */
  refusals: string[];
  /** The SPA's fetches to the issuer: method, path, status and the Access-Control-Allow-Origin it got. */
  calls: { method: string; path: string; status: number; allowOrigin: string | undefined }[];
  /** Every URL the browser requested. */
  requested: string[];
}

async function newPage(): Promise<Observed> {
  const context = await browser!.newContext();
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const observed: Observed = { page, refusals: [], calls: [], requested: [] };
  page.on('console', (message) => {
    if (/Content.Security.Policy|Refused to|CORS/i.test(message.text())) observed.refusals.push(message.text());
  });
  page.on('request', (request) => observed.requested.push(request.url()));
  page.on('response', (response) => {
    const request = response.request();
    if (!['fetch', 'xhr'].includes(request.resourceType()) || !response.url().startsWith(issuer)) return;
    observed.calls.push({ method: request.method(), path: new URL(response.url()).pathname, status: response.status(), allowOrigin: response.headers()['access-control-allow-origin'] });
  });
  return observed;
}

/** Loads the SPA's home page and waits until its script is ready. */
async function openSpa(page: Page): Promise<void> {
  await page.goto(`${spaOrigin}/`);
  assert.equal(await result(page), 'ready');
}

/** What the SPA shows once it has finished (JSON or 'ready'). */
async function result(page: Page): Promise<unknown> {
  await page.waitForFunction(() => document.getElementById('result')?.textContent !== 'working');
  return JSON.parse((await page.locator('#result').textContent())!);
}

/** Calls window.spa.signIn / signOut (they navigate away, so the promise may never settle in the page). */
async function callSpa(page: Page, method: 'signIn' | 'signOut', args: Record<string, string> = {}): Promise<void> {
  await page.evaluate(({ method, args }) => {
    void (window as unknown as { spa: Record<string, (a: unknown) => Promise<void>> }).spa[method]!(args);
  }, { method, args });
}

async function fillLoginPage(page: Page): Promise<void> {
  await page.waitForURL(`${issuer}/interaction/**`);
  assert.equal(await page.title(), 'Sign in · Latchkey');
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

interface SignedIn {
  profile: Record<string, unknown>;
  idToken: Record<string, unknown>;
  idTokenJwt: string;
  scope: string;
}

/** signinRedirect → login page → consent (Allow) → signinRedirectCallback; returns what the SPA shows. */
async function signInWithPassword(page: Page, args: Record<string, string> = {}): Promise<SignedIn> {
  await openSpa(page);
  await callSpa(page, 'signIn', args);
  await fillLoginPage(page);
  await page.getByText('oidc-client-ts SPA').first().waitFor();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(`${spaOrigin}/callback?**`);
  return await result(page) as SignedIn;
}

describe('oidc-client-ts (a single-page app in chromium) as the relying party', { skip }, () => {
  it('signs in with code + PKCE, loads UserInfo across origins, signs out through end_session_endpoint, and the next sign-in asks for the password', async () => {
    const { page, refusals, calls, requested } = await newPage();
    const signedIn = await signInWithPassword(page);
    // What the library sent: the code flow with PKCE S256, no secret anywhere.
    const authorize = new URL(requested.find((url) => url.startsWith(`${issuer}/authorize?`))!);
    assert.equal(authorize.searchParams.get('response_type'), 'code');
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorize.searchParams.get('scope'), 'openid profile email');
    assert.equal(signedIn.scope, 'openid profile email');
    assert.equal(signedIn.profile.sub, userId);
    assert.equal(signedIn.profile.name, 'Alice Example');
    assert.equal(signedIn.profile.email, 'alice@example.com');
    assert.equal(signedIn.profile.email_verified, true);
    assert.equal(signedIn.idToken.iss, issuer);
    assert.equal(typeof signedIn.idToken.sid, 'string', 'the ID token names the session');
    assert.equal(signedIn.idToken.name, undefined, 'userinfo-only client: the name came from /userinfo');
    assert.ok(calls.some((c) => c.method === 'POST' && c.path === '/token' && c.status === 200 && c.allowOrigin === spaOrigin), JSON.stringify(calls));
    assert.ok(calls.some((c) => c.method === 'GET' && c.path === '/userinfo' && c.status === 200 && c.allowOrigin === spaOrigin), JSON.stringify(calls));

    // Single sign-on before the sign-out: prompt=none goes straight back with a code (so the check below can fail).
    await openSpa(page);
    await callSpa(page, 'signIn', { prompt: 'none' });
    await page.waitForURL(`${spaOrigin}/callback?**`);
    const silent = await result(page) as SignedIn;
    assert.equal(silent.idToken.sid, signedIn.idToken.sid);

    // signoutRedirect: end_session_endpoint with id_token_hint, client's post_logout_redirect_uri and state.
    await openSpa(page);
    const endSession = page.waitForRequest(`${issuer}/session/end?**`);
    await callSpa(page, 'signOut', { state: 'see you' });
    const endSessionUrl = new URL((await endSession).url());
    assert.ok(endSessionUrl.searchParams.get('id_token_hint'));
    assert.equal(endSessionUrl.searchParams.get('post_logout_redirect_uri'), `${spaOrigin}/signed-out`);
    await page.waitForURL(`${spaOrigin}/signed-out?state=**`);
    assert.deepEqual(await result(page), { signedOut: true, userState: 'see you', user: null });
    assert.ok(calls.some((c) => c.method === 'POST' && c.path === '/revoke' && c.status === 200 && c.allowOrigin === spaOrigin), JSON.stringify(calls));

    // The server session is over: prompt=none gets login_required ...
    await openSpa(page);
    await callSpa(page, 'signIn', { prompt: 'none' });
    await page.waitForURL(`${spaOrigin}/callback?**`);
    assert.equal((await result(page) as { error: string }).error, 'login_required');
    // ... and signing in again shows the login page (consent is remembered), with a new session.
    await openSpa(page);
    await callSpa(page, 'signIn');
    await fillLoginPage(page);
    await page.waitForURL(`${spaOrigin}/callback?**`);
    const again = await result(page) as SignedIn;
    assert.equal(again.profile.sub, userId);
    assert.notEqual(again.idToken.sid, signedIn.idToken.sid, 'a new session');
    assert.deepEqual(refusals, []);
    await page.context().close();
  });

  it('a signoutRedirect to an unregistered or query-altered post_logout_redirect_uri stops at an error page at the issuer', async () => {
    const { page, requested } = await newPage();
    const signedIn = await signInWithPassword(page, { prompt: 'consent' });
    assert.equal(signedIn.profile.sub, userId);
    const evilPort = await freePort();
    for (const target of [`http://127.0.0.1:${evilPort}/signed-out`, `${spaOrigin}/signed-out?next=https://evil.example`]) {
      await openSpa(page);
      // The current session's own valid hint (the library forgets its user before leaving, so it is passed again).
      const refused = page.waitForResponse((response) => response.url().startsWith(`${issuer}/session/end?`));
      await callSpa(page, 'signOut', { post_logout_redirect_uri: target, id_token_hint: signedIn.idTokenJwt });
      const response = await refused;
      assert.equal(response.status(), 400);
      assert.equal(new URL(response.url()).searchParams.get('post_logout_redirect_uri'), target);
      assert.equal(new URL(response.url()).searchParams.get('id_token_hint'), signedIn.idTokenJwt);
      await page.getByText('post_logout_redirect_uri is not registered for this application.').waitFor();
      assert.ok(page.url().startsWith(`${issuer}/session/end?`));
      assert.ok(!requested.some((url) => url.startsWith(target)), `the browser went to ${target}`);
    }
    // Nothing was signed out: the session still answers prompt=none with a code.
    await openSpa(page);
    await callSpa(page, 'signIn', { prompt: 'none' });
    await page.waitForURL(`${spaOrigin}/callback?**`);
    assert.equal((await result(page) as SignedIn).idToken.sid, signedIn.idToken.sid);
    await page.context().close();
  });
});
