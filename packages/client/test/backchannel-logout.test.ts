// The kit's back-channel logout route (OpenID Connect Back-Channel Logout 1.0 §2.5-2.8) and its RP-initiated logout,
// against the real Latchkey server in-process, over both adapters: signing out at Latchkey ("sign out everywhere" on
// its account page) ends the app's session; the kit's /logout goes through Latchkey's end_session_endpoint and back to
// the registered post-logout URI. Attacker's side: every §2.6 defect is a 400 that ends nothing, replays included.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { createBrowser, type BrowserLike } from './support/cookie-jar-fetch.ts';
import { APP_SCOPES, authorizeAtLatchkey, startLatchkeyServer, type LatchkeyProvider, type LatchkeyTestServer } from './support/latchkey-server.ts';
import { startHarness, type Harness } from './support/test-harness.ts';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

let latchkey: LatchkeyTestServer;

before(async () => {
  latchkey = await startLatchkeyServer();
  await latchkey.addUser('carol');
  await latchkey.addUser('dan');
});
after(async () => {
  await latchkey.close();
});

async function startApp(name: string, adapter: 'fastify' | 'express'): Promise<{ harness: Harness; provider: LatchkeyProvider }> {
  let provider: LatchkeyProvider | undefined;
  const harness = await startHarness({
    adapter,
    provider: async ({ redirectUri, postLogoutRedirectUri }) => (provider = await latchkey.registerApp(name, redirectUri, {
      postLogoutRedirectUris: [postLogoutRedirectUri], backchannelLogoutUri: `${new URL(redirectUri).origin}/backchannel-logout`,
    })),
    clientOptions: { scopes: APP_SCOPES },
  });
  return { harness, provider: provider! };
}

async function logIn(browser: BrowserLike, harness: Harness, username: string): Promise<string> {
  const start = await browser.request(`${harness.appOrigin}/login?returnTo=/`);
  const { callbackUrl } = await authorizeAtLatchkey(browser, new URL(start.headers.get('location')!), harness.appOrigin, username);
  const callback = await browser.request(callbackUrl);
  assert.equal(callback.status, 200);
  return harness.sessionIdOf(browser)!;
}

async function untilGone(harness: Harness, sessionId: string): Promise<void> {
  while (harness.sessionRow(sessionId)) await sleep(10);
}

/** A logout token signed with Latchkey's own RS256 key (as Latchkey signs them), with `claims` changed. */
function latchkeyToken(provider: LatchkeyProvider, sessionRow: Record<string, unknown>, claims: Record<string, unknown> = {}, typ = 'logout+jwt'): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: latchkey.issuer, aud: provider.clientId, iat: now, exp: now + 120, jti: crypto.randomUUID(), sub: sessionRow.subject,
    sid: sessionRow.provider_sid, events: { [EVENT]: {} }, ...claims,
  };
  for (const [key, value] of Object.entries(payload)) if (value === undefined) delete (payload as Record<string, unknown>)[key];
  return latchkey.app.latchkeyServer.keys.signer('RS256').sign(payload, typ);
}

const postLogout = (harness: Harness, body: string, headers: Record<string, string> = FORM) =>
  fetch(`${harness.appOrigin}/backchannel-logout`, { method: 'POST', headers, body });

for (const adapter of ['fastify', 'express'] as const) {
  describe(`back-channel logout at the kit (${adapter})`, () => {
    test('"sign out everywhere" on Latchkey\'s account page ends the app\'s session through the back channel', async () => {
      const { harness } = await startApp(`Everywhere ${adapter}`, adapter);
      try {
        const browser = createBrowser();
        const sessionId = await logIn(browser, harness, 'carol');
        assert.ok(String(harness.sessionRow(sessionId)!.provider_sid).length > 0, 'the session remembers Latchkey\'s sid');
        const account = await browser.request(`${latchkey.issuer}/account`);
        const html = await account.text();
        const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
        const out = await browser.request(`${latchkey.issuer}/account/sessions/sign-out`, { method: 'POST', headers: FORM, body: new URLSearchParams({ csrf, all: '1' }) });
        assert.equal(out.status, 303);
        await untilGone(harness, sessionId);
        const home = await browser.request(`${harness.appOrigin}/`, { headers: { accept: 'application/json' } });
        assert.equal(home.status, 401, 'the app no longer knows the user');
      } finally {
        await harness.close();
      }
    });

    test('the kit\'s logout goes through Latchkey\'s end_session_endpoint with the hint and returns to the registered URI; the next sign-in asks for the password', async () => {
      const { harness } = await startApp(`RP logout ${adapter}`, adapter);
      try {
        const browser = createBrowser();
        await logIn(browser, harness, 'carol');
        const logout = await browser.request(`${harness.appOrigin}/logout`, { method: 'POST', headers: { origin: harness.appOrigin } });
        assert.equal(logout.status, 303);
        const endSession = new URL(logout.headers.get('location')!);
        assert.equal(`${endSession.origin}${endSession.pathname}`, `${latchkey.issuer}/session/end`);
        assert.ok(endSession.searchParams.get('id_token_hint'));
        const back = await browser.request(endSession);
        assert.equal(back.status, 303);
        assert.equal(back.headers.get('location'), `${harness.appOrigin}/signed-out`);
        const start = await browser.request(`${harness.appOrigin}/login?returnTo=/`);
        const { pages } = await authorizeAtLatchkey(browser, new URL(start.headers.get('location')!), harness.appOrigin, 'carol');
        assert.equal(pages[0]?.kind, 'login', 'Latchkey asks for the password again');
      } finally {
        await harness.close();
      }
    });

    test('every §2.6 defect is 400 and ends nothing; a valid token ends the session once, and its replay is 400', async () => {
      const { harness, provider } = await startApp(`Attacks ${adapter}`, adapter);
      try {
        const browser = createBrowser();
        const sessionId = await logIn(browser, harness, 'carol');
        const row = harness.sessionRow(sessionId)!;
        const { privateKey } = await generateKeyPair('RS256');
        const kid = JSON.parse(Buffer.from(latchkeyToken(provider, row).split('.')[0]!, 'base64url').toString()).kid as string;
        const now = Math.floor(Date.now() / 1000);
        const base: JWTPayload = { iss: latchkey.issuer, aud: provider.clientId, iat: now, exp: now + 120, jti: 'x', sub: String(row.subject), sid: String(row.provider_sid), events: { [EVENT]: {} } };
        const defects: Array<[string, string]> = [
          ['a nonce', latchkeyToken(provider, row, { nonce: 'n-1' })],
          ['another audience', latchkeyToken(provider, row, { aud: 'some-other-client' })],
          ['another issuer', latchkeyToken(provider, row, { iss: 'https://evil.example' })],
          ['no events', latchkeyToken(provider, row, { events: undefined })],
          ['another event', latchkeyToken(provider, row, { events: { 'http://schemas.openid.net/event/other': {} } })],
          ['neither sub nor sid', latchkeyToken(provider, row, { sub: undefined, sid: undefined })],
          ['no jti', latchkeyToken(provider, row, { jti: undefined })],
          ['no iat', latchkeyToken(provider, row, { iat: undefined })],
          ['expired', latchkeyToken(provider, row, { iat: now - 300, exp: now - 200 })],
          ['issued long ago', latchkeyToken(provider, row, { iat: now - 3600, exp: now + 3600 })],
          ['typ JWT (an ID token\'s)', latchkeyToken(provider, row, {}, 'JWT')],
          ['signed by another key', await new SignJWT(base).setProtectedHeader({ alg: 'RS256', kid, typ: 'logout+jwt' }).sign(privateKey)],
          ['alg none', new UnsecuredJWT(base).encode()],
          ['not a JWT', 'garbage'],
        ];
        for (const [name, token] of defects) {
          const response = await postLogout(harness, new URLSearchParams({ logout_token: token }).toString());
          assert.equal(response.status, 400, name);
          assert.equal((await response.json() as { error: string }).error, 'invalid_request', name);
          assert.equal(response.headers.get('cache-control'), 'no-store', name);
        }
        const valid = latchkeyToken(provider, row);
        assert.equal((await postLogout(harness, new URLSearchParams({ logout_token: valid }).toString(), { 'content-type': 'application/json' })).status, 400, 'not a form');
        assert.equal((await postLogout(harness, `logout_token=${valid}&logout_token=${valid}`)).status, 400, 'two tokens');
        assert.ok(harness.sessionRow(sessionId), 'nothing was ended by any of them');

        const accepted = await postLogout(harness, new URLSearchParams({ logout_token: valid }).toString());
        assert.equal(accepted.status, 200);
        assert.equal(accepted.headers.get('cache-control'), 'no-store');
        assert.equal(harness.sessionRow(sessionId), undefined, 'the session is gone');
        const secondId = await logIn(browser, harness, 'carol');
        const replay = await postLogout(harness, new URLSearchParams({ logout_token: valid }).toString());
        assert.equal(replay.status, 400, 'a replayed jti');
        assert.ok(harness.sessionRow(secondId), 'the replay ended nothing');
      } finally {
        await harness.close();
      }
    });

    test('a token with sid ends that provider session only; with sub only, every session of that user', async () => {
      const { harness, provider } = await startApp(`Selectors ${adapter}`, adapter);
      try {
        const first = await logIn(createBrowser(), harness, 'carol');
        const second = await logIn(createBrowser(), harness, 'carol');
        const other = await logIn(createBrowser(), harness, 'dan');
        const firstRow = harness.sessionRow(first)!;
        assert.notEqual(firstRow.provider_sid, harness.sessionRow(second)!.provider_sid);
        assert.equal((await postLogout(harness, new URLSearchParams({ logout_token: latchkeyToken(provider, firstRow, { sub: undefined }) }).toString())).status, 200);
        assert.equal(harness.sessionRow(first), undefined);
        assert.ok(harness.sessionRow(second));
        assert.equal((await postLogout(harness, new URLSearchParams({ logout_token: latchkeyToken(provider, firstRow, { sid: undefined }) }).toString())).status, 200);
        assert.equal(harness.sessionRow(second), undefined, 'sub alone: all of carol\'s sessions');
        assert.ok(harness.sessionRow(other), 'dan is untouched');
      } finally {
        await harness.close();
      }
    });
  });
}
