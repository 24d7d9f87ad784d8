// Passkeys over HTTP with a software authenticator (test/helpers/software-authenticator.ts): registration on the account
// page, sign-in without a password, amr/acr in the ID token, removal; and from the attacker's side, each forged
// assertion with its exact refusal: a replayed challenge, another browser's challenge, another origin or RP ID, a
// credential of another user, a counter going backwards, no user verification, an expired challenge.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { CHALLENGE_TTL, relyingParty, userHandleOf } from '../../src/accounts/passkeys.ts';
import { PASSWORD, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { authorizeUrl, callbackParams, csrfFrom, decodeJwt, formActionFrom, InjectBrowser, location, pkcePair, tokenRequest } from '../helpers/authorization-flow.ts';
import { passkeyActionFrom, passkeyOptionsFrom, SoftwareAuthenticator } from '../helpers/software-authenticator.ts';
import { addTestUser, startTestServer } from '../helpers/test-server.ts';

describe('passkeys', () => {
  let f: Fixture;
  let origin: string;
  let rpId: string;

  before(async () => {
    f = await startFixture();
    ({ origin, rpID: rpId } = relyingParty(f.server.app.latchkeyServer));
  });
  after(() => f.server.close());

  /** A browser signed in to the account page with a password. */
  async function signedIn(username = 'alice', password = PASSWORD): Promise<InjectBrowser> {
    const browser = new InjectBrowser(f.server.app);
    const page = await browser.get('/account');
    const response = await browser.post(formActionFrom(page.body), { csrf: csrfFrom(page.body), username, password });
    assert.equal(response.statusCode, 303, response.body);
    return browser;
  }

  /** Registers a new passkey for the browser's user through the account page. */
  async function addPasskey(browser: InjectBrowser, name = 'Laptop', authenticator = new SoftwareAuthenticator()) {
    const page = await browser.get('/account');
    const response = await browser.post(passkeyActionFrom(page.body), {
      csrf: csrfFrom(page.body), name, credential: JSON.stringify(authenticator.register(passkeyOptionsFrom(page.body), origin)),
    });
    assert.equal(response.statusCode, 303, response.body);
    assert.equal(location(response), `${f.issuer}/account?done=passkey-added`);
    return authenticator;
  }

  /** Opens the login page of a fresh authorization request. */
  async function loginPage(browser: InjectBrowser, extra: Record<string, string> = {}) {
    const pkce = pkcePair();
    const start = await browser.get(authorizeUrl({
      response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid', state: 's', code_challenge: pkce.challenge, code_challenge_method: 'S256', ...extra,
    }));
    const page = await browser.get(location(start));
    return { page, pkce };
  }

  const assertionFor = (authenticator: SoftwareAuthenticator, html: string, overrides: Partial<Parameters<SoftwareAuthenticator['assert']>[0]> = {}) =>
    JSON.stringify(authenticator.assert({ challenge: passkeyOptionsFrom(html).challenge, origin, rpId, ...overrides }));

  const postAssertion = (browser: InjectBrowser, html: string, credential: string) =>
    browser.post(passkeyActionFrom(html), { csrf: csrfFrom(html), credential });

  test('a passkey added on the account page signs in without a password; the ID token says hwk, user, mfa', async () => {
    const authenticator = await addPasskey(await signedIn(), 'Work laptop');
    const [stored] = await f.server.store.listPasskeys(f.userId);
    assert.equal(stored?.name, 'Work laptop');
    assert.equal(stored?.lastUsedAt, null);
    assert.equal(stored?.deviceType, 'singleDevice');
    const account = await (await signedIn()).get('/account');
    assert.match(account.body, /<h3>Work laptop<\/h3>/);
    assert.match(account.body, /added \d{4}-\d\d-\d\d \d\d:\d\d UTC · never used/);

    const options = passkeyOptionsFrom(account.body) as unknown as Record<string, unknown>;
    assert.deepEqual(options.authenticatorSelection, { residentKey: 'required', requireResidentKey: true, userVerification: 'required' });
    assert.equal(options.attestation, 'none');
    assert.equal((options.rp as { id: string }).id, '127.0.0.1');
    assert.equal((options.user as { id: string }).id, userHandleOf(f.userId), 'the user handle is the opaque user id');
    assert.deepEqual((options.excludeCredentials as { id: string }[]).map((c) => c.id), [authenticator.credentialId], 'a passkey cannot be registered twice');

    const browser = new InjectBrowser(f.server.app);
    const { page, pkce } = await loginPage(browser);
    assert.match(page.body, /autocomplete="username webauthn"/);
    assert.equal(passkeyOptionsFrom(page.body).allowCredentials, undefined, 'discoverable credentials: no allow list');
    const signIn = await postAssertion(browser, page.body, assertionFor(authenticator, page.body));
    assert.equal(signIn.statusCode, 303, signIn.body);
    const consent = await browser.get(location(signIn));
    const done = await browser.post(formActionFrom(consent.body), { csrf: csrfFrom(consent.body), decision: 'allow' });
    const tokens = await tokenRequest(f.server.app, f.web, { grant_type: 'authorization_code', code: callbackParams(done).get('code')!, redirect_uri: WEB_CALLBACK, code_verifier: pkce.verifier });
    const { payload } = decodeJwt(tokens.json().id_token);
    assert.equal(payload.sub, f.userId);
    assert.deepEqual(payload.amr, ['hwk', 'user', 'mfa']);
    assert.equal(payload.acr, 'urn:latchkey:acr:mfa');
    const used = (await f.server.store.listPasskeys(f.userId))[0];
    assert.equal(used?.counter, 1);
    assert.equal(used?.lastUsedAt, f.clock.now);
    await f.server.store.deletePasskey(f.userId, authenticator.credentialId);
  });

  test('a passkey session meets acr_values=mfa without a step-up; max_age still asks for a fresh sign-in', async () => {
    const authenticator = await addPasskey(await signedIn());
    const browser = new InjectBrowser(f.server.app);
    const { page } = await loginPage(browser);
    const signIn = await postAssertion(browser, page.body, assertionFor(authenticator, page.body));
    if (location(signIn).includes('/interaction/')) {
      const consent = await browser.get(location(signIn));
      await browser.post(formActionFrom(consent.body), { csrf: csrfFrom(consent.body), decision: 'allow' });
    }
    const pkce = pkcePair();
    const query = { response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid', state: 's', code_challenge: pkce.challenge, code_challenge_method: 'S256' };
    const strong = await browser.get(authorizeUrl({ ...query, acr_values: 'urn:latchkey:acr:mfa', prompt: 'none' }));
    assert.ok(callbackParams(strong).get('code'), 'no step-up: the passkey was two factors');
    f.clock.now += 5;
    const aged = await browser.get(authorizeUrl({ ...query, max_age: '2' }));
    const again = await browser.get(location(aged));
    assert.match(again.body, /<h1>Sign in<\/h1>/, 'max_age passed: a fresh sign-in, not a step-up');
    await f.server.store.deletePasskey(f.userId, authenticator.credentialId);
  });

  test('a synced passkey records its backup flags and says swk', async () => {
    const synced = new SoftwareAuthenticator();
    synced.synced = true;
    await addPasskey(await signedIn(), 'Phone', synced);
    const stored = await f.server.store.getPasskey(synced.credentialId);
    assert.equal(stored?.deviceType, 'multiDevice');
    assert.equal(stored?.backedUp, true);
    const browser = new InjectBrowser(f.server.app);
    const page = await browser.get('/account');
    assert.equal((await postAssertion(browser, page.body, assertionFor(synced, page.body))).statusCode, 303);
    const sessions = await f.server.store.db.selectFrom('sessions').select('amr').where('user_id', '=', f.userId).execute();
    assert.ok(sessions.some((s) => s.amr === '["swk","user","mfa"]'), 'the session of a synced passkey says swk');
    await f.server.store.deletePasskey(f.userId, synced.credentialId);
  });

  test('a replayed challenge is refused: the second use of one assertion', async () => {
    const authenticator = await addPasskey(await signedIn());
    const browser = new InjectBrowser(f.server.app);
    const page = await browser.get('/account');
    const credential = assertionFor(authenticator, page.body);
    assert.equal((await postAssertion(browser, page.body, credential)).statusCode, 303);
    const replay = await postAssertion(browser, page.body, credential);
    assert.equal(replay.statusCode, 400);
    assert.match(replay.body, /This passkey request has expired or was already used/);
    await f.server.store.deletePasskey(f.userId, authenticator.credentialId);
  });

  test("another browser's challenge is refused (challenges are bound to the browser that asked)", async () => {
    const authenticator = await addPasskey(await signedIn());
    const victim = new InjectBrowser(f.server.app);
    const victimPage = await victim.get('/account');
    const attacker = new InjectBrowser(f.server.app);
    const attackerPage = await attacker.get('/account');
    const response = await attacker.post(passkeyActionFrom(attackerPage.body), { csrf: csrfFrom(attackerPage.body), credential: assertionFor(authenticator, victimPage.body) });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /expired or was already used/);
    await f.server.store.deletePasskey(f.userId, authenticator.credentialId);
  });

  test('an assertion made for another origin or another RP ID is refused', async () => {
    const authenticator = await addPasskey(await signedIn());
    for (const forged of [{ origin: 'https://login.evil.example' }, { origin: 'http://127.0.0.1:4001' }, { rpId: 'evil.example' }, { type: 'webauthn.create' }]) {
      const browser = new InjectBrowser(f.server.app);
      const page = await browser.get('/account');
      const response = await postAssertion(browser, page.body, assertionFor(authenticator, page.body, forged));
      assert.equal(response.statusCode, 400, JSON.stringify(forged));
      assert.match(response.body, /That passkey could not be used/);
      assert.equal(browser.cookies.size, 1, 'no session cookie, only the browser binding');
    }
    const events = (await f.server.store.db.selectFrom('audit_events').select(['type', 'detail']).where('type', '=', 'passkey.rejected').execute()).map((e) => String(e.detail));
    assert.ok(events.some((d) => /origin/i.test(d)), 'the origin mismatch is audited');
    assert.ok(events.some((d) => /RP ID/i.test(d)), 'the RP ID mismatch is audited');
    await f.server.store.deletePasskey(f.userId, authenticator.credentialId);
  });

  test("a credential of another user: bob's passkey with alice's user handle, and a credential id registered twice", async () => {
    await addTestUser(f.server, 'bob', PASSWORD);
    const bobs = await addPasskey(await signedIn('bob'));
    const browser = new InjectBrowser(f.server.app);
    const page = await browser.get('/account');
    const response = await postAssertion(browser, page.body, assertionFor(bobs, page.body, { userHandle: userHandleOf(f.userId) }));
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /That passkey could not be used/);

    // Alice tries to register bob's credential id as hers (§7.1 step 26: refused).
    const alice = await signedIn();
    const account = await alice.get('/account');
    const stolen = JSON.stringify(bobs.register(passkeyOptionsFrom(account.body), origin));
    const taken = await alice.post(passkeyActionFrom(account.body), { csrf: csrfFrom(account.body), name: 'Stolen', credential: stolen });
    assert.equal(taken.statusCode, 400);
    assert.match(taken.body, /This passkey is registered already/);
    assert.equal((await f.server.store.getPasskey(bobs.credentialId))?.userId, (await f.server.store.findUserByUsername('bob'))?.id);
  });

  test('a counter going backwards is refused and audited; a counter of 0 on both sides is accepted', async () => {
    const authenticator = await addPasskey(await signedIn());
    const use = async (counter: number) => {
      const browser = new InjectBrowser(f.server.app);
      const page = await browser.get('/account');
      return postAssertion(browser, page.body, assertionFor(authenticator, page.body, { counter }));
    };
    assert.equal((await use(5)).statusCode, 303);
    const cloned = await use(3);
    assert.equal(cloned.statusCode, 400);
    assert.match(cloned.body, /That passkey could not be used/);
    assert.equal((await use(5)).statusCode, 400, 'the same counter again is not forward either');
    assert.equal((await f.server.store.getPasskey(authenticator.credentialId))?.counter, 5);
    assert.equal((await use(6)).statusCode, 303);

    const counterless = await addPasskey(await signedIn(), 'No counter');
    for (let i = 0; i < 2; i++) {
      const browser = new InjectBrowser(f.server.app);
      const page = await browser.get('/account');
      assert.equal((await postAssertion(browser, page.body, assertionFor(counterless, page.body, { counter: 0 }))).statusCode, 303, 'an authenticator without a counter');
    }
    await f.server.store.deletePasskey(f.userId, authenticator.credentialId);
    await f.server.store.deletePasskey(f.userId, counterless.credentialId);
  });

  test('no user verification, an expired challenge, and malformed answers are refused', async () => {
    const authenticator = await addPasskey(await signedIn());
    let browser = new InjectBrowser(f.server.app);
    let page = await browser.get('/account');
    const unverified = await postAssertion(browser, page.body, assertionFor(authenticator, page.body, { userVerified: false }));
    assert.equal(unverified.statusCode, 400);

    browser = new InjectBrowser(f.server.app);
    page = await browser.get('/account');
    f.clock.now += CHALLENGE_TTL + 1;
    const late = await postAssertion(browser, page.body, assertionFor(authenticator, page.body));
    assert.equal(late.statusCode, 400);
    assert.match(late.body, /expired or was already used/);

    for (const credential of ['', 'not json', '{}', JSON.stringify({ id: 'x', response: { clientDataJSON: 'bm90IGpzb24' } }), 'x'.repeat(20_000)]) {
      const response = await postAssertion(browser, page.body, credential);
      assert.equal(response.statusCode, 400, credential.slice(0, 40));
      assert.match(response.body, /That passkey could not be used/);
    }
    // A registration without user verification is refused too.
    const alice = await signedIn();
    const account = await alice.get('/account');
    const weak = new SoftwareAuthenticator();
    const refused = await alice.post(passkeyActionFrom(account.body), { csrf: csrfFrom(account.body), name: 'Weak', credential: JSON.stringify(weak.register(passkeyOptionsFrom(account.body), origin, { userVerified: false })) });
    assert.equal(refused.statusCode, 400);
    assert.equal(await f.server.store.getPasskey(weak.credentialId), undefined);
    await f.server.store.deletePasskey(f.userId, authenticator.credentialId);
  });

  test('removing a passkey ends its use; the password can go once a passkey exists, but never the last way to sign in', async () => {
    const carol = await addTestUser(f.server, 'carol', PASSWORD);
    const browser = await signedIn('carol');
    let account = await browser.get('/account');
    assert.doesNotMatch(account.body, /Remove my password/, 'no password removal without a passkey');
    const refusedRemoval = await browser.post(`${f.issuer}/account/password/remove`, { csrf: csrfFrom(account.body) });
    assert.equal(refusedRemoval.statusCode, 400);
    assert.notEqual((await f.server.store.getUser(carol.id))?.passwordHash, null);

    const first = await addPasskey(browser, 'First');
    const second = await addPasskey(browser, 'Second');
    account = await browser.get('/account');
    assert.match(account.body, /Remove my password/);
    const removed = await browser.post(`${f.issuer}/account/password/remove`, { csrf: csrfFrom(account.body) });
    assert.equal(location(removed), `${f.issuer}/account?done=password-removed`);
    assert.equal((await f.server.store.getUser(carol.id))?.passwordHash, null);
    const withPassword = new InjectBrowser(f.server.app);
    const login = await withPassword.get('/account');
    const refused = await withPassword.post(formActionFrom(login.body), { csrf: csrfFrom(login.body), username: 'carol', password: PASSWORD });
    assert.equal(refused.statusCode, 400, 'the removed password no longer signs in');

    const removeOne = await browser.post(`${f.issuer}/account/passkeys/remove`, { csrf: csrfFrom(account.body), passkey: first.credentialId });
    assert.equal(location(removeOne), `${f.issuer}/account?done=passkey-removed`);
    const last = await browser.post(`${f.issuer}/account/passkeys/remove`, { csrf: csrfFrom(account.body), passkey: second.credentialId });
    assert.equal(last.statusCode, 400);
    assert.match(last.body, /only way to sign in/);
    const foreign = await browser.post(`${f.issuer}/account/passkeys/remove`, { csrf: csrfFrom(account.body), passkey: 'someone-elses' });
    assert.equal(foreign.statusCode, 400);

    const again = new InjectBrowser(f.server.app);
    const page = await again.get('/account');
    const gone = await postAssertion(again, page.body, assertionFor(first, page.body));
    assert.equal(gone.statusCode, 400);
    assert.match(gone.body, /not registered here/);
    const types = (await f.server.store.db.selectFrom('audit_events').select('type').where('user_id', '=', carol.id).execute()).map((e) => e.type);
    for (const t of ['passkey.added', 'passkey.removed', 'password.removed']) assert.ok(types.includes(t), t);
  });

  test('account changes need a recent sign-in: after 10 minutes the user confirms it is them first', async () => {
    const browser = await signedIn();
    f.clock.now += 601;
    const account = await browser.get('/account');
    assert.match(account.body, /Confirm it(&#39;|')s you<\/a>/);
    assert.doesNotMatch(account.body, /data-passkey="register"/);
    const add = await browser.post(`${f.issuer}/account/passkeys/add`, { csrf: csrfFrom(account.body), name: 'Late', credential: '{}' });
    assert.equal(add.statusCode, 401);
    assert.match(add.body, /To change how you sign in, confirm it is you/);
    const reauth = await browser.get('/account?reauth=1');
    assert.match(reauth.body, /confirm it is you/);
    const fresh = await browser.post(formActionFrom(reauth.body), { csrf: csrfFrom(reauth.body), username: 'alice', password: PASSWORD });
    assert.equal(fresh.statusCode, 303);
    assert.match((await browser.get('/account')).body, /data-passkey="register"/);
  });

  test('forms without the CSRF token are refused', async () => {
    const browser = await signedIn();
    for (const path of ['/account/passkeys/add', '/account/passkeys/remove', '/account/password/remove', '/account/passkey-login']) {
      const response = await browser.post(`${f.issuer}${path}`, { credential: '{}' });
      assert.equal(response.statusCode, 403, path);
    }
  });
});

describe('passkeys across instances', () => {
  it('a ceremony started on one instance finishes on another (challenges live in the shared store)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-passkeys-'));
    const databaseUrl = `sqlite:${join(dir, 'latchkey.db')}`;
    const a = await startTestServer({ databaseUrl });
    const b = await startTestServer({ databaseUrl });
    try {
      await addTestUser(a, 'erin', PASSWORD);
      const { origin } = relyingParty(a.app.latchkeyServer);
      const browserOn = (server: typeof a, cookies: Map<string, string>) => {
        const browser = new InjectBrowser(server.app);
        for (const [name, value] of cookies) browser.cookies.set(name, value);
        return browser;
      };
      const onA = new InjectBrowser(a.app);
      const login = await onA.get('/account');
      await onA.post(formActionFrom(login.body), { csrf: csrfFrom(login.body), username: 'erin', password: PASSWORD });
      const account = await onA.get('/account');
      const authenticator = new SoftwareAuthenticator();
      const onB = browserOn(b, onA.cookies);
      const added = await onB.post(passkeyActionFrom(account.body), { csrf: csrfFrom(account.body), name: 'Key', credential: JSON.stringify(authenticator.register(passkeyOptionsFrom(account.body), origin)) });
      assert.equal(added.statusCode, 303, added.body);

      const fresh = new InjectBrowser(b.app);
      const page = await fresh.get('/account');
      const signIn = await browserOn(a, fresh.cookies).post(passkeyActionFrom(page.body), {
        csrf: csrfFrom(page.body), credential: JSON.stringify(authenticator.assert({ challenge: passkeyOptionsFrom(page.body).challenge, origin, rpId: relyingParty(a.app.latchkeyServer).rpID })),
      });
      assert.equal(signIn.statusCode, 303, signIn.body);
    } finally {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
