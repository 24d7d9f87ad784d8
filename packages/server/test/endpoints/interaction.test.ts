// Login and consent (OpenID Connect Core §3.1.2.3-3.1.2.4, RFC 6749 §10.12 CSRF, OWASP authentication guidance):
// labelled forms, CSRF tokens bound to the browser, server-side requests bound to the browser that started them,
// equal answers for unknown users and wrong passwords, bounded throttling, SSO with prompt/max_age/id_token_hint,
// remembered and incremental consent.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  authorizeUrl, callbackParams, csrfFrom, decodeJwt, formActionFrom, InjectBrowser, location, pkcePair, runAuthorization, tokenRequest,
} from '../helpers/authorization-flow.ts';
import { PASSWORD, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { addClient, addTestUser, startTestServer } from '../helpers/test-server.ts';

let f: Fixture;
const pkce = pkcePair();
const BOB_PASSWORD = 'bob has a long password';

before(async () => {
  f = await startFixture();
  await addTestUser(f.server, 'bob', BOB_PASSWORD);
});
after(async () => {
  await f.server.close();
});

function request(overrides: Record<string, string | undefined> = {}): string {
  return authorizeUrl({
    response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid contacts:read', state: 'st',
    code_challenge: pkce.challenge, code_challenge_method: 'S256', ...overrides,
  });
}

/** Starts a request in `browser` and returns the login page response. */
async function openLogin(browser: InjectBrowser, url = request()) {
  const start = await browser.get(url);
  assert.equal(start.statusCode, 303, start.body);
  const page = await browser.get(location(start));
  assert.equal(page.statusCode, 200, page.body);
  return page;
}

async function signIn(browser: InjectBrowser, username = 'alice', password = PASSWORD, url = request()) {
  const page = await openLogin(browser, url);
  return browser.post(formActionFrom(page.body), { csrf: csrfFrom(page.body), username, password });
}

/** Signs in and approves everything, leaving `browser` with a session and consent for the request's scopes. */
async function signInAndAllow(browser: InjectBrowser, username = 'alice', password = PASSWORD, url = request()) {
  return runAuthorization(browser, url, { username, password });
}

describe('login page and login', () => {
  it('has labelled Username and Password fields, a Sign in button and the app name; login_hint is prefilled and escaped', async () => {
    const page = await openLogin(new InjectBrowser(f.server.app), request({ login_hint: 'al"<ice>' }));
    assert.match(page.body, /<label for="username">Username<\/label>\s*<input id="username" name="username"/);
    assert.match(page.body, /<label for="password">Password<\/label>\s*<input id="password" name="password" type="password"/);
    assert.match(page.body, /<button type="submit" class="wide">Sign in<\/button>/);
    assert.match(page.body, /Contact Importer/);
    assert.ok(page.body.includes('value="al&quot;&lt;ice&gt;"'), 'hint escaped');
    assert.ok(!page.body.includes('al"<ice>'));
  });

  it('display, ui_locales, claims_locales, login_hint and acr_values are accepted (OIDC Core §3.1.2.1): login_hint prefills, the flow completes', async () => {
    const browser = new InjectBrowser(f.server.app);
    const url = request({ display: 'popup', ui_locales: 'fr-CA fr en', claims_locales: 'de', login_hint: 'alice', acr_values: 'urn:mace:incommon:iap:silver' });
    const page = await openLogin(browser, url);
    assert.match(page.body, /<input id="username" name="username"[^>]*value="alice"/);
    const { response } = await runAuthorization(browser, url, { username: 'alice', password: PASSWORD });
    assert.ok(callbackParams(response).get('code'), String(response.headers.location));
  });

  it('each of them repeated is invalid_request (RFC 6749 §3.1), redirected with no code', async () => {
    for (const name of ['display', 'ui_locales', 'claims_locales', 'login_hint', 'acr_values']) {
      const response = await new InjectBrowser(f.server.app).get(`${request({ [name]: 'page' })}&${name}=touch`);
      assert.equal(response.statusCode, 303, name);
      const params = callbackParams(response);
      assert.equal(params.get('error'), 'invalid_request', name);
      assert.equal(params.get('code'), null, name);
    }
  });

  it('success answers 303, sets an HttpOnly SameSite=Lax session cookie, and the store keeps only its SHA-256', async () => {
    const browser = new InjectBrowser(f.server.app);
    const response = await signIn(browser);
    assert.equal(response.statusCode, 303);
    const cookie = [response.headers['set-cookie']].flat().find((c) => String(c).startsWith('latchkey_sso='));
    assert.ok(cookie, 'session cookie set');
    assert.match(String(cookie), /; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    assert.doesNotMatch(String(cookie), /Secure/, 'plain-http issuer: no Secure');
    const value = browser.cookies.get('latchkey_sso')!;
    const rows = await f.server.store.db.selectFrom('sessions').select('id_hash').execute();
    assert.ok(rows.some((r) => r.id_hash === createHash('sha256').update(value).digest('base64url')));
    assert.ok(rows.every((r) => r.id_hash !== value), 'raw cookie value never stored');
  });

  it('passwords, session cookies and codes never reach the log', async () => {
    const browser = new InjectBrowser(f.server.app);
    await signIn(browser, 'alice', 'a wrong password that must not be logged');
    const { response } = await signInAndAllow(browser);
    const code = callbackParams(response).get('code')!;
    const logs = f.server.logs.join('\n');
    for (const secret of [PASSWORD, 'a wrong password that must not be logged', browser.cookies.get('latchkey_sso')!, browser.cookies.get('latchkey_interaction')!, code]) {
      assert.ok(!logs.includes(secret), `log leaks ${secret.slice(0, 6)}…`);
    }
  });

  it('a new login replaces the previous session (no fixation)', async () => {
    const browser = new InjectBrowser(f.server.app);
    await signIn(browser);
    const first = browser.cookies.get('latchkey_sso')!;
    await signIn(browser, 'alice', PASSWORD, request({ prompt: 'login' }));
    const second = browser.cookies.get('latchkey_sso')!;
    assert.notEqual(first, second);
    const stale = new InjectBrowser(f.server.app);
    stale.cookies.set('latchkey_sso', first);
    const response = await stale.get(request({ prompt: 'none' }));
    assert.equal(callbackParams(response).get('error'), 'login_required');
  });

  it('unknown user and wrong password get the same answer', async () => {
    const attempt = async (username: string) => {
      const browser = new InjectBrowser(f.server.app);
      browser.remoteAddress = `10.1.0.${username.length}`;
      const page = await openLogin(browser);
      const response = await browser.post(formActionFrom(page.body), { csrf: csrfFrom(page.body), username, password: 'wrong password!' });
      return { response };
    };
    const unknown = await attempt('nobody-here');
    const wrong = await attempt('alice');
    assert.equal(unknown.response.statusCode, 400);
    assert.equal(wrong.response.statusCode, 400);
    for (const r of [unknown, wrong]) assert.match(r.response.body, /Incorrect username or password\./);
    const strip = (html: string) => html.replace(/value="[^"]*"/g, '').replace(/data-options="[^"]*"/g, '').replace(/interaction\/[A-Za-z0-9_-]+/g, '');
    assert.equal(strip(unknown.response.body), strip(wrong.response.body), 'same page apart from ids and echoed values');
    // Equal work (one argon2id verification either way) is asserted deterministically in accounts/password-hashing.test.ts.
  });

  describe('CSRF (forms are bound to the browser cookie)', () => {
    it('missing token → 403, no session', async () => {
      const browser = new InjectBrowser(f.server.app);
      const page = await openLogin(browser);
      const response = await browser.post(formActionFrom(page.body), { username: 'alice', password: PASSWORD });
      assert.equal(response.statusCode, 403);
      assert.equal(response.headers['set-cookie'], undefined);
    });

    it('wrong token → 403', async () => {
      const browser = new InjectBrowser(f.server.app);
      const page = await openLogin(browser);
      const response = await browser.post(formActionFrom(page.body), { csrf: 'A'.repeat(43), username: 'alice', password: PASSWORD });
      assert.equal(response.statusCode, 403);
    });

    it("another browser's valid token, or a token without the cookie → 403", async () => {
      const victim = new InjectBrowser(f.server.app);
      const page = await openLogin(victim);
      const attacker = new InjectBrowser(f.server.app);
      const attackerPage = await openLogin(attacker);
      const crossed = await victim.post(formActionFrom(page.body), { csrf: csrfFrom(attackerPage.body), username: 'alice', password: PASSWORD });
      assert.equal(crossed.statusCode, 403);
      const cookieless = new InjectBrowser(f.server.app);
      const response = await cookieless.post(formActionFrom(page.body), { csrf: csrfFrom(page.body), username: 'alice', password: PASSWORD });
      assert.equal(response.statusCode, 403);
    });

    it('the consent form is protected the same way', async () => {
      const browser = new InjectBrowser(f.server.app);
      await signInAndAllow(browser);
      const start = await browser.get(request({ prompt: 'consent' }));
      const consent = await browser.get(location(start));
      assert.match(consent.body, /Allow/);
      const response = await browser.post(formActionFrom(consent.body), { decision: 'allow' });
      assert.equal(response.statusCode, 403);
      const wrong = await browser.post(formActionFrom(consent.body), { decision: 'allow', csrf: 'x' });
      assert.equal(wrong.statusCode, 403);
    });
  });

  it("an interaction started by one browser cannot be continued by another (link sent to a victim)", async () => {
    const attacker = new InjectBrowser(f.server.app);
    const start = await attacker.get(request());
    const victim = new InjectBrowser(f.server.app);
    await signInAndAllow(victim);
    const response = await victim.get(location(start));
    assert.equal(response.statusCode, 400);
    assert.doesNotMatch(response.body, /<form/);
    const noCookie = await f.server.app.inject({ method: 'GET', url: InjectBrowser.path(location(start)) });
    assert.equal(noCookie.statusCode, 400);
  });

  it("a stranger cannot lock a user out: 6 wrong passwords from address A answer 429 with Retry-After at A only; the right password from B, or from A's known device, signs in", async () => {
    // Bob signed in earlier on his laptop at the office (address A): the browser is now a known device.
    const laptop = new InjectBrowser(f.server.app);
    laptop.remoteAddress = '10.2.0.1';
    const first = await signIn(laptop, 'bob', BOB_PASSWORD);
    assert.equal(first.statusCode, 303);
    assert.match(String(first.headers['set-cookie']), /latchkey_device=[\w-]{22}\.\d+\.[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=2592000/);
    laptop.cookies.delete('latchkey_sso'); // signed out since; the device cookie stays

    const attacker = new InjectBrowser(f.server.app);
    attacker.remoteAddress = '10.2.0.1';
    for (let i = 0; i < 5; i++) assert.equal((await signIn(attacker, 'bob', `guess ${i}`)).statusCode, 400);
    const sixth = await signIn(attacker, 'BOB', 'guess 6');
    assert.equal(sixth.statusCode, 429);
    assert.match(sixth.body, /Too many failed sign-in attempts\. Please wait up to 15 minutes and try again\./);
    assert.equal(sixth.headers['retry-after'], '900');
    const rightPasswordAtA = await signIn(attacker, 'bob', BOB_PASSWORD);
    assert.equal(rightPasswordAtA.statusCode, 429, 'the attacker at A (no known device) stays throttled, even with the password');
    assert.doesNotMatch(String(rightPasswordAtA.headers['set-cookie']), /latchkey_sso/, 'no session');
    const forged = new InjectBrowser(f.server.app);
    forged.remoteAddress = '10.2.0.1';
    forged.cookies.set('latchkey_device', `${'A'.repeat(22)}.${f.clock.now}.${'B'.repeat(43)}`);
    assert.equal((await signIn(forged, 'bob', BOB_PASSWORD)).statusCode, 429, 'a forged device cookie proves nothing');

    const fromB = new InjectBrowser(f.server.app);
    fromB.remoteAddress = '10.2.0.2';
    assert.equal((await signIn(fromB, 'bob', BOB_PASSWORD)).statusCode, 303, 'the user at another address is not locked out');
    assert.equal((await signIn(laptop, 'bob', BOB_PASSWORD)).statusCode, 303, "the user's known device at A is not locked out");

    f.clock.now += 901;
    assert.equal((await signIn(attacker, 'bob', BOB_PASSWORD)).statusCode, 303, 'the window ends by itself');
  });

  it('the slower per-account limit: 20 failures from many addresses throttle unknown devices for an hour, never the known device', async () => {
    await addTestUser(f.server, 'carol', 'carol has a long password');
    const phone = new InjectBrowser(f.server.app);
    phone.remoteAddress = '10.4.0.100';
    assert.equal((await signIn(phone, 'carol', 'carol has a long password')).statusCode, 303);
    phone.cookies.delete('latchkey_sso');
    for (let address = 1; address <= 4; address++) {
      const bot = new InjectBrowser(f.server.app);
      bot.remoteAddress = `10.4.0.${address}`;
      for (let i = 0; i < 5; i++) assert.equal((await signIn(bot, 'carol', 'guess')).statusCode, 400, `bot ${address}, guess ${i}`);
    }
    const newLaptop = new InjectBrowser(f.server.app);
    newLaptop.remoteAddress = '10.4.0.200';
    const refused = await signIn(newLaptop, 'carol', 'carol has a long password');
    assert.equal(refused.statusCode, 429, 'a distributed guesser is held back');
    assert.equal(refused.headers['retry-after'], '3600');
    assert.equal((await signIn(phone, 'carol', 'carol has a long password')).statusCode, 303, 'the known device still signs in');
    const aliceDevice = new InjectBrowser(f.server.app);
    aliceDevice.remoteAddress = '10.4.0.201';
    assert.equal((await signIn(aliceDevice, 'alice', PASSWORD)).statusCode, 303);
    aliceDevice.cookies.delete('latchkey_sso');
    assert.equal((await signIn(aliceDevice, 'carol', 'carol has a long password')).statusCode, 429, "alice's known device is not carol's");
    f.clock.now += 3601;
    assert.equal((await signIn(newLaptop, 'carol', 'carol has a long password')).statusCode, 303);
  });

  it('a known device is held to its own limit: 5 failures there, then 429 for that device', async () => {
    await addTestUser(f.server, 'dave', 'dave has a long password');
    const device = new InjectBrowser(f.server.app);
    device.remoteAddress = '10.5.0.1';
    assert.equal((await signIn(device, 'dave', 'dave has a long password')).statusCode, 303);
    device.cookies.delete('latchkey_sso');
    for (let i = 0; i < 5; i++) assert.equal((await signIn(device, 'dave', 'typo')).statusCode, 400);
    const throttled = await signIn(device, 'dave', 'dave has a long password');
    assert.equal(throttled.statusCode, 429);
    assert.equal(throttled.headers['retry-after'], '900');
  });

  it('throttling per client IP: many failures from one address throttle every account there, not elsewhere', async () => {
    const sprayer = new InjectBrowser(f.server.app);
    sprayer.remoteAddress = '10.3.0.1';
    const page = await openLogin(sprayer);
    let last;
    for (let i = 0; i < 30; i++) {
      last = await sprayer.post(formActionFrom(page.body), { csrf: csrfFrom(page.body), username: `spray-${i}`, password: 'guess' });
      assert.equal(last.statusCode, 400);
    }
    const blocked = await sprayer.post(formActionFrom(page.body), { csrf: csrfFrom(page.body), username: 'alice', password: PASSWORD });
    assert.equal(blocked.statusCode, 429);
    const other = new InjectBrowser(f.server.app);
    other.remoteAddress = '10.3.0.2';
    assert.equal((await signIn(other)).statusCode, 303);
  });
});

describe('single sign-on and OpenID Connect prompts', () => {
  it('with a session and remembered consent, a request completes without any page', async () => {
    const browser = new InjectBrowser(f.server.app);
    const url = request({ client_id: f.single.id, redirect_uri: 'https://single.example/cb', scope: 'openid profile' });
    const first = await signInAndAllow(browser, 'alice', PASSWORD, url);
    assert.deepEqual(first.pages, ['login', 'consent']);
    const second = await signInAndAllow(browser, 'alice', PASSWORD, url);
    assert.deepEqual(second.pages, []);
    assert.ok(callbackParams(second.response).get('code'));
  });

  it('prompt=none with a session completes silently, with state and iss', async () => {
    const browser = new InjectBrowser(f.server.app);
    await signInAndAllow(browser);
    const response = await browser.get(request({ prompt: 'none', state: 'silent' }));
    assert.equal(response.statusCode, 303);
    const params = callbackParams(response);
    assert.ok(params.get('code'));
    assert.equal(params.get('state'), 'silent');
    assert.equal(params.get('iss'), f.issuer);
  });

  it('prompt=none with a session but a scope not yet approved → consent_required', async () => {
    const browser = new InjectBrowser(f.server.app);
    await signInAndAllow(browser, 'alice', PASSWORD, request({ client_id: f.relaxed.id, redirect_uri: 'https://legacy.example/cb' }));
    const response = await browser.get(request({ client_id: f.relaxed.id, redirect_uri: 'https://legacy.example/cb', scope: 'openid contacts:write', prompt: 'none' }));
    const params = callbackParams(response);
    assert.equal(params.get('error'), 'consent_required');
    assert.equal(params.get('state'), 'st');
    assert.equal(params.get('iss'), f.issuer);
  });

  it('prompt=login shows the login page despite a session', async () => {
    const browser = new InjectBrowser(f.server.app);
    await signInAndAllow(browser);
    const again = await signInAndAllow(browser, 'alice', PASSWORD, request({ prompt: 'login' }));
    assert.deepEqual(again.pages, ['login']);
  });

  it('max_age: an older authentication forces a new login, and prompt=none then gets login_required', async () => {
    const browser = new InjectBrowser(f.server.app);
    await signInAndAllow(browser);
    f.clock.now += 120;
    assert.deepEqual((await signInAndAllow(browser, 'alice', PASSWORD, request({ max_age: '600' }))).pages, []);
    const boundary = await browser.get(request({ max_age: '120', prompt: 'none' }));
    assert.equal(callbackParams(boundary).get('error'), 'login_required', 'exactly max_age seconds old counts as too old');
    const silent = await browser.get(request({ max_age: '60', prompt: 'none' }));
    assert.equal(callbackParams(silent).get('error'), 'login_required');
    const forced = await signInAndAllow(browser, 'alice', PASSWORD, request({ max_age: '60' }));
    assert.deepEqual(forced.pages, ['login']);
    // The fresh login's auth_time reaches the ID token.
    const loginTime = f.clock.now;
    const tokens = await tokenRequest(f.server.app, f.web, { grant_type: 'authorization_code', code: callbackParams(forced.response).get('code')!, redirect_uri: WEB_CALLBACK, code_verifier: pkce.verifier });
    assert.equal(decodeJwt(tokens.json().id_token).payload.auth_time, loginTime);
  });

  it('max_age=0 always asks for a fresh login, even right after one', async () => {
    const browser = new InjectBrowser(f.server.app);
    await signInAndAllow(browser);
    assert.deepEqual((await signInAndAllow(browser, 'alice', PASSWORD, request({ max_age: '0' }))).pages, ['login']);
    assert.equal(callbackParams(await browser.get(request({ max_age: '0', prompt: 'none' }))).get('error'), 'login_required');
  });

  it('id_token_hint: the same user completes silently; another user with prompt=none → login_required', async () => {
    const browser = new InjectBrowser(f.server.app);
    const flow = await signInAndAllow(browser);
    const tokens = await tokenRequest(f.server.app, f.web, { grant_type: 'authorization_code', code: callbackParams(flow.response).get('code')!, redirect_uri: WEB_CALLBACK, code_verifier: pkce.verifier });
    const idToken = tokens.json().id_token as string;
    assert.ok(callbackParams(await browser.get(request({ prompt: 'none', id_token_hint: idToken }))).get('code'));

    const bob = new InjectBrowser(f.server.app);
    await signInAndAllow(bob, 'bob', BOB_PASSWORD);
    assert.equal(callbackParams(await bob.get(request({ prompt: 'none', id_token_hint: idToken }))).get('error'), 'login_required');
  });
});

describe('consent', () => {
  it('names the app and each scope by its description, with Allow and Deny buttons', async () => {
    const browser = new InjectBrowser(f.server.app);
    await signIn(browser, 'alice', PASSWORD, request({ client_id: f.single.id, redirect_uri: 'https://single.example/cb', scope: 'openid email contacts:read' }));
    const start = await browser.get(request({ client_id: f.single.id, redirect_uri: 'https://single.example/cb', scope: 'openid email contacts:read', prompt: 'consent' }));
    const page = await browser.get(location(start));
    assert.match(page.body, /Allow <strong>Single<\/strong> access\?/);
    for (const d of ['see your email address', 'Read your contacts']) assert.ok(page.body.includes(d), d);
    assert.ok(!page.body.includes('know who you are'), 'openid is implied by signing in when other scopes are asked');
    assert.match(page.body, /<button type="submit" name="decision" value="allow">Allow<\/button>/);
    assert.match(page.body, /<button type="submit" name="decision" value="deny" class="secondary">Deny<\/button>/);
    assert.match(page.body, /Signed in as alice/);
  });

  it('is remembered; a request that adds a scope asks only for the new one (incremental)', async () => {
    const browser = new InjectBrowser(f.server.app);
    const url = (scope: string) => request({ client_id: f.spa.id, redirect_uri: 'https://spa.example/callback', scope });
    const first = await signInAndAllow(browser, 'alice', PASSWORD, url('openid contacts:read'));
    assert.deepEqual(first.pages, ['login', 'consent']);
    assert.deepEqual((await signInAndAllow(browser, 'alice', PASSWORD, url('contacts:read'))).pages, [], 'subset: no page');

    const start = await browser.get(url('openid contacts:read email'));
    const page = await browser.get(location(start));
    assert.ok(page.body.includes('see your email address'));
    const asked = /<ul>([\s\S]*?)<\/ul>/.exec(page.body)![1]!;
    assert.ok(!asked.includes('Read your contacts'), 'already granted scope not asked again');
    assert.ok(!asked.includes('know who you are'));
    const done = await browser.post(formActionFrom(page.body), { csrf: csrfFrom(page.body), decision: 'allow' });
    assert.ok(callbackParams(done).get('code'));
    const consent = await f.server.store.getConsent(f.userId, f.spa.id);
    assert.deepEqual(consent?.scopes, ['contacts:read', 'email', 'openid']);
  });

  it('prompt=consent always asks, for every scope', async () => {
    const browser = new InjectBrowser(f.server.app);
    await signInAndAllow(browser);
    const again = await signInAndAllow(browser, 'alice', PASSWORD, request({ prompt: 'consent' }));
    assert.deepEqual(again.pages, ['consent']);
  });

  it('Deny → access_denied with state and iss, and nothing is remembered', async () => {
    const denier = await addClient(f.server, { name: 'Denied App', redirectUris: ['https://denied.example/cb'], scope: 'openid' });
    const browser = new InjectBrowser(f.server.app);
    const url = request({ client_id: denier.id, redirect_uri: 'https://denied.example/cb', scope: 'openid', state: 'deny me' });
    const { response, pages } = await runAuthorization(browser, url, { username: 'alice', password: PASSWORD, decision: 'deny' });
    assert.deepEqual(pages, ['login', 'consent']);
    assert.equal(response.statusCode, 303);
    assert.ok(String(response.headers.location).startsWith('https://denied.example/cb?'));
    const params = callbackParams(response);
    assert.equal(params.get('error'), 'access_denied');
    assert.equal(params.get('state'), 'deny me');
    assert.equal(params.get('iss'), f.issuer);
    assert.equal(params.get('code'), null);
    assert.equal(await f.server.store.getConsent(f.userId, denier.id), undefined);
  });

  it('a replayed consent form issues nothing the second time', async () => {
    const browser = new InjectBrowser(f.server.app);
    await signInAndAllow(browser);
    const start = await browser.get(request({ prompt: 'consent' }));
    const page = await browser.get(location(start));
    const form = { csrf: csrfFrom(page.body), decision: 'allow' };
    const first = await browser.post(formActionFrom(page.body), form);
    assert.ok(callbackParams(first).get('code'));
    const replay = await browser.post(formActionFrom(page.body), form);
    assert.equal(replay.statusCode, 400);
    assert.equal(replay.headers.location, undefined);
  });
});

describe('cookies on an https issuer', () => {
  it('are __Host- prefixed, Secure, HttpOnly, SameSite=Lax, Path=/', async () => {
    const server = await startTestServer({ issuer: 'https://login.example' });
    try {
      const client = await addClient(server, { name: 'App', redirectUris: ['https://app.example/cb'], scope: 'openid' });
      await addTestUser(server, 'carol', PASSWORD);
      const browser = new InjectBrowser(server.app);
      const url = authorizeUrl({ response_type: 'code', client_id: client.id, scope: 'openid', code_challenge: pkce.challenge, code_challenge_method: 'S256' });
      const start = await browser.get(url);
      assert.match(String(start.headers['set-cookie']), /^__Host-latchkey_interaction=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
      assert.match(String(start.headers['strict-transport-security']), /max-age=/);
      const page = await browser.get(location(start));
      assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
      const login = await browser.post(formActionFrom(page.body), { csrf: csrfFrom(page.body), username: 'carol', password: PASSWORD });
      assert.equal(login.statusCode, 303);
      const [session, device] = login.headers['set-cookie'] as string[];
      assert.match(String(session), /^__Host-latchkey_sso=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200; Secure$/);
      assert.match(String(device), /^__Host-latchkey_device=[A-Za-z0-9_-]{22}\.\d+\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=2592000; Secure$/);
      assert.ok(formActionFrom(page.body).startsWith('https://login.example/interaction/'));
    } finally {
      await server.close();
    }
  });
});
