// The one password sign-in (accounts/password-sign-in.ts) behind both login forms: the same input limits, the same
// audit trail, the same throttle, and no session when the caller's last step fails (a replayed interaction form).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_USERNAME, signInWithPassword } from '../../src/accounts/password-sign-in.ts';
import { authorizeUrl, csrfFrom, formActionFrom, InjectBrowser, location, pkcePair } from '../helpers/authorization-flow.ts';
import { PASSWORD, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';

let f: Fixture;
before(async () => {
  f = await startFixture();
});
after(() => f.server.close());

/** The login page of the authorization flow, in a fresh browser. */
async function interactionLoginPage(): Promise<{ browser: InjectBrowser; page: string }> {
  const browser = new InjectBrowser(f.server.app);
  const pkce = pkcePair();
  const started = await browser.get(authorizeUrl({ response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid', code_challenge: pkce.challenge, code_challenge_method: 'S256' }));
  return { browser, page: (await browser.get(location(started))).body };
}

async function accountLoginPage(): Promise<{ browser: InjectBrowser; page: string }> {
  const browser = new InjectBrowser(f.server.app);
  return { browser, page: (await browser.get('/account')).body };
}

const usernameField = (html: string) => /name="username"[^>]* value="([^"]*)"/.exec(html)?.[1];

async function auditTrail(type: string) {
  const rows = await f.server.store.db.selectFrom('audit_events').select(['client_id', 'user_id', 'detail']).where('type', '=', type).execute();
  // The authorization flow's event (with its client) first, the account page's after.
  return rows.map((r) => ({ clientId: r.client_id, userId: r.user_id, detail: JSON.parse(String(r.detail)) }))
    .sort((a, b) => Number(a.clientId === null) - Number(b.clientId === null));
}

describe('both login forms are one use case', () => {
  for (const [form, open] of [['authorization flow', interactionLoginPage], ['account page', accountLoginPage]] as const) {
    it(`${form}: a username longer than ${MAX_USERNAME} characters is cut to ${MAX_USERNAME} (the account form used to keep 1024)`, async () => {
      const { browser, page } = await open();
      const answer = await browser.post(formActionFrom(page), { csrf: csrfFrom(page), username: 'a'.repeat(1000), password: 'wrong password' });
      assert.equal(answer.statusCode, 400);
      assert.match(answer.body, /Incorrect username or password\./);
      assert.equal(usernameField(answer.body), 'a'.repeat(MAX_USERNAME));
    });
  }

  it('failures and successes of both forms land in the audit trail alike: the flow names its client, the account form says so', async () => {
    for (const open of [interactionLoginPage, accountLoginPage]) {
      const { browser, page } = await open();
      await browser.post(formActionFrom(page), { csrf: csrfFrom(page), username: 'alice', password: 'not it' });
      const { browser: b2, page: p2 } = await open();
      assert.equal((await b2.post(formActionFrom(p2), { csrf: csrfFrom(p2), username: 'alice', password: PASSWORD })).statusCode, 303);
    }
    const ip = '127.0.0.1';
    assert.deepEqual((await auditTrail('login.failed')).filter((e) => e.userId === f.userId), [
      { clientId: f.web.id, userId: f.userId, detail: { ip } }, { clientId: null, userId: f.userId, detail: { ip, via: 'account' } },
    ]);
    assert.deepEqual((await auditTrail('login.succeeded')), [
      { clientId: f.web.id, userId: f.userId, detail: { ip } }, { clientId: null, userId: f.userId, detail: { ip, via: 'account' } },
    ]);
  });
});

describe('signInWithPassword', () => {
  it('when the caller\'s step before the session fails, no session starts and no success is recorded', async () => {
    const ctx = f.server.app.latchkeyServer;
    const before = (await auditTrail('login.succeeded')).length;
    const result = await signInWithPassword(ctx, { username: 'alice', password: PASSWORD, ip: '10.0.0.9', cookies: new Map() }, async () => false);
    assert.deepEqual(result, { status: 'abandoned' });
    assert.equal((await auditTrail('login.succeeded')).length, before);
    const sessions = await f.server.store.db.selectFrom('sessions').select('user_id').execute();
    assert.equal(sessions.length, 2, 'only the two sessions of the forms above');
  });

  it('the right password returns the session and known-device cookies', async () => {
    const result = await signInWithPassword(f.server.app.latchkeyServer, { username: 'alice', password: PASSWORD, ip: '10.0.0.9', cookies: new Map() });
    assert.equal(result.status, 'signed-in');
    if (result.status !== 'signed-in') return;
    assert.equal(result.user.id, f.userId);
    assert.deepEqual(result.cookies.map((c) => c.split('=')[0]), ['latchkey_sso', 'latchkey_device']);
  });
});
