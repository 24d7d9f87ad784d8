// OpenID Connect RP-Initiated Logout 1.0 at /session/end: a trusted hint for the current session signs out and goes back
// to a registered post-logout URI with state; everything doubtful is a CSRF-protected confirmation page; nothing is
// ever redirected to an unregistered URI; afterwards prompt=none gets login_required. The ID token carries the sid.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { authorizeUrl, callbackParams, csrfFrom, decodeJwt, InjectBrowser, location, pkcePair } from '../helpers/authorization-flow.ts';
import { signInThroughCodeFlow } from '../helpers/code-flow-sign-in.ts';
import { PASSWORD, startFixture, type Fixture } from '../helpers/authorization-fixtures.ts';
import { addClient } from '../helpers/test-server.ts';
import { RegistrationError, updateClientLogout } from '../../src/clients/register-client.ts';

const CALLBACK = 'https://rp.example/cb';
const LOGGED_OUT = 'https://rp.example/logged-out';
const WITH_QUERY = 'https://rp.example/bye?from=latchkey';
let f: Fixture;
let rp: { id: string; secret: string | undefined };

before(async () => {
  f = await startFixture();
  rp = await addClient(f.server, { name: 'Relying Party', redirectUris: [CALLBACK], scope: 'openid profile', postLogoutRedirectUris: [LOGGED_OUT, WITH_QUERY] });
});
after(async () => {
  await f.server.close();
});

/** Signs in through the code flow in a new (or the given) browser; returns the browser and the ID token. */
async function signIn(browser?: InjectBrowser) {
  return signInThroughCodeFlow({ app: f.server.app, client: rp, redirectUri: CALLBACK, scope: 'openid profile', username: 'alice', password: PASSWORD, ...(browser ? { browser } : {}) });
}

async function silentAuthorize(browser: InjectBrowser) {
  const pkce = pkcePair();
  const response = await browser.get(authorizeUrl({ response_type: 'code', client_id: rp.id, redirect_uri: CALLBACK, scope: 'openid', prompt: 'none', state: 'p', code_challenge: pkce.challenge, code_challenge_method: 'S256' }));
  return callbackParams(response);
}

const endSessionUrl = (params: Record<string, string>) => `/session/end?${new URLSearchParams(params)}`;

async function liveSessions(): Promise<number> {
  return (await f.server.store.listSessionsForUser(f.userId, f.clock.now)).length;
}

describe('sid in ID tokens', () => {
  it('the ID token names the session it was issued under; a later sign-in in the same browser has another sid', async () => {
    const { browser, idToken } = await signIn();
    const sid = decodeJwt(idToken).payload.sid;
    assert.equal(typeof sid, 'string');
    const sessions = await f.server.store.listSessionsForUser(f.userId, f.clock.now);
    assert.ok(sessions.some((s) => s.sid === sid));
    assert.deepEqual((await f.server.store.listSessionClients(sid as string)).map((p) => p.clientId), [rp.id]);
    await browser.get(endSessionUrl({ id_token_hint: idToken }));
    const again = await signIn(browser);
    assert.notEqual(decodeJwt(again.idToken).payload.sid, sid);
  });
});

describe('a trusted logout', () => {
  it('GET with the current session\'s hint, a registered URI and state: signed out, cookie cleared, 303 back with state; prompt=none then gets login_required', async () => {
    const { browser, idToken } = await signIn();
    assert.equal((await silentAuthorize(browser)).has('code'), true, 'signed in before');
    const before = await liveSessions();
    const response = await browser.get(endSessionUrl({ id_token_hint: idToken, post_logout_redirect_uri: LOGGED_OUT, state: 'xyz 1' }));
    assert.equal(response.statusCode, 303);
    assert.equal(location(response), `${LOGGED_OUT}?state=xyz%201`);
    assert.match(String(response.headers['set-cookie']), /latchkey_sso=;.*Max-Age=0/i);
    assert.equal(await liveSessions(), before - 1);
    assert.equal((await silentAuthorize(browser)).get('error'), 'login_required');
  });

  it('POST works the same; a registered URI with a query keeps it and gets state appended', async () => {
    const { browser, idToken } = await signIn();
    const response = await browser.post('/session/end', { id_token_hint: idToken, post_logout_redirect_uri: WITH_QUERY, state: 'abc', client_id: rp.id, ui_locales: 'fr en', logout_hint: 'alice' });
    assert.equal(response.statusCode, 303);
    assert.equal(location(response), `${WITH_QUERY}&state=abc`);
    assert.equal((await silentAuthorize(browser)).get('error'), 'login_required');
  });

  it('without a post_logout_redirect_uri the browser gets the "you are signed out" page', async () => {
    const { browser, idToken } = await signIn();
    const response = await browser.get(endSessionUrl({ id_token_hint: idToken }));
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /You are signed out/);
    assert.match(response.body, /Relying Party/);
    assert.equal((await silentAuthorize(browser)).get('error'), 'login_required');
  });

  it('without state, back to the registered URI with no state parameter', async () => {
    const { browser, idToken } = await signIn();
    const response = await browser.get(endSessionUrl({ id_token_hint: idToken, post_logout_redirect_uri: LOGGED_OUT }));
    assert.equal(location(response), LOGGED_OUT);
  });

  it('no parameters at all, or only state: the confirmation page, then "You are signed out" (no redirect)', async () => {
    for (const params of [{}, { state: 'only' }] as Array<Record<string, string>>) {
      const { browser } = await signIn();
      const page = await browser.get(endSessionUrl(params));
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Sign out\?/);
      const confirmed = await browser.post('/session/end/confirm', { csrf: csrfFrom(page.body), decision: 'logout' });
      assert.equal(confirmed.statusCode, 200);
      assert.equal(confirmed.headers.location, undefined);
      assert.match(confirmed.body, /You are signed out/);
      assert.equal((await silentAuthorize(browser)).get('error'), 'login_required');
    }
  });

  it('with no session at all there is nothing to confirm: the signed-out page, or back to a registered URI only for a hint of ours', async () => {
    const { idToken } = await signIn();
    const stranger = new InjectBrowser(f.server.app);
    const page = await stranger.get('/session/end');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /You are signed out/);
    const back = await stranger.get(endSessionUrl({ id_token_hint: idToken, post_logout_redirect_uri: LOGGED_OUT, state: 's1' }));
    assert.equal(location(back), `${LOGGED_OUT}?state=s1`);
    // §3: without id_token_hint (client_id alone), no redirection without the user's confirmation.
    const unhinted = await stranger.get(endSessionUrl({ client_id: rp.id, post_logout_redirect_uri: LOGGED_OUT, state: 's2' }));
    assert.equal(unhinted.statusCode, 200);
    assert.equal(unhinted.headers.location, undefined);
    assert.match(unhinted.body, /You are signed out/);
  });
});

describe('attacks on the end-session endpoint', () => {
  it('an unregistered post_logout_redirect_uri is an error page: no redirect, still signed in', async () => {
    const { browser, idToken } = await signIn();
    for (const uri of ['https://evil.example/', 'https://rp.example/logged-out/', 'https://rp.example/logged-out?x=1', 'https://rp.example/bye?from=evil', 'https://rp.example/bye', 'HTTPS://rp.example/logged-out', 'https://rp.example/logged-out#f']) {
      const response = await browser.get(endSessionUrl({ id_token_hint: idToken, post_logout_redirect_uri: uri, state: 's' }));
      assert.equal(response.statusCode, 400, uri);
      assert.equal(response.headers.location, undefined, uri);
      assert.match(response.body, /post_logout_redirect_uri is not registered/);
    }
    assert.equal((await silentAuthorize(browser)).has('code'), true, 'still signed in');
  });

  it('a post_logout_redirect_uri with neither hint nor client_id, an unknown client_id, or a client_id that contradicts the hint: error pages', async () => {
    const { browser, idToken } = await signIn();
    const other = await addClient(f.server, { name: 'Other', redirectUris: ['https://other.example/cb'], scope: 'openid', postLogoutRedirectUris: [LOGGED_OUT] });
    const cases: Array<Record<string, string>> = [{ post_logout_redirect_uri: LOGGED_OUT }, { client_id: 'nope', post_logout_redirect_uri: LOGGED_OUT }, { client_id: other.id, id_token_hint: idToken, post_logout_redirect_uri: LOGGED_OUT }];
    for (const params of cases) {
      const response = await browser.get(endSessionUrl(params));
      assert.equal(response.statusCode, 400, JSON.stringify(params));
      assert.equal(response.headers.location, undefined);
    }
    assert.equal((await silentAuthorize(browser)).has('code'), true);
  });

  it('a hint signed by another key, with alg none, or tampered: never trusted, a confirmation page that will not redirect', async () => {
    const { browser, idToken } = await signIn();
    const claims = decodeJwt(idToken).payload;
    const header = decodeJwt(idToken).header;
    const { privateKey } = await generateKeyPair('ES256');
    const foreign = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: String(header.kid) }).sign(privateKey);
    const none = new UnsecuredJWT(claims).encode();
    const [h, , s] = idToken.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${s}`;
    for (const hint of [foreign, none, tampered, 'not-a-jwt']) {
      const response = await browser.get(endSessionUrl({ id_token_hint: hint, client_id: rp.id, post_logout_redirect_uri: LOGGED_OUT, state: 's' }));
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers.location, undefined);
      assert.match(response.body, /Sign out\?/);
      assert.doesNotMatch(response.body, /post_logout_redirect_uri/, 'the way back is dropped');
      const confirmed = await browser.post('/session/end/confirm', {
        csrf: csrfFrom(response.body), decision: 'stay', client_id: rp.id, post_logout_redirect_uri: LOGGED_OUT,
      });
      assert.match(confirmed.body, /still signed in/);
    }
    assert.equal((await silentAuthorize(browser)).has('code'), true, 'none of them signed the user out');
  });

  it('an expired hint, no hint, or another session\'s hint asks first; confirming signs out and goes back to the registered URI', async () => {
    const first = await signIn();
    const second = await signIn();
    const cases: Array<[string, Record<string, string>]> = [
      ['no hint', { client_id: rp.id, post_logout_redirect_uri: LOGGED_OUT, state: 'c1' }],
      ['another session\'s hint', { id_token_hint: first.idToken, post_logout_redirect_uri: LOGGED_OUT, state: 'c2' }],
    ];
    for (const [name, params] of cases) {
      const { browser } = await signIn(new InjectBrowser(f.server.app));
      const page = await browser.get(endSessionUrl(params));
      assert.equal(page.statusCode, 200, name);
      assert.match(page.body, /Sign out\?/, name);
      assert.equal((await silentAuthorize(browser)).has('code'), true, `${name}: not signed out before confirming`);
      const confirmed = await browser.post('/session/end/confirm', { csrf: csrfFrom(page.body), decision: 'logout', client_id: rp.id, post_logout_redirect_uri: LOGGED_OUT, state: params.state! });
      assert.equal(location(confirmed), `${LOGGED_OUT}?state=${params.state}`, name);
      assert.equal((await silentAuthorize(browser)).get('error'), 'login_required', name);
    }
    // Expired: the ID token lives idTokenTtl seconds.
    f.clock.now += f.server.app.latchkeyServer.config.idTokenTtl + 1;
    const page = await second.browser.get(endSessionUrl({ id_token_hint: second.idToken, post_logout_redirect_uri: LOGGED_OUT }));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Sign out\?/);
    assert.match(page.body, /Relying Party/, 'an expired hint of ours still names the client');
    const confirmed = await second.browser.post('/session/end/confirm', { csrf: csrfFrom(page.body), decision: 'logout', client_id: rp.id, post_logout_redirect_uri: LOGGED_OUT });
    assert.equal(location(confirmed), LOGGED_OUT);
  });

  it('the confirmation form is CSRF-protected: no token, another browser\'s token, or a GET do nothing', async () => {
    const { browser } = await signIn();
    const page = await browser.get(endSessionUrl({ client_id: rp.id }));
    const token = csrfFrom(page.body);
    const attacker = new InjectBrowser(f.server.app);
    const attackerPage = await attacker.get(endSessionUrl({}));
    assert.equal(attackerPage.statusCode, 200);
    const missing = await browser.post('/session/end/confirm', { decision: 'logout' });
    assert.equal(missing.statusCode, 403);
    // The attacker's own (signed-out) browser has no CSRF token to give; a made-up one fails.
    const forged = await browser.post('/session/end/confirm', { decision: 'logout', csrf: `${token.slice(0, -2)}AA` });
    assert.equal(forged.statusCode, 403);
    const other = new InjectBrowser(f.server.app);
    await signIn(other);
    const otherPage = await other.get(endSessionUrl({ client_id: rp.id }));
    const crossed = await browser.post('/session/end/confirm', { decision: 'logout', csrf: csrfFrom(otherPage.body) });
    assert.equal(crossed.statusCode, 403);
    const get = await browser.get('/session/end/confirm?decision=logout');
    assert.equal(get.statusCode, 404);
    assert.equal((await silentAuthorize(browser)).has('code'), true, 'still signed in');
  });

  it('a hostile state is escaped into the confirmation form and comes back byte for byte', async () => {
    const { browser } = await signIn();
    const state = '"><script>alert(1)</script>&x=1';
    const page = await browser.get(endSessionUrl({ client_id: rp.id, post_logout_redirect_uri: LOGGED_OUT, state }));
    assert.doesNotMatch(page.body, /<script>alert/);
    const stateField = /name="state" value="([^"]*)"/.exec(page.body)![1]!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    assert.equal(stateField, state);
    const confirmed = await browser.post('/session/end/confirm', { csrf: csrfFrom(page.body), decision: 'logout', client_id: rp.id, post_logout_redirect_uri: LOGGED_OUT, state: stateField });
    assert.equal(new URL(location(confirmed)).searchParams.get('state'), state);
  });

  it('a post_logout_redirect_uri changed in the confirmation form is not followed', async () => {
    const { browser } = await signIn();
    const page = await browser.get(endSessionUrl({ client_id: rp.id, post_logout_redirect_uri: LOGGED_OUT }));
    const confirmed = await browser.post('/session/end/confirm', { csrf: csrfFrom(page.body), decision: 'logout', client_id: rp.id, post_logout_redirect_uri: 'https://evil.example/' });
    assert.equal(confirmed.statusCode, 200);
    assert.equal(confirmed.headers.location, undefined);
    assert.match(confirmed.body, /You are signed out/);
  });

  it('repeated parameters are refused', async () => {
    const { browser, idToken } = await signIn();
    const response = await browser.get(`/session/end?id_token_hint=${idToken}&state=a&state=b`);
    assert.equal(response.statusCode, 400);
    assert.equal((await silentAuthorize(browser)).has('code'), true);
  });
});

describe('logout registration', () => {
  it('post-logout redirect URIs follow the redirect URI rules; back-channel URIs must be http(s); update changes them', async () => {
    const now = f.clock.now;
    await assert.rejects(addClient(f.server, { name: 'Bad', redirectUris: [CALLBACK], postLogoutRedirectUris: ['http://evil.example/'] }), RegistrationError);
    await assert.rejects(addClient(f.server, { name: 'Bad', redirectUris: [CALLBACK], backchannelLogoutUri: 'https://rp.example/bc#x' }), RegistrationError);
    await assert.rejects(addClient(f.server, { name: 'Bad', redirectUris: [CALLBACK], backchannelLogoutUri: 'com.example.app:/bc' }), RegistrationError);
    await assert.rejects(addClient(f.server, { name: 'Bad', redirectUris: [CALLBACK], backchannelLogoutSessionRequired: true }), RegistrationError);
    const updated = await updateClientLogout(f.server.store, rp.id, { backchannelLogoutUri: 'https://rp.example/backchannel', backchannelLogoutSessionRequired: true }, now);
    assert.deepEqual([updated.postLogoutRedirectUris, updated.backchannelLogoutUri, updated.backchannelLogoutSessionRequired], [[LOGGED_OUT, WITH_QUERY], 'https://rp.example/backchannel', true]);
    const cleared = await updateClientLogout(f.server.store, rp.id, { backchannelLogoutUri: '', backchannelLogoutSessionRequired: false }, now);
    assert.equal(cleared.backchannelLogoutUri, null);
    assert.deepEqual((await f.server.store.getClient(rp.id))?.postLogoutRedirectUris, [LOGGED_OUT, WITH_QUERY]);
  });
});
