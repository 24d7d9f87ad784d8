// The TOTP second factor over HTTP: enrolment on the account page (QR code drawn by the server, the key as text, a
// first code confirms it, ten recovery codes shown once), then sign-in asks for a code after the password (amr pwd, otp,
// mfa); from the attacker's side: a replayed code, a used recovery code, a wrong-code brute force throttled like
// passwords, secrets and codes never stored in clear. Step-up: a password session meets a client that requires a
// second factor or acr_values asking for it (prompt=none: interaction_required).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RECOVERY_CODE_COUNT } from '../../src/accounts/second-factor.ts';
import { base32Decode, hotp, matchTotp, timeStep } from '../../src/accounts/totp.ts';
import { PASSWORD, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { authorizeUrl, callbackParams, csrfFrom, decodeJwt, formActionFrom, InjectBrowser, location, pkcePair, tokenRequest } from '../helpers/authorization-flow.ts';
import { addClient, addTestUser } from '../helpers/test-server.ts';

describe('TOTP second factor', () => {
  let f: Fixture;
  let key = '';
  let recoveryCodes: string[] = [];

  before(async () => {
    f = await startFixture();
  });
  after(() => f.server.close());

  const code = (offsetSteps = 0) => hotp(base32Decode(key), timeStep(f.clock.now) + offsetSteps);
  const nextStep = () => { f.clock.now += 30; };

  async function accountSignIn(browser: InjectBrowser, username = 'alice') {
    const page = await browser.get('/account');
    return browser.post(formActionFrom(page.body), { csrf: csrfFrom(page.body), username, password: PASSWORD });
  }

  /** Starts an authorization request for `clientId` and signs in with the password; returns the next response. */
  async function passwordStep(browser: InjectBrowser, clientId = f.web.id, extra: Record<string, string> = {}) {
    const pkce = pkcePair();
    const start = await browser.get(authorizeUrl({
      response_type: 'code', client_id: clientId, redirect_uri: WEB_CALLBACK, scope: 'openid', state: 's', code_challenge: pkce.challenge, code_challenge_method: 'S256', ...extra,
    }));
    if (start.statusCode === 303 && !location(start).includes('/interaction/')) return { response: start, pkce };
    const login = await browser.get(location(start));
    if (!/name="password"/.test(login.body)) return { response: login, pkce };
    return { response: await browser.post(formActionFrom(login.body), { csrf: csrfFrom(login.body), username: 'alice', password: PASSWORD }), pkce };
  }

  /** From the second-factor page: posts `value`, then allows consent if asked; returns the final response. */
  async function enterCode(browser: InjectBrowser, page: string, value: string) {
    const response = await browser.post(formActionFrom(page), { csrf: csrfFrom(page), code: value });
    if (response.statusCode !== 303) return response;
    const next = location(response);
    if (!next.includes('/interaction/')) return response;
    const consent = await browser.get(next);
    return browser.post(formActionFrom(consent.body), { csrf: csrfFrom(consent.body), decision: 'allow' });
  }

  async function idTokenOf(response: { headers: Record<string, unknown> }, verifier: string, client: { id: string; secret?: string } = f.web) {
    const tokens = await tokenRequest(f.server.app, client, { grant_type: 'authorization_code', code: callbackParams(response as never).get('code')!, redirect_uri: WEB_CALLBACK, code_verifier: verifier });
    assert.equal(tokens.statusCode, 200, tokens.body);
    return decodeJwt(tokens.json().id_token).payload;
  }

  test('step-up: a password session and a client requiring a second factor; with prompt=none, interaction_required', async () => {
    const strict = await addClient(f.server, { name: 'Payroll', redirectUris: [WEB_CALLBACK], scope: 'openid', requireMfa: true });
    const browser = new InjectBrowser(f.server.app);
    const first = await passwordStep(browser);
    assert.equal(first.response.statusCode, 303);
    const consent = await browser.get(location(first.response));
    const done = await browser.post(formActionFrom(consent.body), { csrf: csrfFrom(consent.body), decision: 'allow' });
    const plain = await idTokenOf(done, first.pkce.verifier);
    assert.deepEqual([plain.amr, plain.acr], [['pwd'], 'urn:latchkey:acr:pwd']);

    // The same session, silently, for a client that needs more: not a login page, interaction_required.
    const silent = await passwordStep(browser, strict.id, { prompt: 'none' });
    assert.equal(callbackParams(silent.response).get('error'), 'interaction_required');
    const asked = await passwordStep(browser, f.web.id, { prompt: 'none', acr_values: 'urn:latchkey:acr:mfa' });
    assert.equal(callbackParams(asked.response).get('error'), null, 'voluntary acr_values and no second factor: the user is not held up');
    assert.ok(callbackParams(asked.response).get('code'));

    // Without a second factor the page says where to add one (the client's setting is not voluntary).
    const none = await passwordStep(browser, strict.id);
    assert.match(none.response.body, /You have no second factor yet/);
    const metadata = (await f.server.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json();
    assert.deepEqual(metadata.acr_values_supported, ['urn:latchkey:acr:pwd', 'urn:latchkey:acr:mfa']);
    assert.ok(metadata.claims_supported.includes('amr') && metadata.claims_supported.includes('acr'));
  });

  test('enrolment: a QR code drawn here, the key as text, a wrong first code refused, ten recovery codes shown once', async () => {
    const browser = new InjectBrowser(f.server.app);
    await accountSignIn(browser);
    const account = await browser.get('/account');
    const start = await browser.post(`${f.issuer}/account/totp/start`, { csrf: csrfFrom(account.body) });
    assert.equal(start.statusCode, 303);
    const setup = await browser.get('/account');
    assert.match(setup.body, /<div class="qr" role="img" aria-label="QR code for your authenticator app"><svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.doesNotMatch(String(setup.headers['content-security-policy']), /img-src|unsafe/);
    key = /Key: <span class="secret">([A-Z2-7 ]+)<\/span>/.exec(setup.body)![1]!.replace(/ /g, '');
    assert.equal(base32Decode(key).length, 20, '160-bit secret');
    const sealed = (await f.server.store.getTotpFactor(f.userId))!.secretSealed;
    assert.ok(!sealed.includes(key) && sealed.startsWith('v1.'), 'the secret is sealed at rest');

    const wrong = await browser.post(`${f.issuer}/account/totp/confirm`, { csrf: csrfFrom(setup.body), code: String((Number(code()) + 1) % 1_000_000).padStart(6, '0') });
    assert.equal(wrong.statusCode, 400);
    assert.equal((await f.server.store.getTotpFactor(f.userId))!.confirmedAt, null);
    const confirmed = await browser.post(`${f.issuer}/account/totp/confirm`, { csrf: csrfFrom(setup.body), code: code() });
    assert.equal(confirmed.statusCode, 200);
    recoveryCodes = [...confirmed.body.matchAll(/<li>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})<\/li>/g)].map((m) => m[1]!);
    assert.equal(recoveryCodes.length, RECOVERY_CODE_COUNT);
    assert.equal(RECOVERY_CODE_COUNT, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    const later = await browser.get('/account');
    assert.doesNotMatch(later.body, new RegExp(recoveryCodes[0]!), 'shown once');
    assert.match(later.body, /10 recovery codes left/);
    const rows = await f.server.store.db.selectFrom('recovery_codes').select('code_hash').execute();
    assert.ok(rows.every((r) => !recoveryCodes.some((c) => r.code_hash.includes(c.replace(/-/g, '')))), 'stored hashed');
  });

  test('the enrolment code itself cannot sign in again; the next code does, after the password, with amr pwd otp mfa', async () => {
    const browser = new InjectBrowser(f.server.app);
    const { response, pkce } = await passwordStep(browser);
    const secondStep = await browser.get(location(response));
    assert.match(secondStep.body, /Code from your authenticator app, or a recovery code/);
    assert.equal([...browser.cookies.keys()].some((n) => n.includes('sso')), false, 'no session before the second factor');
    const replay = await enterCode(browser, secondStep.body, code());
    assert.equal(replay.statusCode, 400, 'the step used to confirm the app is spent');
    nextStep();
    const done = await enterCode(browser, replay.body, code());
    const payload = await idTokenOf(done, pkce.verifier);
    assert.deepEqual(payload.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(payload.acr, 'urn:latchkey:acr:mfa');
  });

  test('a replayed code is refused (its step was used), and an older one inside the window too', async () => {
    const browser = new InjectBrowser(f.server.app);
    const { response } = await passwordStep(browser);
    const page = await browser.get(location(response));
    const sameStep = await enterCode(browser, page.body, code());
    assert.equal(sameStep.statusCode, 400);
    assert.match(sameStep.body, /already used/);
    const older = await enterCode(browser, sameStep.body, code(-1));
    assert.equal(older.statusCode, 400);
  });

  test('a recovery code works once, and is then spent', async () => {
    const use = async () => {
      const browser = new InjectBrowser(f.server.app);
      const { response } = await passwordStep(browser);
      const page = await browser.get(location(response));
      return enterCode(browser, page.body, recoveryCodes[0]!.toUpperCase());
    };
    assert.equal((await use()).statusCode, 303);
    const again = await use();
    assert.equal(again.statusCode, 400);
    assert.equal(await f.server.store.countRecoveryCodes(f.userId), 9);
  });

  test('brute force on the code is throttled like passwords: then even the right code waits', async () => {
    const browser = new InjectBrowser(f.server.app);
    browser.remoteAddress = '10.9.9.9';
    const { response } = await passwordStep(browser);
    let page = (await browser.get(location(response))).body;
    let last = 0;
    for (let i = 0; i < 6; i++) {
      const attempt = await enterCode(browser, page, String(100000 + i));
      last = attempt.statusCode;
      page = attempt.body;
      if (last === 429) break;
    }
    assert.equal(last, 429);
    nextStep();
    const right = await enterCode(browser, page, code());
    assert.equal(right.statusCode, 429, 'throttled, not checked');
    const events = await f.server.store.db.selectFrom('audit_events').select('type').where('type', '=', 'second-factor.failed').execute();
    assert.ok(events.length >= 5);
    f.clock.now += 3600;
  });

  test('the account page asks for the code after the password too', async () => {
    const browser = new InjectBrowser(f.server.app);
    const page = await accountSignIn(browser);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Confirm it(&#39;|')s you/);
    assert.equal([...browser.cookies.keys()].some((n) => n.includes('sso')), false);
    nextStep();
    const done = await browser.post(formActionFrom(page.body), { csrf: csrfFrom(page.body), pending: /name="pending" value="([^"]+)"/.exec(page.body)![1]!, code: code() });
    assert.equal(location(done), `${f.issuer}/account`);
    assert.match((await browser.get('/account')).body, /Signed in as <strong>alice/);
    const reused = await browser.post(formActionFrom(page.body), { csrf: csrfFrom(page.body), pending: /name="pending" value="([^"]+)"/.exec(page.body)![1]!, code: code() });
    assert.equal(reused.statusCode, 400, 'the pending sign-in is taken once');
  });

  test('a user who set up the app during a password session is stepped up by acr_values with the code', async () => {
    const dave = await addTestUser(f.server, 'dave', PASSWORD);
    const browser = new InjectBrowser(f.server.app);
    await accountSignIn(browser, 'dave');
    const account = await browser.get('/account');
    await browser.post(`${f.issuer}/account/totp/start`, { csrf: csrfFrom(account.body) });
    const setup = await browser.get('/account');
    const daveKey = /Key: <span class="secret">([A-Z2-7 ]+)<\/span>/.exec(setup.body)![1]!.replace(/ /g, '');
    await browser.post(`${f.issuer}/account/totp/confirm`, { csrf: csrfFrom(setup.body), code: hotp(base32Decode(daveKey), timeStep(f.clock.now)) });
    nextStep();
    const pkce = pkcePair();
    const start = await browser.get(authorizeUrl({
      response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid', state: 's', code_challenge: pkce.challenge, code_challenge_method: 'S256',
      acr_values: 'urn:latchkey:acr:mfa',
    }));
    const step = await browser.get(location(start));
    assert.match(step.body, /Contact Importer asks for a stronger sign-in/);
    const done = await enterCode(browser, step.body, hotp(base32Decode(daveKey), timeStep(f.clock.now)));
    const payload = await idTokenOf(done, pkce.verifier);
    assert.equal(payload.sub, dave.id);
    assert.equal(payload.acr, 'urn:latchkey:acr:mfa');
  });

  test('RFC 6238 Appendix B: the SHA-1 test vectors', () => {
    const secret = Buffer.from('12345678901234567890');
    for (const [time, expected] of [[59, '94287082'], [1111111109, '07081804'], [1234567890, '89005924'], [2000000000, '69279037']] as const) {
      // The vectors are 8 digits; ours are the last 6 of the same truncated value.
      assert.equal(hotp(secret, Math.floor(time / 30)), expected.slice(2));
    }
    assert.equal(matchTotp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', '287082', 59), 1, 'the step it matched');
    assert.equal(matchTotp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', '287082', 59 + 90), undefined, 'outside the window');
  });
});
