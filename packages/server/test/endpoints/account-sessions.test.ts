// The account page's sessions: the user sees where they are signed in (device, last active) and signs one or all of
// them out; each ended session triggers back-channel logout to the apps that took part (Back-Channel Logout 1.0).
// Attacker's side: no CSRF token, another user's sid.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authorizeUrl, callbackParams, csrfFrom, decodeJwt, InjectBrowser, location, pkcePair } from '../helpers/authorization-flow.ts';
import { signInThroughCodeFlow } from '../helpers/code-flow-sign-in.ts';
import { addClient, addTestUser, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { describeDevice } from '../../src/accounts/device-description.ts';
import { LogoutReceiver } from '../logout/logout-receiver.ts';

const CALLBACK = 'https://rp.example/cb';
const PASSWORD = 'correct horse battery staple';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

let server: TestServer;
let receiver: LogoutReceiver;
let rp: { id: string; secret: string | undefined };

before(async () => {
  server = await startTestServer();
  receiver = await new LogoutReceiver().start();
  rp = await addClient(server, { name: 'Importer', redirectUris: [CALLBACK], scope: 'openid', backchannelLogoutUri: receiver.url });
  await addTestUser(server, 'alice', PASSWORD);
  await addTestUser(server, 'bob', PASSWORD);
});
after(async () => {
  await server.close();
  await receiver.close();
});

async function signIn(username: string, userAgent: string) {
  const browser = new InjectBrowser(server.app);
  browser.headers['user-agent'] = userAgent;
  const { idToken } = await signInThroughCodeFlow({ app: server.app, client: rp, redirectUri: CALLBACK, scope: 'openid', username, password: PASSWORD, browser });
  return { browser, sid: decodeJwt(idToken).payload.sid as string };
}

async function signedIn(browser: InjectBrowser): Promise<boolean> {
  const pkce = pkcePair();
  const response = await browser.get(authorizeUrl({ response_type: 'code', client_id: rp.id, redirect_uri: CALLBACK, scope: 'openid', prompt: 'none', code_challenge: pkce.challenge, code_challenge_method: 'S256' }));
  return callbackParams(response).has('code');
}

async function logoutsFor(sid: string): Promise<number> {
  return receiver.received.filter((r) => decodeJwt(r.logoutToken!).payload.sid === sid).length;
}

describe('active sessions on the account page', () => {
  it('lists each session with its device and last activity, this browser marked', async () => {
    const laptop = await signIn('alice', FIREFOX);
    await signIn('alice', SAFARI);
    const page = await laptop.browser.get('/account');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<strong>Firefox on Linux<\/strong> \(this browser\)/);
    assert.match(page.body, /<strong>Safari on iOS<\/strong><br>/);
    assert.match(page.body, /last active \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    assert.match(page.body, /Sign out everywhere/);
  });

  it('signing out another session ends it (that browser is signed out) and tells the app over the back channel', async () => {
    const laptop = await signIn('alice', FIREFOX);
    const phone = await signIn('alice', SAFARI);
    const page = await laptop.browser.get('/account');
    const response = await laptop.browser.post('/account/sessions/sign-out', { csrf: csrfFrom(page.body), sid: phone.sid });
    assert.equal(response.statusCode, 303);
    assert.equal(location(response), `${server.app.latchkeyServer.config.issuer}/account`);
    assert.equal(await signedIn(phone.browser), false, 'the phone is signed out');
    assert.equal(await signedIn(laptop.browser), true, 'this browser is not');
    await receiver.waitFor(1);
    while ((await logoutsFor(phone.sid)) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(await logoutsFor(laptop.sid), 0);
  });

  it('"Sign out everywhere" ends every session of the user, this one included, each with back-channel logout', async () => {
    const laptop = await signIn('alice', FIREFOX);
    const phone = await signIn('alice', SAFARI);
    const bob = await signIn('bob', FIREFOX);
    const page = await laptop.browser.get('/account');
    const response = await laptop.browser.post('/account/sessions/sign-out', { csrf: csrfFrom(page.body), all: '1' });
    assert.equal(response.statusCode, 303);
    assert.match(String(response.headers['set-cookie']), /latchkey_sso=;.*Max-Age=0/i);
    assert.equal(await signedIn(laptop.browser), false);
    assert.equal(await signedIn(phone.browser), false);
    assert.equal(await signedIn(bob.browser), true, 'another user is untouched');
    for (const sid of [laptop.sid, phone.sid]) {
      while ((await logoutsFor(sid)) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(await logoutsFor(bob.sid), 0);
    assert.equal((await server.store.listSessionsForUser((await server.store.findUserByUsername('alice'))!.id, server.app.latchkeyServer.now())).length, 0);
  });

  it('without the CSRF token nothing is signed out; another user\'s sid is not found among one\'s own', async () => {
    const alice = await signIn('alice', FIREFOX);
    const bob = await signIn('bob', SAFARI);
    const missing = await bob.browser.post('/account/sessions/sign-out', { all: '1' });
    assert.equal(missing.statusCode, 403);
    const forged = await bob.browser.post('/account/sessions/sign-out', { csrf: 'x'.repeat(43), sid: alice.sid });
    assert.equal(forged.statusCode, 403);
    const page = await bob.browser.get('/account');
    const crossed = await bob.browser.post('/account/sessions/sign-out', { csrf: csrfFrom(page.body), sid: alice.sid });
    assert.equal(crossed.statusCode, 303);
    assert.equal(await signedIn(alice.browser), true, 'alice is still signed in');
    assert.equal(await signedIn(bob.browser), true);
  });

  it('"Revoke access" for an app ends its grant, not a session: no logout token is queued and the sessions go on', async () => {
    const laptop = await signIn('alice', FIREFOX);
    const page = await laptop.browser.get('/account');
    const response = await laptop.browser.post('/account/revoke', { csrf: csrfFrom(page.body), client_id: rp.id });
    assert.equal(response.statusCode, 303);
    // Deliveries are queued before the answer (decisions.md): none for this session means none will come.
    const queued = await server.store.listLogoutDeliveries({ limit: 1000 });
    assert.deepEqual(queued.filter((d) => d.sid === laptop.sid), []);
    assert.ok((await laptop.browser.get('/account')).body.includes('Where you are signed in'), 'still signed in at the server');
  });

  it('names devices from their user agent', () => {
    assert.equal(describeDevice(FIREFOX), 'Firefox on Linux');
    assert.equal(describeDevice(SAFARI), 'Safari on iOS');
    assert.equal(describeDevice('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0'), 'Edge on Windows');
    assert.equal(describeDevice('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'), 'Chrome on macOS');
    assert.equal(describeDevice(null), 'Unknown browser');
    assert.equal(describeDevice('weird-bot'), 'Unknown browser');
  });
});
