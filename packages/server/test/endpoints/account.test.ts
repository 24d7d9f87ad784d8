// The account page: a user sees the apps they authorized and revokes one; the app then loses access
// (refresh, introspection, UserInfo) without the password being involved. Attacker's side: CSRF, no session.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { authorizeUrl, callbackParams, csrfFrom, formActionFrom, InjectBrowser, location, pkcePair, runAuthorization, tokenRequest } from '../helpers/authorization-flow.ts';
import { addClient, addTestUser, basic, form, FORM_HEADERS } from '../helpers/test-server.ts';

describe('account page', () => {
  let f: Fixture;

  before(async () => {
    f = await startFixture();
  });
  after(() => f.server.close());

  /** Runs the code flow for the web client and returns its tokens. */
  async function connectWebApp(browser: InjectBrowser, scope = 'openid email contacts:read') {
    const pkce = pkcePair();
    const { response } = await runAuthorization(browser, authorizeUrl({
      response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope, state: 's', code_challenge: pkce.challenge, code_challenge_method: 'S256',
    }), { username: 'alice', password: PASSWORD });
    const code = callbackParams(response).get('code')!;
    const tokens = await tokenRequest(f.server.app, f.web, { grant_type: 'authorization_code', code, redirect_uri: WEB_CALLBACK, code_verifier: pkce.verifier });
    assert.equal(tokens.statusCode, 200, tokens.body);
    return tokens.json() as { access_token: string; refresh_token: string };
  }

  // Asked by the tokens' own client: refresh tokens are introspectable by their client only (RFC 7662 §2.2).
  const introspect = (token: string) => f.server.app.inject({ method: 'POST', url: '/introspect', headers: { ...FORM_HEADERS, authorization: basic(f.web.id, f.web.secret) }, payload: form({ token }) });

  test('without a session, /account shows the sign-in form; signing in shows the connected apps', async () => {
    const browser = new InjectBrowser(f.server.app);
    const page = await browser.get('/account');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<label for="username">Username<\/label>/);
    assert.match(page.body, /<button type="submit" class="wide">Sign in<\/button>/);
    assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
    const wrong = await browser.post(formActionFrom(page.body), { csrf: csrfFrom(page.body), username: 'alice', password: 'not it' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /Incorrect username or password/);
    const signedIn = await browser.post(formActionFrom(page.body), { csrf: csrfFrom(page.body), username: 'alice', password: PASSWORD });
    assert.equal(signedIn.statusCode, 303);
    assert.equal(location(signedIn), `${f.issuer}/account`);
    const account = await browser.get('/account');
    assert.match(account.body, /Signed in as <strong>alice<\/strong>/);
  });

  test('the page lists the app with its scopes in plain language, and revoking it ends its access', async () => {
    const browser = new InjectBrowser(f.server.app);
    const tokens = await connectWebApp(browser);
    assert.equal((await introspect(tokens.access_token)).json().active, true);

    const account = await browser.get('/account');
    assert.equal(account.statusCode, 200, 'the SSO session from the flow signs the user in');
    assert.match(account.body, /<h3>Contact Importer<\/h3>/);
    assert.match(account.body, /<li>Read your contacts<\/li>/);
    assert.match(account.body, /<li>see your email address<\/li>/);
    assert.match(account.body, /Allowed \d{4}-\d\d-\d\d \d\d:\d\d UTC · last active/);

    const revoke = await browser.post(`${f.issuer}/account/revoke`, { csrf: csrfFrom(account.body), client_id: f.web.id });
    assert.equal(revoke.statusCode, 303);
    const after = await browser.get(location(revoke));
    assert.match(after.body, /Access for <strong>Contact Importer<\/strong> was revoked/);
    assert.match(after.body, /No app has access to your account/);

    const refreshed = await tokenRequest(f.server.app, f.web, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    assert.equal(refreshed.statusCode, 400);
    assert.equal(refreshed.json().error, 'invalid_grant');
    assert.deepEqual((await introspect(tokens.access_token)).json(), { active: false });
    assert.deepEqual((await introspect(tokens.refresh_token)).json(), { active: false });
    const userinfo = await f.server.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(userinfo.statusCode, 401);
    assert.match(String(userinfo.headers['www-authenticate']), /error="invalid_token"/);
    assert.equal(await f.server.store.getConsent(f.userId, f.web.id), undefined, 'remembered consent is forgotten');
    const [audited] = await f.server.store.listAuditEvents({ types: ['consent.revoked'], limit: 1 });
    assert.deepEqual([audited?.userId, audited?.clientId, audited?.requestId], [f.userId, f.web.id, revoke.headers['x-request-id']], 'in the audit trail');
    const hash = (await f.server.store.getUser(f.userId))!.passwordHash;
    assert.match(hash ?? "", /^\$argon2id\$/, 'the password is untouched');

    // Connecting again asks for consent afresh.
    const pkce = pkcePair();
    const { pages } = await runAuthorization(browser, authorizeUrl({
      response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid contacts:read', state: 's', code_challenge: pkce.challenge, code_challenge_method: 'S256',
    }), { username: 'alice', password: PASSWORD });
    assert.deepEqual(pages, ['consent']);
  });

  test('a revoke without the CSRF token, or with another browser\'s, is refused and revokes nothing', async () => {
    const victim = new InjectBrowser(f.server.app);
    const tokens = await connectWebApp(victim);
    const attacker = new InjectBrowser(f.server.app);
    const attackerPage = await attacker.get('/account');
    for (const csrf of [undefined, 'forged', csrfFrom(attackerPage.body)]) {
      const res = await victim.post(`${f.issuer}/account/revoke`, { ...(csrf ? { csrf } : {}), client_id: f.web.id });
      assert.equal(res.statusCode, 403);
      assert.match(res.body, /security token/);
    }
    assert.equal((await introspect(tokens.refresh_token)).json().active, true);
  });

  test('a revoke with no session does nothing and sends the browser to sign in', async () => {
    const stranger = new InjectBrowser(f.server.app);
    const page = await stranger.get('/account');
    const victim = new InjectBrowser(f.server.app);
    const tokens = await connectWebApp(victim);
    const res = await stranger.post(`${f.issuer}/account/revoke`, { csrf: csrfFrom(page.body), client_id: f.web.id });
    assert.equal(res.statusCode, 303);
    assert.equal((await introspect(tokens.refresh_token)).json().active, true);
  });

  test('sign out ends the session', async () => {
    const browser = new InjectBrowser(f.server.app);
    await connectWebApp(browser);
    const account = await browser.get('/account');
    const out = await browser.post(`${f.issuer}/account/sign-out`, { csrf: csrfFrom(account.body) });
    assert.equal(out.statusCode, 303);
    assert.match((await browser.get('/account')).body, /<button type="submit" class="wide">Sign in<\/button>/);
  });

  test('an app name is escaped on the page', async () => {
    const evil = await addClient(f.server, { name: '<script>alert(1)</script>', redirectUris: ['https://evil.example/cb'], scope: 'openid' });
    await f.server.store.addConsentScopes(f.userId, evil.id, ['openid'], f.clock.now);
    const browser = new InjectBrowser(f.server.app);
    const page = await browser.get('/account');
    await browser.post(formActionFrom(page.body), { csrf: csrfFrom(page.body), username: 'alice', password: PASSWORD });
    const account = await browser.get('/account');
    assert.ok(!account.body.includes('<script>alert(1)</script>'));
    assert.match(account.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  test('changing the password needs a recent sign-in, the same password twice and a valid one; the old one stops working', async () => {
    await addTestUser(f.server, 'pat', PASSWORD);
    const signIn = async (password: string) => {
      const browser = new InjectBrowser(f.server.app);
      const page = await browser.get('/account');
      return { browser, response: await browser.post(formActionFrom(page.body), { csrf: csrfFrom(page.body), username: 'pat', password }) };
    };
    const { browser } = await signIn(PASSWORD);
    const account = await browser.get('/account');
    assert.match(account.body, /<summary>Change your password<\/summary>/);
    const change = (fields: Record<string, string>) => browser.post(`${f.issuer}/account/password`, { csrf: csrfFrom(account.body), ...fields });
    assert.equal((await change({ new_password: 'a new password!', confirm_password: 'another one!!' })).statusCode, 400);
    const short = await change({ new_password: 'short', confirm_password: 'short' });
    assert.equal(short.statusCode, 400);
    assert.match(short.body, /at least 8 characters/);
    const done = await change({ new_password: 'a new password!', confirm_password: 'a new password!' });
    assert.equal(location(done), `${f.issuer}/account?done=password-changed`);
    assert.equal((await signIn(PASSWORD)).response.statusCode, 400, 'the old password no longer works');
    assert.equal((await signIn('a new password!')).response.statusCode, 303);

    f.clock.now += 601;
    const stale = await change({ new_password: 'third password', confirm_password: 'third password' });
    assert.equal(stale.statusCode, 401, 'an old sign-in must confirm it is the user first');
    assert.equal((await signIn('a new password!')).response.statusCode, 303);
  });
});
