// The flow in a real browser: playwright-core drives Debian's chromium through the login and consent pages to the
// relying party's callback. The RP is a small server using openid-client; a second, single-page app (public client)
// exchanges its code with fetch from its own origin, so the token endpoint's CORS is exercised by a real browser.
// CSP violations are collected from the console: the pages must work under their own policy, including the
// redirect chain after the form POST (chromium checks form-action on every hop): here the RP's callback itself
// redirects to another origin (localhost instead of 127.0.0.1), as many real apps do.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { PASSWORD } from '../helpers/authorization-fixtures.ts';
import { freePort } from '../helpers/latchkey-process.ts';
import { addApi, addClient, addTestUser, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { chromiumMissing, launchChromium } from '../../../../test/support/chromium.ts';

const skip = chromiumMissing('real-browser flow');
if (skip) console.log(`# SKIP browser flow: ${skip}`);

let server: TestServer;
let rp: Server;
let browser: Browser | undefined;
let issuer: string;
let rpOrigin: string;
let userId: string;

/** The relying party: /login starts the flow, /callback finishes it with openid-client and shows who signed in. */
function startRelyingParty(config: oidc.Configuration, spaClientId: string): Server {
  const pending = new Map<string, { verifier: string; nonce: string }>();
  const send = (res: import('node:http').ServerResponse, status: number, html: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
    res.end(`<!doctype html><html><body>${html}</body></html>`);
  };
  return createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', rpOrigin);
      if (req.method === 'POST' && url.pathname === '/callback') {
        // response_mode=form_post: the same parameters, in the body.
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        url.search = Buffer.concat(chunks).toString();
        url.searchParams.set('posted', '1');
      }
      if (url.pathname === '/login') {
        const verifier = oidc.randomPKCECodeVerifier();
        const state = oidc.randomState();
        const nonce = oidc.randomNonce();
        pending.set(state, { verifier, nonce });
        const target = oidc.buildAuthorizationUrl(config, {
          redirect_uri: `${rpOrigin}/callback`, scope: url.searchParams.get('scope') ?? 'openid profile contacts:read', state, nonce,
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
          ...(url.searchParams.has('prompt') ? { prompt: url.searchParams.get('prompt')! } : {}),
          ...(url.searchParams.has('response_mode') ? { response_mode: url.searchParams.get('response_mode')! } : {}),
        });
        res.writeHead(302, { location: target.toString() }).end();
      } else if (url.pathname === '/callback') {
        const state = url.searchParams.get('state') ?? '';
        const transaction = pending.get(state);
        pending.delete(state);
        if (url.searchParams.has('error')) return send(res, 200, `<p id="result">error: ${url.searchParams.get('error')}</p>`);
        if (!transaction) return send(res, 400, '<p id="result">unknown state</p>');
        const posted = url.searchParams.get('posted') === '1';
        url.searchParams.delete('posted');
        const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: transaction.verifier, expectedState: state, expectedNonce: transaction.nonce, idTokenExpected: true });
        const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
        const who = `${posted ? 'Posted: ' : ''}Signed in as ${String(info.preferred_username)} (${tokens.claims()!.sub})`;
        res.writeHead(302, { location: `http://localhost:${new URL(rpOrigin).port}/done?who=${encodeURIComponent(who)}` }).end();
      } else if (url.pathname === '/done') {
        send(res, 200, `<p id="result">${url.searchParams.get('who')?.replace(/[<>&]/g, '') ?? ''}</p>`);
      } else if (url.pathname === '/spa' || url.pathname === '/spa-callback') {
        // A single-page app: PKCE in sessionStorage, the code exchanged by fetch from this origin.
        const script = url.pathname === '/spa' ? `
          const bytes = crypto.getRandomValues(new Uint8Array(32));
          const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
          const verifier = b64(bytes);
          sessionStorage.setItem('verifier', verifier);
          crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)).then((digest) => {
            const q = new URLSearchParams({ response_type: 'code', client_id: ${JSON.stringify(spaClientId)}, redirect_uri: ${JSON.stringify(`${rpOrigin}/spa-callback`)},
              scope: 'openid contacts:read', state: 'spa-state', code_challenge: b64(digest), code_challenge_method: 'S256' });
            location.assign(${JSON.stringify(`${issuer}/authorize`)} + '?' + q);
          });` : `
          const params = new URLSearchParams(location.search);
          fetch(${JSON.stringify(`${issuer}/token`)}, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ grant_type: 'authorization_code', client_id: ${JSON.stringify(spaClientId)}, code: params.get('code'),
              redirect_uri: ${JSON.stringify(`${rpOrigin}/spa-callback`)}, code_verifier: sessionStorage.getItem('verifier') }) })
            .then((r) => r.json()).then((body) => { document.getElementById('result').textContent = 'scope: ' + body.scope + ', iss ok: ' + (params.get('iss') === ${JSON.stringify(issuer)}); })
            .catch((e) => { document.getElementById('result').textContent = 'fetch failed: ' + e; });`;
        send(res, 200, `<p id="result">working</p><script>${script}</script>`);
      } else {
        send(res, 404, 'not found');
      }
    })().catch((error: unknown) => send(res, 500, `<p id="result">RP error: ${String((error as Error).message)}</p>`));
  });
}

before(async () => {
  if (skip) return;
  const [asPort, rpPort] = [await freePort(), await freePort()];
  issuer = `http://127.0.0.1:${asPort}`;
  rpOrigin = `http://127.0.0.1:${rpPort}`;
  server = await startTestServer({ issuer, port: asPort });
  await server.app.listen({ port: asPort, host: '127.0.0.1' });
  await addApi(server, 'https://contacts.example', { 'contacts:read': 'Read your contacts' });
  const web = await addClient(server, { name: 'Browser RP', redirectUris: [`${rpOrigin}/callback`], scope: 'openid profile contacts:read' });
  const spa = await addClient(server, { name: 'Browser SPA', isPublic: true, redirectUris: [`${rpOrigin}/spa-callback`], scope: 'openid contacts:read' });
  userId = (await addTestUser(server, 'alice', PASSWORD)).id;
  const config = await oidc.discovery(new URL(issuer), web.id, undefined, oidc.ClientSecretBasic(web.secret!), { execute: [oidc.allowInsecureRequests] });
  rp = startRelyingParty(config, spa.id);
  await new Promise<void>((resolve) => rp.listen(rpPort, '127.0.0.1', resolve));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (rp ? rp.close(() => resolve()) : resolve()));
  await server?.close();
});

async function newPage(): Promise<{ page: Page; violations: string[] }> {
  const context = await browser!.newContext();
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  return { page, violations };
}

async function signIn(page: Page): Promise<void> {
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe('in a real browser (chromium)', { skip }, () => {
  it('login and consent lead to the relying party callback, which verifies the tokens', async () => {
    const { page, violations } = await newPage();
    await page.goto(`${rpOrigin}/login`);
    await page.waitForURL(`${issuer}/interaction/**`);
    assert.equal(await page.title(), 'Sign in · Latchkey');
    await signIn(page);

    await page.waitForSelector('text=Allow');
    assert.match(await page.content(), /Browser RP/);
    assert.ok(await page.getByText('Read your contacts').isVisible());
    await page.getByRole('button', { name: 'Allow' }).click();

    await page.waitForURL('http://localhost:*/done?**');
    assert.equal(await page.locator('#result').textContent(), `Signed in as alice (${userId})`);
    assert.deepEqual(violations, []);

    // Single sign-on: a second login goes straight through, no page shown.
    await page.goto(`${rpOrigin}/login`);
    await page.waitForURL('http://localhost:*/done?**');
    assert.equal(await page.locator('#result').textContent(), `Signed in as alice (${userId})`);
    await page.context().close();
  });

  it('response_mode=form_post: the auto-submitting page POSTs the code to the callback under the strict CSP', async () => {
    const { page, violations } = await newPage();
    await page.goto(`${rpOrigin}/login?response_mode=form_post&prompt=consent`);
    await signIn(page);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL('http://localhost:*/done?**');
    assert.equal(await page.locator('#result').textContent(), `Posted: Signed in as alice (${userId})`);
    assert.deepEqual(violations, []);
    await page.context().close();
  });

  it('Deny returns access_denied to the relying party', async () => {
    const { page, violations } = await newPage();
    await page.goto(`${rpOrigin}/login?scope=openid&prompt=consent`);
    await signIn(page);
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.waitForURL(`${rpOrigin}/callback?**`);
    assert.equal(await page.locator('#result').textContent(), 'error: access_denied');
    assert.deepEqual(violations, []);
    await page.context().close();
  });

  it('a single-page app (public client) exchanges its code by fetch from its own origin (token endpoint CORS)', async () => {
    const { page, violations } = await newPage();
    await page.goto(`${rpOrigin}/spa`);
    await page.waitForURL(`${issuer}/interaction/**`);
    await signIn(page);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${rpOrigin}/spa-callback?**`);
    await page.waitForFunction(() => document.getElementById('result')?.textContent !== 'working');
    assert.equal(await page.locator('#result').textContent(), 'scope: openid contacts:read, iss ok: true');
    assert.deepEqual(violations, []);
    await page.context().close();
  });

  it('pages cannot be framed (CSP frame-ancestors and X-Frame-Options)', async () => {
    const { page } = await newPage();
    const messages: string[] = [];
    page.on('console', (m) => messages.push(m.text()));
    await page.goto(`${rpOrigin}/blank`);
    const framed = `${issuer}/authorize?client_id=unknown`;
    await page.evaluate((src) => {
      const frame = document.createElement('iframe');
      frame.src = src;
      document.body.appendChild(frame);
    }, framed);
    await page.waitForTimeout(500);
    const frame = page.frames().find((fr) => fr !== page.mainFrame());
    assert.ok(frame);
    const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    assert.ok(!text.includes('invalid sign-in request'), 'the page did not render inside the frame');
    assert.ok(messages.some((m) => /frame-ancestors|X-Frame-Options/.test(m)), messages.join('\n'));
    await page.context().close();
});
});
