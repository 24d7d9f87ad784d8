// The client kit against the real Latchkey authorization server, in-process on loopback (issue #5): the whole cycle,
// refresh under Latchkey's refresh-token rotation, a grant revoked on Latchkey's account page, the attacker's side of
// the callback, and incremental authorization through Latchkey's consent page. Each test runs its own app (its own
// registered client, user, session store and upstream) against one shared server, concurrently.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { ReauthenticationRequiredError, InsufficientScopeError } from '../src/index.ts';
import { createBrowser, type BrowserLike } from './support/cookie-jar-fetch.ts';
import {
  APP_SCOPES, authorizeAtLatchkey, ORDERS_API, revokeOnAccountPage, startLatchkeyServer,
  type LatchkeyPage, type LatchkeyProvider, type LatchkeyTestServer,
} from './support/latchkey-server.ts';
import { landingTarget, startHarness, type Harness, type HarnessOptions } from './support/test-harness.ts';
import { countRows } from './support/store-rows.ts';

/** Latchkey's shortest access-token lifetime. */
const ACCESS_TOKEN_TTL = 30;
const JSON_ACCEPT = { accept: 'application/json' };

let latchkey: LatchkeyTestServer;
let jwks: ReturnType<typeof createRemoteJWKSet>;

interface App {
  harness: Harness;
  provider: LatchkeyProvider;
  /** What the kit reported through onWarning. */
  warnings: string[];
}

/** A test app on the client kit (Fastify adapter) with its own confidential client registered at Latchkey. */
async function startApp(name: string, options: HarnessOptions = {}): Promise<App> {
  let provider: LatchkeyProvider | undefined;
  const warnings: string[] = [];
  const harness = await startHarness({
    ...options,
    provider: async ({ redirectUri }) => (provider = await latchkey.registerApp(name, redirectUri)),
    clientOptions: { scopes: APP_SCOPES, onWarning: (message) => void warnings.push(message), ...options.clientOptions },
  });
  return { harness, provider: provider!, warnings };
}

/** /login at the app, then Latchkey's pages; returns the callback URL Latchkey redirected to (not yet requested). */
async function pendingCallback(browser: BrowserLike, harness: Harness, username: string, returnTo = '/'): Promise<{ callbackUrl: URL; pages: LatchkeyPage[]; authorizationUrl: URL }> {
  const start = await browser.request(`${harness.appOrigin}/login?returnTo=${encodeURIComponent(returnTo)}`);
  assert.equal(start.status, 302);
  const authorizationUrl = new URL(start.headers.get('location')!);
  return { ...(await authorizeAtLatchkey(browser, authorizationUrl, harness.appOrigin, username)), authorizationUrl };
}

/** A complete login; returns the session id and the pages Latchkey showed. */
async function logIn(browser: BrowserLike, harness: Harness, username: string): Promise<{ sessionId: string; pages: LatchkeyPage[] }> {
  const { callbackUrl, pages } = await pendingCallback(browser, harness, username);
  const callback = await browser.request(callbackUrl);
  assert.equal(callback.status, 200, await callback.text());
  const sessionId = harness.sessionIdOf(browser);
  assert.ok(sessionId);
  return { sessionId, pages };
}

async function verifyAccessToken(token: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, jwks, { issuer: latchkey.issuer, audience: ORDERS_API, typ: 'at+jwt' });
  return payload;
}

const scopesOf = (payload: JWTPayload) => String(payload.scope).split(' ').sort();

before(async () => {
  latchkey = await startLatchkeyServer({ accessTokenTtl: ACCESS_TOKEN_TTL });
  jwks = createRemoteJWKSet(new URL(`${latchkey.issuer}/jwks`));
});
after(async () => {
  await latchkey.close();
});

describe('the client kit against the Latchkey server in-process', { concurrency: true }, () => {
  test('whole cycle: Latchkey login and consent, opaque cookie, an RFC 9068 token for the orders API, proxied call, logout revokes at Latchkey', async () => {
    const { harness, provider, warnings } = await startApp('Orders Portal');
    try {
      const userId = await latchkey.addUser('alice');
      const browser = createBrowser();
      const login = await browser.request(`${harness.appOrigin}/login?returnTo=%2Fdashboard%3Ftab%3Dopen`);
      assert.equal(login.status, 302);
      const authorizationUrl = new URL(login.headers.get('location')!);
      assert.equal(`${authorizationUrl.origin}${authorizationUrl.pathname}`, `${latchkey.issuer}/authorize`);
      const query = authorizationUrl.searchParams;
      assert.equal(query.get('client_id'), provider.clientId);
      assert.equal(query.get('redirect_uri'), `${harness.appOrigin}/auth/callback`);
      assert.equal(query.get('response_type'), 'code');
      assert.equal(query.get('scope'), 'openid profile email orders:read');
      assert.equal(query.get('code_challenge_method'), 'S256');
      assert.match(query.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.ok(query.get('state'));
      assert.ok(query.get('nonce'));

      const { callbackUrl, pages } = await authorizeAtLatchkey(browser, authorizationUrl, harness.appOrigin, 'alice');
      assert.deepEqual(pages.map((p) => p.kind), ['login', 'consent']);
      assert.deepEqual(pages[1]!.asked, ['see your name and username', 'see your email address', 'read your orders']);
      assert.equal(`${callbackUrl.origin}${callbackUrl.pathname}`, `${harness.appOrigin}/auth/callback`);
      assert.equal(callbackUrl.searchParams.get('iss'), latchkey.issuer); // RFC 9207
      assert.equal(callbackUrl.searchParams.get('state'), query.get('state'));

      const callback = await browser.request(callbackUrl);
      assert.equal(await landingTarget(callback), `${harness.appOrigin}/dashboard?tab=open`);
      assert.deepEqual(provider.tokenRequests('authorization_code').map((r) => r.status), [200]);
      const setCookie = callback.headers.getSetCookie().find((c) => c.startsWith('app_session='));
      assert.ok(setCookie);
      assert.match(setCookie, /; HttpOnly(;|$)/);
      assert.match(setCookie, /; SameSite=Strict(;|$)/);
      assert.match(setCookie, /; Path=\/(;|$)/);
      const cookie = browser.cookies('127.0.0.1').get('app_session')!;
      assert.match(cookie, /^[A-Za-z0-9_-]{43}$/, '256 random bits, not a token');
      const codeResponse = harness.tokenResponses.at(-1)!;
      for (const name of ['access_token', 'refresh_token', 'id_token']) {
        const token = String(codeResponse[name]);
        assert.ok(token.length > 20, name);
        for (const value of browser.cookies('127.0.0.1').values()) assert.ok(!value.includes(token) && !token.includes(value), `${name} is not in a cookie`);
      }
      assert.deepEqual(await countRows(harness.store), { sessions: 1, transactions: 0 });

      const session = await harness.client.getSession(`app_session=${cookie}`);
      assert.ok(session);
      assert.equal(session.subject, userId);
      assert.equal(session.claims.email, 'alice@example.test');
      assert.equal(session.claims.name, 'User alice');
      assert.deepEqual([...session.scopes].sort(), ['email', 'openid', 'orders:read', 'profile']);

      const accessToken = await harness.client.getAccessToken(session);
      assert.equal(accessToken, codeResponse.access_token);
      const payload = await verifyAccessToken(accessToken);
      assert.equal(payload.aud, ORDERS_API);
      assert.equal(payload.sub, userId);
      assert.equal(payload.client_id, provider.clientId);
      assert.deepEqual(scopesOf(payload), ['email', 'openid', 'orders:read', 'profile']);
      assert.equal(payload.exp! - payload.iat!, ACCESS_TOKEN_TTL);

      // The browser sends its cookies (the app's and Latchkey's, same host) and a Bearer of its own; the upstream sees
      // the session's token and no cookie at all.
      assert.ok(browser.cookies('127.0.0.1').size >= 2);
      const api = await browser.request(`${harness.appOrigin}/api/orders/orders/7?expand=lines`, {
        headers: { ...JSON_ACCEPT, authorization: 'Bearer browser-supplied' },
      });
      assert.equal(api.status, 200);
      assert.equal(api.headers.get('set-cookie'), null);
      const post = await browser.request(`${harness.appOrigin}/api/orders/orders`, {
        method: 'POST', headers: { origin: harness.appOrigin, 'x-latchkey-csrf': '1', 'content-type': 'application/json' }, body: '{"sku":"A-1"}',
      });
      assert.equal(post.status, 200);
      assert.deepEqual(harness.upstream.calls, [
        { method: 'GET', url: '/v1/orders/7?expand=lines', authorization: `Bearer ${accessToken}`, cookie: undefined, origin: undefined, body: '' },
        { method: 'POST', url: '/v1/orders', authorization: `Bearer ${accessToken}`, cookie: undefined, origin: undefined, body: '{"sku":"A-1"}' },
      ]);

      const refreshToken = String(codeResponse.refresh_token);
      assert.equal((await latchkey.introspect(provider, refreshToken, 'refresh_token')).active, true);
      const logout = await browser.request(`${harness.appOrigin}/logout`, {
        method: 'POST', headers: { origin: harness.appOrigin, 'content-type': 'application/x-www-form-urlencoded' }, body: '',
      });
      assert.equal(logout.status, 303);
      // Latchkey advertises an end_session_endpoint: the kit sends the browser there with the ID token as hint (the whole
      // RP-initiated round trip is in backchannel-logout.test.ts).
      const endSession = new URL(logout.headers.get('location')!);
      assert.equal(`${endSession.origin}${endSession.pathname}`, `${latchkey.issuer}/session/end`);
      assert.ok(endSession.searchParams.get('id_token_hint'));
      assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), `${harness.appOrigin}/signed-out`);
      assert.deepEqual(latchkey.requests.filter((r) => r.clientId === provider.clientId && r.path === '/revoke').map((r) => r.status), [200]);
      assert.deepEqual(await latchkey.introspect(provider, refreshToken, 'refresh_token'), { active: false });
      assert.deepEqual(await latchkey.introspect(provider, accessToken), { active: false }, 'revoking the family ends its access tokens too');
      const refreshAttempt = await latchkey.refresh(provider, refreshToken);
      assert.equal(refreshAttempt.status, 400);
      assert.equal(refreshAttempt.body.error, 'invalid_grant');
      assert.deepEqual(await countRows(harness.store), { sessions: 0, transactions: 0 });
      assert.equal(browser.cookies('127.0.0.1').has('app_session'), false);
      const home = await browser.request(`${harness.appOrigin}/`, { headers: JSON_ACCEPT });
      assert.equal(home.status, 401);
      assert.equal(harness.upstream.calls.length, 2);
      assert.deepEqual(warnings, []);
    } finally {
      await harness.close();
    }
  });

  test('refresh: 50 concurrent getAccessToken calls refresh once at Latchkey, and rotation never sees a stale refresh token', async () => {
    // The window (300 s) covers the whole 30 s lifetime, so the kit refreshes at half-life: 15 s after issue, real time.
    const { harness, provider, warnings } = await startApp('Orders Dashboard', { clientOptions: { refreshWindowSeconds: 300 } });
    try {
      await latchkey.addUser('bob');
      const browser = createBrowser();
      const { sessionId } = await logIn(browser, harness, 'bob');
      const first = harness.tokenResponses.at(-1)!;
      assert.equal(first.expires_in, ACCESS_TOKEN_TTL);
      const row = harness.sessionRow(sessionId)!;
      const refreshAt = Number(row.refresh_at);
      assert.equal(Number(row.access_expires_at) - refreshAt, (ACCESS_TOKEN_TTL * 1000) / 2);
      assert.ok(refreshAt < decodeJwt(String(first.access_token)).exp! * 1000, 'proactive: before the JWT expires');
      assert.equal(await harness.client.getAccessToken(sessionId), first.access_token);
      assert.equal(provider.counts.refreshGrants, 0);

      await sleep(Math.max(0, refreshAt - Date.now()) + 100);
      const tokens = await Promise.all(Array.from({ length: 50 }, () => harness.client.getAccessToken(sessionId)));
      assert.deepEqual(provider.tokenRequests('refresh_token').map((r) => r.status), [200], 'exactly one refresh, accepted');
      assert.equal(new Set(tokens).size, 1);
      const refreshed = harness.tokenResponses.at(-1)!;
      assert.equal(tokens[0], refreshed.access_token);
      assert.notEqual(tokens[0], first.access_token);
      const payload = await verifyAccessToken(tokens[0]!);
      assert.ok(payload.exp! > decodeJwt(String(first.access_token)).exp!);
      // Rotation: the spent refresh token is inactive, the new one live; the family was never revoked.
      assert.notEqual(refreshed.refresh_token, first.refresh_token);
      assert.deepEqual(await latchkey.introspect(provider, String(first.refresh_token), 'refresh_token'), { active: false });
      assert.equal((await latchkey.introspect(provider, String(refreshed.refresh_token), 'refresh_token')).active, true);
      assert.equal((await latchkey.introspect(provider, tokens[0]!)).active, true);

      // A later refresh, raced by two kit instances over the same session store (two app processes): one more refresh.
      const second = await harness.secondClient();
      harness.expireAccessToken(sessionId);
      const raced = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? harness.client : second).getAccessToken(sessionId)));
      assert.deepEqual(provider.tokenRequests('refresh_token').map((r) => r.status), [200, 200]);
      assert.equal(new Set(raced).size, 1);
      const latest = harness.tokenResponses.at(-1)!;
      assert.equal(raced[0], latest.access_token);
      assert.notEqual(raced[0], tokens[0]);
      assert.equal((await latchkey.introspect(provider, String(latest.refresh_token), 'refresh_token')).active, true);
      const api = await browser.request(`${harness.appOrigin}/api/orders/orders`, { headers: JSON_ACCEPT });
      assert.equal(api.status, 200);
      assert.equal(harness.upstream.calls.at(-1)?.authorization, `Bearer ${latest.access_token}`);

      // What the kit avoided: presenting a spent refresh token makes Latchkey revoke the whole family. (Once its
      // successor is in use: before that, within the server's retry window, it would count as a retry.)
      const moved = await latchkey.refresh(provider, String(latest.refresh_token));
      assert.equal(moved.status, 200);
      const replay = await latchkey.refresh(provider, String(refreshed.refresh_token));
      assert.equal(replay.status, 400);
      assert.equal(replay.body.error, 'invalid_grant');
      assert.deepEqual(await latchkey.introspect(provider, String(moved.body.refresh_token), 'refresh_token'), { active: false });
      harness.expireAccessToken(sessionId);
      await assert.rejects(harness.client.getAccessToken(sessionId), ReauthenticationRequiredError);
      assert.deepEqual(warnings, []);
    } finally {
      await harness.close();
    }
  });

  test("revoked on Latchkey's account page: the next refresh throws ReauthenticationRequiredError and the session is marked", async () => {
    const { harness, provider } = await startApp('Orders Mobile');
    try {
      await latchkey.addUser('carol');
      const browser = createBrowser();
      const { sessionId } = await logIn(browser, harness, 'carol');
      const accessToken = await harness.client.getAccessToken(sessionId);

      // The user, on another device, signs in to /account and revokes the app.
      const page = await revokeOnAccountPage(createBrowser(), latchkey.issuer, 'carol', provider.clientId);
      assert.match(page, /Access for <strong>Orders Mobile<\/strong> was revoked\./);
      assert.ok(!page.includes(`value="${provider.clientId}"`), 'the app is no longer listed');
      assert.deepEqual(await latchkey.introspect(provider, accessToken), { active: false });

      // The JWT is self-contained: until a refresh is due the kit hands out the cached one without asking Latchkey.
      assert.equal(await harness.client.getAccessToken(sessionId), accessToken);
      assert.equal(provider.counts.refreshGrants, 0);

      harness.expireAccessToken(sessionId);
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => harness.client.getAccessToken(sessionId)));
      for (const result of results) {
        assert.equal(result.status, 'rejected');
        assert.ok(result.reason instanceof ReauthenticationRequiredError);
      }
      assert.deepEqual(provider.tokenRequests('refresh_token').map((r) => r.status), [400]);
      assert.equal(harness.sessionRow(sessionId)!.reauth_required, 1);
      const session = await harness.client.getSession(`app_session=${browser.cookies('127.0.0.1').get('app_session')}`);
      assert.equal(session?.reauthenticationRequired, true);
      await assert.rejects(harness.client.getAccessToken(sessionId), ReauthenticationRequiredError);
      assert.equal(provider.counts.refreshGrants, 1, 'later calls fail fast without asking Latchkey');

      const home = await browser.request(`${harness.appOrigin}/`, { headers: { accept: 'text/html' } });
      assert.equal(home.status, 302);
      assert.equal(home.headers.get('location'), '/login?returnTo=%2F');
      const api = await browser.request(`${harness.appOrigin}/api/orders/orders`, { headers: JSON_ACCEPT });
      assert.equal(api.status, 401);
      assert.equal((await api.json() as { error: string }).error, 'reauthentication_required');
      assert.equal(harness.upstream.calls.length, 0);

      // Signing in again asks for consent again (the revocation forgot it) and gives a working session.
      const again = await logIn(browser, harness, 'carol');
      assert.deepEqual(again.pages.map((p) => p.kind), ['consent']);
      assert.notEqual(again.sessionId, sessionId);
      assert.deepEqual(await countRows(harness.store), { sessions: 1, transactions: 0 });
      assert.ok(await verifyAccessToken(await harness.client.getAccessToken(again.sessionId)));
    } finally {
      await harness.close();
    }
  });

  test("attacker's side: forged state, replayed callback, iss mismatch and an injected code leave no session and call no upstream", async () => {
    const { harness, provider } = await startApp('Orders Shop');
    try {
      await latchkey.addUser('dave');
      await latchkey.addUser('mallory');
      const codeStatuses = () => provider.tokenRequests('authorization_code').map((r) => r.status);

      /** The callback is refused with `code`; no session row, no upstream call, and the browser has no session. */
      const assertRefused = async (browser: BrowserLike, url: URL, code: string) => {
        const sessions = (await countRows(harness.store)).sessions;
        const calls = harness.upstream.calls.length;
        const response = await browser.request(url, { headers: JSON_ACCEPT });
        assert.equal(response.status, 400, code);
        assert.equal((await response.json() as { error: string }).error, code);
        assert.equal(response.headers.getSetCookie().some((c) => c.startsWith('app_session=')), false);
        assert.equal((await countRows(harness.store)).sessions, sessions, `no session after ${code}`);
        if (!browser.cookies('127.0.0.1').has('app_session')) {
          const api = await browser.request(`${harness.appOrigin}/api/orders/orders`, { headers: JSON_ACCEPT });
          assert.equal(api.status, 401, 'the browser has no session to proxy with');
        }
        assert.equal(harness.upstream.calls.length, calls);
      };
      const withParams = (url: URL, changes: Record<string, string | null>) => {
        const copy = new URL(url);
        for (const [name, value] of Object.entries(changes)) {
          if (value === null) copy.searchParams.delete(name);
          else copy.searchParams.set(name, value);
        }
        return copy;
      };

      // Forged state: refused before the code is redeemed; the genuine response still works afterwards.
      const victim = createBrowser();
      const genuine = (await pendingCallback(victim, harness, 'dave')).callbackUrl;
      await assertRefused(victim, withParams(genuine, { state: 'forged-state-value' }), 'unknown_transaction');
      await assertRefused(victim, withParams(genuine, { state: null }), 'missing_state');
      assert.deepEqual(codeStatuses(), []);
      const ok = await victim.request(genuine);
      assert.equal(ok.status, 200);
      assert.deepEqual(codeStatuses(), [200]);
      assert.equal((await countRows(harness.store)).sessions, 1);

      // Replayed callback, in the same browser and in the attacker's: the kit never presents the code again (which
      // Latchkey would answer by revoking the grant), and dave's session stays intact.
      await assertRefused(victim, genuine, 'unknown_transaction');
      const attacker = createBrowser();
      await attacker.request(`${harness.appOrigin}/login`); // an attacker with a login attempt (and binding cookie) of his own
      await assertRefused(attacker, genuine, 'unknown_transaction');
      assert.deepEqual(codeStatuses(), [200]);
      const daveSession = harness.sessionIdOf(victim)!;
      assert.equal((await latchkey.introspect(provider, await harness.client.getAccessToken(daveSession))).active, true);

      // Mix-up (RFC 9207): a tampered or missing iss is refused before the code goes anywhere.
      const other = createBrowser();
      for (const iss of ['https://attacker.example', `${latchkey.issuer}/`, null]) {
        const callbackUrl = (await pendingCallback(other, harness, 'dave')).callbackUrl;
        await assertRefused(other, withParams(callbackUrl, { iss }), iss === null ? 'missing_issuer' : 'issuer_mismatch');
      }
      assert.deepEqual(codeStatuses(), [200]);

      // Code injection: mallory's code, from her own transaction, spliced into the victim's response.
      const mallory = createBrowser();
      const malloryCallback = (await pendingCallback(mallory, harness, 'mallory')).callbackUrl;
      const target = createBrowser();
      const targetCallback = (await pendingCallback(target, harness, 'dave')).callbackUrl;
      // (a) Her whole response replayed into the victim's browser: his binding cookie names another transaction.
      await assertRefused(target, malloryCallback, 'unknown_transaction');
      assert.deepEqual(codeStatuses(), [200]);
      // (b) Her code in his own response: the kit redeems it with his PKCE verifier, and Latchkey refuses.
      const spliced = withParams(targetCallback, { code: malloryCallback.searchParams.get('code') });
      await assertRefused(target, spliced, 'token_exchange_failed');
      assert.deepEqual(codeStatuses(), [200, 400]);

      assert.equal((await countRows(harness.store)).sessions, 1, "only dave's genuine login made a session");
      assert.equal(harness.upstream.calls.length, 0);
    } finally {
      await harness.close();
    }
  });

  test('incremental authorization: requireScopes([orders:write]) goes through Latchkey consent for just that scope; the new token carries both', async () => {
    const { harness } = await startApp('Orders Admin', {
      fastifyRoutes: (app) => {
        app.get('/orders/edit', { preHandler: app.latchkey.requireScopes(['orders:write']) }, async (request) => ({ scopes: request.latchkey.session?.scopes }));
      },
    });
    try {
      await latchkey.addUser('erin');
      const browser = createBrowser();
      const { sessionId, pages } = await logIn(browser, harness, 'erin');
      assert.deepEqual(pages.map((p) => p.kind), ['login', 'consent']);
      assert.ok(pages[1]!.asked.includes('read your orders'));
      assert.ok(!pages[1]!.asked.includes('change your orders'));
      assert.deepEqual(scopesOf(await verifyAccessToken(await harness.client.getAccessToken(sessionId))), ['email', 'openid', 'orders:read', 'profile']);
      await assert.rejects(harness.client.getAccessToken(sessionId, { scopes: ['orders:write'] }), InsufficientScopeError);

      const api = await browser.request(`${harness.appOrigin}/orders/edit?id=7`, { headers: JSON_ACCEPT });
      assert.equal(api.status, 403);
      assert.deepEqual((await api.json() as { missing_scopes: string[] }).missing_scopes, ['orders:write']);
      const page = await browser.request(`${harness.appOrigin}/orders/edit?id=7`, { headers: { accept: 'text/html' } });
      assert.equal(page.status, 302);
      const authorizationUrl = new URL(page.headers.get('location')!);
      assert.equal(`${authorizationUrl.origin}${authorizationUrl.pathname}`, `${latchkey.issuer}/authorize`);
      assert.equal(authorizationUrl.searchParams.get('scope'), 'openid profile email orders:read orders:write');
      assert.equal(authorizationUrl.searchParams.get('prompt'), null);

      // Latchkey's SSO session skips the login page; consent asks for the new scope only.
      const { callbackUrl, pages: incremental } = await authorizeAtLatchkey(browser, authorizationUrl, harness.appOrigin, 'erin');
      assert.deepEqual(incremental.map((p) => p.kind), ['consent']);
      assert.deepEqual(incremental[0]!.asked, ['change your orders']);
      const callback = await browser.request(callbackUrl);
      assert.equal(await landingTarget(callback), `${harness.appOrigin}/orders/edit?id=7`);
      assert.equal(harness.sessionIdOf(browser), sessionId, 'the same session was extended');
      assert.deepEqual(await countRows(harness.store), { sessions: 1, transactions: 0 });

      const edit = await browser.request(`${harness.appOrigin}/orders/edit?id=7`, { headers: JSON_ACCEPT });
      assert.equal(edit.status, 200);
      assert.deepEqual([...(await edit.json() as { scopes: string[] }).scopes].sort(), ['email', 'openid', 'orders:read', 'orders:write', 'profile']);
      const token = await harness.client.getAccessToken(sessionId, { scopes: ['orders:write'] });
      assert.equal(token, harness.tokenResponses.at(-1)?.access_token);
      const payload = await verifyAccessToken(token);
      assert.deepEqual(scopesOf(payload), ['email', 'openid', 'orders:read', 'orders:write', 'profile']);
      // A refresh of the new grant keeps both.
      harness.expireAccessToken(sessionId);
      const refreshed = await harness.client.getAccessToken(sessionId, { scopes: ['orders:read', 'orders:write'] });
      assert.notEqual(refreshed, token);
      assert.deepEqual(scopesOf(await verifyAccessToken(refreshed)), ['email', 'openid', 'orders:read', 'orders:write', 'profile']);
    } finally {
      await harness.close();
    }
  });
});
