// The device authorization grant (RFC 8628) over app.inject: the device authorization endpoint (§3.1-3.2), the
// verification pages (§3.3: sign-in, code, consent, with CSRF), polling (§3.4-3.5: authorization_pending, slow_down,
// access_denied, expired_token), one redemption, and the attacker's side of each rule.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { hashSecret } from '../../src/crypto/random.ts';
import { SLOW_DOWN_INCREASE } from '../../src/grants/device-code.ts';
import { csrfFrom, decodeJwt, InjectBrowser, tokenRequest } from '../helpers/authorization-flow.ts';
import {
  decideOnDevicePage, deviceAuthorizationRequest, DEVICE_GRANT, enterUserCode, openDevicePage, pollToken, startDeviceAuthorization,
} from '../helpers/device-flow.ts';
import { addApi, addClient, addTestUser, startTestServer, verifyWithServerJwks, type TestServer } from '../helpers/test-server.ts';
import { assertStoreInvariants } from '../helpers/store-invariants.ts';

const API = 'https://contacts.example';
const PASSWORD = 'correct horse battery staple';
const ALICE = { username: 'alice', password: PASSWORD };
const BOB = { username: 'bob', password: PASSWORD };
const CAROL = { username: 'carol', password: PASSWORD };
const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;

let server: TestServer;
const clock = { now: 1_900_000_000 };
let tv: { id: string };
let cli: { id: string; secret: string };
let web: { id: string; secret: string };
let aliceId: string;
let bobId: string;

before(async () => {
  server = await startTestServer({ requestsPerSecondPerAddress: 0 }, { now: () => clock.now });
  await addApi(server, API, { 'contacts:read': 'Read your contacts', 'contacts:write': 'Change your contacts' });
  tv = await addClient(server, { name: 'Living Room TV', isPublic: true, grantTypes: [DEVICE_GRANT, 'refresh_token'], scope: 'openid profile contacts:read' });
  const confidential = await addClient(server, { name: 'Build Agent', grantTypes: [DEVICE_GRANT], scope: 'contacts:read contacts:write' });
  cli = { id: confidential.id, secret: confidential.secret! };
  const webClient = await addClient(server, { name: 'Web App', redirectUris: ['https://app.example/cb'], scope: 'openid contacts:read' });
  web = { id: webClient.id, secret: webClient.secret! };
  aliceId = (await addTestUser(server, 'alice', PASSWORD, { email: 'alice@example.com', name: 'Alice' })).id;
  bobId = (await addTestUser(server, 'bob', PASSWORD)).id;
  await addTestUser(server, 'carol', PASSWORD);
});
after(async () => {
  await server.close();
});

function assertTokenError(response: LightMyRequestResponse, error: string): void {
  assert.equal(response.statusCode, 400, response.body);
  assert.equal(response.json().error, error, response.body);
  assert.equal(response.headers['cache-control'], 'no-store');
}

/** Polls once, after the device's interval (the test clock moves on by it). */
async function pollAfterInterval(client: { id: string; secret?: string }, deviceCode: string, interval = 5): Promise<LightMyRequestResponse> {
  clock.now += interval;
  return pollToken(server.app, client, deviceCode);
}

describe('device authorization endpoint (RFC 8628 §3.1-3.2)', () => {
  it('answers a device code, an easy-to-type user code, both verification URIs, expires_in and interval; stores only hashes', async () => {
    const response = await deviceAuthorizationRequest(server.app, tv, { scope: 'openid contacts:read' });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), ['device_code', 'expires_in', 'interval', 'user_code', 'verification_uri', 'verification_uri_complete']);
    assert.match(body.user_code, USER_CODE);
    assert.match(body.device_code, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(body.verification_uri, 'http://127.0.0.1:4000/device');
    assert.equal(body.verification_uri_complete, `http://127.0.0.1:4000/device?user_code=${body.user_code}`);
    assert.equal(body.expires_in, 600);
    assert.equal(body.interval, 5);
    const row = await server.store.db.selectFrom('device_codes').selectAll().where('device_code_hash', '=', hashSecret(body.device_code)).executeTakeFirstOrThrow();
    const stored = JSON.stringify(await server.store.db.selectFrom('device_codes').selectAll().execute());
    assert.ok(!stored.includes(body.device_code), 'the device code is stored as its hash only');
    assert.ok(!stored.includes(body.user_code) && !stored.includes(body.user_code.replace('-', '')), 'the user code is stored as its keyed hash only');
    assert.equal(row.status, 'pending');
    assert.equal(row.audience, API);
  });

  it('authenticates confidential clients as the token endpoint does, and refuses clients without the grant', async () => {
    assert.equal((await deviceAuthorizationRequest(server.app, cli, { scope: 'contacts:read' })).statusCode, 200);
    const noSecret = await deviceAuthorizationRequest(server.app, { id: cli.id }, { scope: 'contacts:read' });
    assert.equal(noSecret.statusCode, 401);
    assert.equal(noSecret.json().error, 'invalid_client');
    const wrongSecret = await deviceAuthorizationRequest(server.app, { id: cli.id, secret: 'wrong' }, { scope: 'contacts:read' });
    assert.equal(wrongSecret.json().error, 'invalid_client');
    const unknown = await deviceAuthorizationRequest(server.app, { id: 'nobody' }, { scope: 'openid' });
    assert.equal(unknown.json().error, 'invalid_client');
    const notRegistered = await deviceAuthorizationRequest(server.app, web, { scope: 'openid' });
    assert.equal(notRegistered.statusCode, 400);
    assert.equal(notRegistered.json().error, 'unauthorized_client');
    assert.match(notRegistered.json().error_description, /device_code grant/);
    const get = await server.app.inject({ method: 'GET', url: '/device/authorize' });
    assert.equal(get.statusCode, 405);
  });

  it('applies the scope rules of /authorize: known scopes the client may ask for, openid allowed, one API (resource)', async () => {
    const notAllowed = await deviceAuthorizationRequest(server.app, tv, { scope: 'openid contacts:write' });
    assert.equal(notAllowed.json().error, 'invalid_scope');
    assert.match(notAllowed.json().error_description, /not allowed to request scope .contacts:write./);
    assert.equal((await deviceAuthorizationRequest(server.app, tv, { scope: 'openid made:up' })).json().error, 'invalid_scope');
    assert.equal((await deviceAuthorizationRequest(server.app, tv, {})).json().error, 'invalid_scope');
    assert.equal((await deviceAuthorizationRequest(server.app, tv, { scope: 'openid' })).statusCode, 200);
    assert.equal((await deviceAuthorizationRequest(server.app, tv, { scope: 'contacts:read', resource: API })).statusCode, 200);
    assert.equal((await deviceAuthorizationRequest(server.app, tv, { scope: 'contacts:read', resource: 'https://other.example' })).json().error, 'invalid_target');
    const repeated = await server.app.inject({ method: 'POST', url: '/device/authorize', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `client_id=${tv.id}&scope=openid&scope=profile` });
    assert.equal(repeated.json().error, 'invalid_request');
  });

  it('is advertised in the metadata with the grant type', async () => {
    const metadata = (await server.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json();
    assert.equal(metadata.device_authorization_endpoint, 'http://127.0.0.1:4000/device/authorize');
    assert.ok(metadata.grant_types_supported.includes(DEVICE_GRANT));
  });
});

describe('the device flow through the verification pages', () => {
  it('signs in, confirms the pre-filled code, approves; the device gets access, refresh and ID tokens of the approving user, once', async () => {
    const started = await startDeviceAuthorization(server.app, tv, 'openid profile contacts:read');
    assertTokenError(await pollToken(server.app, tv, started.device_code), 'authorization_pending');

    const browser = new InjectBrowser(server.app);
    const login = await browser.get(started.verification_uri_complete);
    assert.equal(login.statusCode, 200);
    assert.match(login.body, /Sign in/);
    assert.match(login.body, new RegExp(`action="http://127.0.0.1:4000/device/login\\?user_code=${started.user_code}"`));
    const codePage = await openDevicePage(browser, started.verification_uri_complete, ALICE);
    assert.match(codePage.body, new RegExp(`value="${started.user_code}"`), 'the code from verification_uri_complete is pre-filled');
    // Opening verification_uri_complete while signed in approves nothing (RFC 8628 §5.4): the user must confirm and click.
    assertTokenError(await pollAfterInterval(tv, started.device_code), 'authorization_pending');

    const consent = await enterUserCode(browser, codePage, started.user_code);
    assert.equal(consent.statusCode, 200);
    assert.match(consent.body, /Allow <strong>Living Room TV<\/strong> access\?/);
    assert.match(consent.body, /Read your contacts/);
    assert.match(consent.body, /see your name and username/);
    assert.match(consent.body, new RegExp(`shows the code <strong>${started.user_code}</strong>`));
    assertTokenError(await pollAfterInterval(tv, started.device_code), 'authorization_pending');

    const done = await browser.post('/device/decision', { csrf: csrfFrom(consent.body), user_code: started.user_code, decision: 'allow' });
    assert.equal(done.statusCode, 200);
    assert.match(done.body, /Device connected/);

    const tokens = await pollAfterInterval(tv, started.device_code);
    assert.equal(tokens.statusCode, 200, tokens.body);
    const body = tokens.json();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.scope, 'openid profile contacts:read');
    assert.ok(body.refresh_token, 'the client has the refresh_token grant');
    const access = await verifyWithServerJwks(server.app, body.access_token, { typ: 'at+jwt', audience: API });
    assert.equal(access.payload.sub, aliceId);
    assert.equal(access.payload.client_id, tv.id);
    const id = decodeJwt(body.id_token).payload;
    assert.equal(id.sub, aliceId);
    assert.equal(id.aud, tv.id);
    assert.equal(id.name, 'Alice');

    // Neither code reaches a log line (verification_uri_complete and the login form carry the user code in the URL).
    const logs = server.logs.join('');
    assert.ok(logs.includes('user_code=[redacted]'), 'the page requests were logged, redacted');
    assert.ok(!logs.includes(started.user_code) && !logs.includes(started.device_code));

    // Redeemed exactly once: the second presentation is invalid_grant.
    const again = await pollAfterInterval(tv, started.device_code);
    assertTokenError(again, 'invalid_grant');
    assert.match(again.json().error_description, /already redeemed/);

    // The refresh token works like any other, and the consent is remembered for the account page.
    const refreshed = await tokenRequest(server.app, tv, { grant_type: 'refresh_token', refresh_token: body.refresh_token });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    assert.deepEqual((await server.store.getConsent(aliceId, tv.id))?.scopes.sort(), ['contacts:read', 'openid', 'profile']);
    await assertStoreInvariants(server.store.db, { now: clock.now });

  });

  it('the device is a connected app on the account page; revoking it there ends its refresh token', async () => {
    const started = await startDeviceAuthorization(server.app, tv, 'openid contacts:read');
    const carol = new InjectBrowser(server.app);
    await decideOnDevicePage(carol, started.user_code, CAROL);
    const tokens = await pollAfterInterval(tv, started.device_code);
    assert.equal(tokens.statusCode, 200, tokens.body);
    const account = await carol.get('/account');
    assert.match(account.body, /<h3>Living Room TV<\/h3>/);
    assert.equal((await carol.post('/account/revoke', { csrf: csrfFrom(account.body), client_id: tv.id })).statusCode, 303);
    assertTokenError(await tokenRequest(server.app, tv, { grant_type: 'refresh_token', refresh_token: tokens.json().refresh_token }), 'invalid_grant');
  });

  it('normalises the typed code (case, spaces, dashes) and says what is wrong with a malformed one', async () => {
    const started = await startDeviceAuthorization(server.app, tv, 'openid');
    const browser = new InjectBrowser(server.app);
    browser.remoteAddress = '10.9.0.1';
    const codePage = await openDevicePage(browser, '/device', ALICE);
    const malformed = await enterUserCode(browser, codePage, 'ABC');
    assert.equal(malformed.statusCode, 400);
    assert.match(malformed.body, /Codes have 8 letters/);
    for (const hostile of ['\u0000', 'x'.repeat(10_000), '<script>alert(1)</script>', '%00%', 'ＢＣＤＦ－ＧＨＪＫ\u0301', '\ud800', '']) {
      for (const path of ['/device', '/device/decision']) {
        const answer = await browser.post(path, { csrf: csrfFrom(codePage.body), user_code: hostile, decision: 'allow' });
        assert.equal(answer.statusCode, 400, `${path} ${hostile.slice(0, 20)}`);
        assert.ok(!answer.body.includes('<script>alert'), 'escaped');
      }
    }
    const typed = ` ${started.user_code.slice(0, 2).toLowerCase()} ${started.user_code.slice(2).replace('-', ' - ').toLowerCase()} `;
    const consent = await enterUserCode(browser, codePage, typed);
    assert.equal(consent.statusCode, 200, consent.body);
    assert.match(consent.body, /Living Room TV/);
  });

  it('remembered consent lists nothing new, and still waits for the click', async () => {
    const started = await startDeviceAuthorization(server.app, tv, 'openid contacts:read');
    const browser = new InjectBrowser(server.app);
    const consent = await enterUserCode(browser, await openDevicePage(browser, '/device', ALICE), started.user_code);
    assert.match(consent.body, /It asks for nothing you have not allowed it before/);
    assert.match(consent.body, /You already allowed it to: Read your contacts/);
    assertTokenError(await pollAfterInterval(tv, started.device_code), 'authorization_pending');
  });

  it('a confidential device client without refresh_token and without openid gets an access token only', async () => {
    const started = await startDeviceAuthorization(server.app, cli, 'contacts:write');
    await decideOnDevicePage(new InjectBrowser(server.app), started.user_code, BOB);
    const tokens = await pollAfterInterval(cli, started.device_code);
    assert.equal(tokens.statusCode, 200, tokens.body);
    assert.deepEqual(Object.keys(tokens.json()).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(decodeJwt(tokens.json().access_token).payload.sub, bobId);
  });
});

describe('device flow: the attacker side', () => {
  it('denied: access_denied, and the code never gives tokens afterwards', async () => {
    const started = await startDeviceAuthorization(server.app, tv, 'openid');
    const done = await decideOnDevicePage(new InjectBrowser(server.app), started.user_code, ALICE, 'deny');
    assert.match(done.body, /Access denied/);
    assertTokenError(await pollAfterInterval(tv, started.device_code), 'access_denied');
    assertTokenError(await pollAfterInterval(tv, started.device_code), 'access_denied');
  });

  it('expired: expired_token for the device, and the user code is unknown on the page', async () => {
    const started = await startDeviceAuthorization(server.app, tv, 'openid');
    clock.now += 600;
    assertTokenError(await pollToken(server.app, tv, started.device_code), 'expired_token');
    const browser = new InjectBrowser(server.app);
    browser.remoteAddress = '10.9.0.2';
    const page = await enterUserCode(browser, await openDevicePage(browser, '/device', ALICE), started.user_code);
    assert.equal(page.statusCode, 400);
    assert.match(page.body, /not valid or has expired/);
  });

  it('polling faster than the interval: slow_down, and the interval grows by 5 seconds each time', async () => {
    assert.equal(SLOW_DOWN_INCREASE, 5, 'RFC 8628 §3.5');
    const started = await startDeviceAuthorization(server.app, tv, 'openid');
    assertTokenError(await pollToken(server.app, tv, started.device_code), 'authorization_pending');
    const early = await pollToken(server.app, tv, started.device_code);
    assertTokenError(early, 'slow_down');
    assert.match(early.json().error_description, /at least 10 seconds/);
    // Waiting the old interval is still too fast: 15 now.
    clock.now += 5;
    const stillEarly = await pollToken(server.app, tv, started.device_code);
    assertTokenError(stillEarly, 'slow_down');
    assert.match(stillEarly.json().error_description, /at least 15 seconds/);
    assertTokenError(await pollAfterInterval(tv, started.device_code, 15), 'authorization_pending');
    assertTokenError(await pollToken(server.app, tv, started.device_code), 'slow_down');
  });

  it('a device code presented by another client is invalid_grant and stays usable by its own client', async () => {
    const thief = await addClient(server, { name: 'Thief TV', isPublic: true, grantTypes: [DEVICE_GRANT], scope: 'openid contacts:read' });
    const started = await startDeviceAuthorization(server.app, tv, 'openid');
    await decideOnDevicePage(new InjectBrowser(server.app), started.user_code, ALICE);
    const stolen = await pollAfterInterval(thief, started.device_code);
    assertTokenError(stolen, 'invalid_grant');
    assert.equal(stolen.json().error_description, 'the device code is invalid');
    assertTokenError(await pollToken(server.app, web, started.device_code), 'unauthorized_client');
    assert.equal((await pollToken(server.app, tv, started.device_code)).statusCode, 200, 'the thief neither burned nor slowed the code');
  });

  it('a device code with another grant type is refused as another grant\'s credential', async () => {
    const started = await startDeviceAuthorization(server.app, tv, 'openid');
    const mixed = await tokenRequest(server.app, tv, { grant_type: 'refresh_token', refresh_token: 'x', device_code: started.device_code });
    assertTokenError(mixed, 'invalid_request');
    const inQuery = await server.app.inject({ method: 'POST', url: `/token?device_code=${started.device_code}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=${encodeURIComponent(DEVICE_GRANT)}&client_id=${tv.id}` });
    assertTokenError(inQuery, 'invalid_request');
  });

  it('approved by another user: the tokens are the approver\'s, and a second approval of the code is refused', async () => {
    const started = await startDeviceAuthorization(server.app, tv, 'openid contacts:read');
    // Alice opens the consent page for the code; Bob (who got the code from her screen, or tricked her into it)
    // approves first. The first decision stands: the device signs in as Bob; Alice's click is refused.
    const alice = new InjectBrowser(server.app);
    const aliceConsent = await enterUserCode(alice, await openDevicePage(alice, '/device', ALICE), started.user_code);
    assert.equal(aliceConsent.statusCode, 200);
    const bobDone = await decideOnDevicePage(new InjectBrowser(server.app), started.user_code, BOB);
    assert.match(bobDone.body, /Device connected/);
    const aliceClick = await alice.post('/device/decision', { csrf: csrfFrom(aliceConsent.body), user_code: started.user_code, decision: 'allow' });
    assert.equal(aliceClick.statusCode, 400);
    assert.match(aliceClick.body, /already been used/);
    const aliceAgain = await enterUserCode(alice, await alice.get('/device'), started.user_code);
    assert.equal(aliceAgain.statusCode, 400);
    assert.match(aliceAgain.body, /already been used/);
    const tokens = await pollAfterInterval(tv, started.device_code);
    assert.equal(tokens.statusCode, 200, tokens.body);
    assert.equal(decodeJwt(tokens.json().access_token).payload.sub, bobId);
    assert.equal(decodeJwt(tokens.json().id_token).payload.sub, bobId);
    assert.equal(await server.store.getConsent(aliceId, tv.id).then((c) => c?.scopes.includes('contacts:read')), true, 'Alice\'s earlier consent is untouched');
  });

  it('forms without the browser\'s CSRF token are refused, and signed-out posts go back to sign-in', async () => {
    const started = await startDeviceAuthorization(server.app, tv, 'openid');
    const alice = new InjectBrowser(server.app);
    const codePage = await openDevicePage(alice, '/device', ALICE);
    const noToken = await alice.post('/device', { user_code: started.user_code });
    assert.equal(noToken.statusCode, 403);
    const other = new InjectBrowser(server.app);
    await other.get('/device');
    const foreignToken = await other.post('/device/decision', { csrf: csrfFrom(codePage.body), user_code: started.user_code, decision: 'allow' });
    assert.equal(foreignToken.statusCode, 403);
    const signedOut = await other.post('/device', { csrf: csrfFrom((await other.get('/device')).body), user_code: started.user_code });
    assert.equal(signedOut.statusCode, 303);
    assert.equal(signedOut.headers.location, `http://127.0.0.1:4000/device?user_code=${started.user_code}`);
    assertTokenError(await pollAfterInterval(tv, started.device_code), 'authorization_pending');
  });

  it('concurrent redemptions of an approved code: exactly one gets tokens, one grant is stored', async () => {
    const started = await startDeviceAuthorization(server.app, tv, 'openid contacts:read');
    await decideOnDevicePage(new InjectBrowser(server.app), started.user_code, ALICE);
    clock.now += 5;
    const results = await Promise.all(Array.from({ length: 20 }, () => pollToken(server.app, tv, started.device_code)));
    const ok = results.filter((r) => r.statusCode === 200);
    assert.equal(ok.length, 1, results.map((r) => r.body).join('\n'));
    for (const r of results.filter((x) => x.statusCode !== 200)) assert.ok(['slow_down', 'invalid_grant'].includes(r.json().error), r.body);
    const grants = await server.store.db.selectFrom('grants').selectAll().where('client_id', '=', tv.id).where('user_id', '=', aliceId).execute();
    const row = await server.store.db.selectFrom('device_codes').selectAll().where('device_code_hash', '=', hashSecret(started.device_code)).executeTakeFirstOrThrow();
    assert.equal(row.status, 'consumed');
    assert.equal(grants.filter((g) => g.id === row.grant_id).length, 1);
    await assertStoreInvariants(server.store.db, { now: clock.now });
  });
});

describe('guessing user codes (RFC 8628 §5.1)', () => {
  let guarded: TestServer;
  let tvClient: { id: string };
  const time = { now: 1_900_000_000 };
  before(async () => {
    guarded = await startTestServer({ userCodeFailureLimitPerAddress: 5, userCodeFailureLimitGlobal: 8, failureWindow: 300, requestsPerSecondPerAddress: 0 }, { now: () => time.now });
    tvClient = await addClient(guarded, { name: 'Living Room TV', isPublic: true, grantTypes: [DEVICE_GRANT], scope: 'openid' });
    await addTestUser(guarded, 'mallory', PASSWORD);
    await addTestUser(guarded, 'alice', PASSWORD);
  });
  after(() => guarded.close());

  it('wrong codes are throttled per address (429 with Retry-After, then even the right code), and globally across addresses', async () => {
    const started = await startDeviceAuthorization(guarded.app, tvClient, 'openid');
    const mallory = new InjectBrowser(guarded.app);
    mallory.remoteAddress = '10.6.6.1';
    const page = await openDevicePage(mallory, '/device', { username: 'mallory', password: PASSWORD });
    const guess = (browser: InjectBrowser, code: string) => browser.post('/device', { csrf: csrfFrom(page.body), user_code: code });
    for (let i = 0; i < 5; i++) {
      const wrong = await guess(mallory, `BBBB-BBB${'CDFGH'[i]}`);
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /not valid or has expired/);
    }
    const throttled = await guess(mallory, started.user_code);
    assert.equal(throttled.statusCode, 429);
    assert.equal(throttled.headers['retry-after'], '300');
    assert.match(throttled.body, /Too many wrong codes were entered\. Please wait up to 5 minutes/);
    const decisionToo = await mallory.post('/device/decision', { csrf: csrfFrom(page.body), user_code: started.user_code, decision: 'allow' });
    assert.equal(decisionToo.statusCode, 429, 'posting the decision directly is no way around the throttle');

    // Another address can still enter its code, until the failures of all addresses together reach the global limit.
    const alice = new InjectBrowser(guarded.app);
    alice.remoteAddress = '10.7.0.1';
    const alicePage = await openDevicePage(alice, '/device', ALICE);
    assert.equal((await enterUserCode(alice, alicePage, started.user_code)).statusCode, 200);
    mallory.remoteAddress = '10.6.6.2';
    for (let i = 0; i < 3; i++) assert.equal((await guess(mallory, `CCCC-CCC${'BDF'[i]}`)).statusCode, 400);
    const everyone = await enterUserCode(alice, alicePage, started.user_code);
    assert.equal(everyone.statusCode, 429);
    assertTokenError(await pollToken(guarded.app, tvClient, started.device_code), 'authorization_pending');

    // The limit ends with its window.
    time.now += 300;
    assert.equal((await enterUserCode(alice, alicePage, started.user_code)).statusCode, 200);
  });
});
