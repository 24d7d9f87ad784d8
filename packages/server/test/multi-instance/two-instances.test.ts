// Issue #7, "Several instances" (docs/deployment.md): two real `latchkey start` processes on one PostgreSQL schema,
// with the same secret and issuer, each on its own port. Every request goes straight to the instance the test
// picks, so each check names which instance did what. Exact outcomes are asserted, also in the database.
import assert from 'node:assert/strict';
import { MAX_ANSWERS_PER_REFRESH_TOKEN } from '../../src/store/grant-store.ts';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { csrfFrom } from '../helpers/authorization-flow.ts';
import {
  alternate, always, API, grantIdForCode, InstancePair, PASSWORD, RoutedBrowser, SKIP, storedHash, type Client, type Instance, type Route,
} from './instance-pair.ts';

/** "Honoured by all within a second" (issue #7); a little slack for a loaded test machine. */
const PROMPTLY_MS = 1500;

const CODE_REUSED = 'the authorization code was already used; the tokens issued from it have been revoked';
const REFRESH_REUSED = 'the refresh token was already used; every token of this grant has been revoked';
const THROTTLED = 'Too many failed sign-in attempts. Please wait up to 15 minutes and try again.';

async function within(what: string, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > PROMPTLY_MS) assert.fail(`${what}: not within ${PROMPTLY_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('two latchkey instances on one PostgreSQL schema', { skip: SKIP, timeout: 120_000 }, () => {
  let pair: InstancePair;
  let A: Instance;
  let B: Instance;
  /** alice, signed in once (at A) and reused by the tests that need a session. */
  let alice: RoutedBrowser;

  before(async () => {
    pair = await InstancePair.start({
      label: 'pair', users: ['alice', 'bob', 'carol', 'dave'],
      clients: ['importer', 'racer', 'refresher', 'rotator', 'account-revoked', 'client-revoked'],
    });
    A = pair.a;
    B = pair.b;
    alice = new RoutedBrowser(pair.issuer);
  });
  after(async () => {
    await pair?.close();
  });

  /** A code for `client`, obtained through `route` by `browser` (signing in and consenting when asked). */
  async function codeFor(browser: RoutedBrowser, client: Client, route: Route, username = 'alice', extra: Record<string, string> = {}) {
    const request = pair.authorizationRequest(client, extra);
    const params = await browser.authorize(request.path, route, { username });
    assert.equal(params.get('state'), request.state);
    assert.equal(params.get('iss'), pair.issuer, 'both instances name the one issuer (RFC 9207)');
    const code = params.get('code');
    assert.ok(code, `no code in the callback: ${params.toString()}`);
    return { code, verifier: request.verifier, nonce: request.state };
  }

  /** Tokens for `client`: a code through A, redeemed at `at`. */
  async function tokensFor(client: Client, at: Instance) {
    const { code, verifier } = await codeFor(alice, client, always(A));
    const response = await pair.redeem(at, client, code, verifier);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body;
  }

  const assertInvalidGrant = (response: { status: number; body: { error?: string } }, what: string) => {
    assert.equal(response.status, 400, `${what}: ${JSON.stringify(response.body)}`);
    assert.equal(response.body.error, 'invalid_grant', what);
  };

  it('a code issued by A (login and consent at A) is redeemed at B; the ID and access tokens verify against B\'s JWKS', async () => {
    const importer = pair.client('importer');
    const { code, verifier, nonce } = await codeFor(alice, importer, always(A));
    assert.deepEqual(alice.pages, ['login', 'consent']);

    const response = await pair.redeem(B, importer, code, verifier);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const { access_token: accessToken, id_token: idToken, refresh_token: refreshToken, scope } = response.body;
    assert.equal(scope, 'openid profile contacts:read');
    assert.ok(refreshToken);

    const jwksOfB = createRemoteJWKSet(new URL(`${B.base}/jwks`));
    const id = await jwtVerify(idToken!, jwksOfB, { issuer: pair.issuer, audience: importer.id });
    assert.equal(id.payload.sub, pair.users.get('alice'));
    assert.equal(id.payload.nonce, nonce);
    const access = await jwtVerify(accessToken, jwksOfB, { issuer: pair.issuer, audience: API, typ: 'at+jwt' });
    assert.equal(access.payload.sub, pair.users.get('alice'));
    assert.equal(access.payload.client_id, importer.id);
    assert.equal(access.payload.scope, 'openid profile contacts:read');

    // The code was consumed by B: A refuses it as a reuse (and revokes what it produced).
    const replay = await pair.redeem(A, importer, code, verifier);
    assertInvalidGrant(replay, 'replay at A');
    assert.equal(replay.body.error_description, CODE_REUSED);
    assert.deepEqual(await pair.introspect(B, importer, accessToken), { active: false }, 'B sees the revocation A made');
  });

  it('a flow that hops between instances at every step (authorize at B, login page at A, login at B, ...) completes', async () => {
    const bob = new RoutedBrowser(pair.issuer);
    const importer = pair.client('importer');
    const { code, verifier } = await codeFor(bob, importer, alternate(pair, B), 'bob');
    assert.deepEqual(bob.pages, ['login', 'consent']);
    const response = await pair.redeem(A, importer, code, verifier);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal((await pair.introspect(B, importer, response.body.access_token)).active, true);
  });

  it('100 concurrent redemptions of one code over both instances: exactly one success, and no live grant is left', async () => {
    const racer = pair.client('racer');
    const { code, verifier } = await codeFor(alice, racer, always(A)); // alice is signed in: consent page only
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => pair.redeem(i % 2 === 0 ? A : B, racer, code, verifier)));

    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    // Exactly one request consumes the code and gets its answer; the replays revoke what it was given.
    assert.equal(ok.length, 1, `${ok.length} successes`);
    for (const r of refused) {
      assertInvalidGrant(r, 'a concurrent redemption');
      assert.equal(r.body.error_description, CODE_REUSED);
    }
    const { count: reuses } = await pair.one<{ count: string }>(`select count(*) from audit_events where type = 'code.reused' and client_id = $1`, [racer.id]);
    assert.equal(Number(reuses), 99, 'exactly one redemption consumed the code; the 99 others were detected as reuse');

    // The grant the code produced is revoked with no live refresh token.
    const grantId = grantIdForCode(code);
    const [grant] = await pair.sql<{ revoked_at: string | null }>('select revoked_at from grants where id = $1', [grantId]);
    assert.ok(grant, 'the grant row exists');
    assert.notEqual(grant.revoked_at, null, 'the grant is revoked');
    const live = await pair.sql('select token_hash from refresh_tokens where grant_id = $1 and rotated_at is null', [grantId]);
    assert.deepEqual(live, [], 'no live refresh token');
    assert.equal((await pair.sql('select 1 from grants where client_id = $1 and revoked_at is null', [racer.id])).length, 0, 'no live grant for the client');

    // Whatever the single success returned is dead at both instances.
    for (const r of ok) {
      for (const at of [A, B]) {
        assertInvalidGrant(await pair.refresh(at, racer, r.body.refresh_token!), `refresh at ${at.name}`);
        assert.deepEqual(await pair.introspect(at, racer, r.body.access_token), { active: false });
      }
    }
    // Both instances keep answering the same way.
    for (const at of [A, B]) {
      const late = await pair.redeem(at, racer, code, verifier);
      assertInvalidGrant(late, `late redemption at ${at.name}`);
      assert.equal(late.body.error_description, CODE_REUSED);
    }
    await pair.assertInvariants();
  });

  it('100 concurrent refreshes of one refresh token over both instances: one rotation and 4 grace answers, 95 refused; 5 live answers, the kept one goes on, a retired one is reuse', async () => {
    const refresher = pair.client('refresher');
    const first = await tokensFor(refresher, A);
    const { grant_id: grantId } = await pair.one<{ grant_id: string }>('select grant_id from refresh_tokens where token_hash = $1', [storedHash(first.refresh_token!)]);

    // Inside the grace window (docs/refresh-tokens.md) the same client presenting the token again gets one more answer,
    // at most MAX_ANSWERS_PER_REFRESH_TOKEN per token; beyond that it is refused and the family is left alone.
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => pair.refresh(i % 2 === 0 ? A : B, refresher, first.refresh_token!)));
    const answered = results.filter((r) => r.status === 200);
    assert.equal(answered.length, MAX_ANSWERS_PER_REFRESH_TOKEN, JSON.stringify(results.filter((r) => r.status !== 200 && r.status !== 400).map((r) => r.body)));
    for (const r of results.filter((r) => r.status !== 200)) assertInvalidGrant(r, 'a presentation past the answers');
    const issued = answered.map((r) => r.body.refresh_token!);
    assert.equal(new Set(issued).size, MAX_ANSWERS_PER_REFRESH_TOKEN, 'each answer has its own refresh token');

    // The database: exactly those answers are live, and the grant is alive.
    const live = await pair.sql<{ token_hash: string }>('select token_hash from refresh_tokens where grant_id = $1 and rotated_at is null', [grantId]);
    assert.deepEqual(live.map((l) => l.token_hash).sort(), issued.map(storedHash).sort());
    const [grant] = await pair.sql<{ revoked_at: string | null }>('select revoked_at from grants where id = $1', [grantId]);
    assert.equal(grant!.revoked_at, null);
    await pair.assertInvariants();

    // The client keeps one answer and goes on at the other instance; the other answers retire.
    const [kept, retired] = [issued[3]!, issued[0]!];
    const next = await pair.refresh(B, refresher, kept);
    assert.equal(next.status, 200, JSON.stringify(next.body));
    assert.equal((await pair.sql('select token_hash from refresh_tokens where grant_id = $1 and rotated_at is null', [grantId])).length, 1);
    // A retired answer is never a grace answer: presenting it is reuse, and the whole family dies at both instances.
    const reuse = await pair.refresh(A, refresher, retired);
    assertInvalidGrant(reuse, 'a retired answer');
    assert.equal(reuse.body.error_description, REFRESH_REUSED);
    for (const at of [A, B]) {
      assertInvalidGrant(await pair.refresh(at, refresher, next.body.refresh_token!), `the newest token at ${at.name}`);
      assert.deepEqual(await pair.introspect(at, refresher, next.body.refresh_token!), { active: false });
    }
    await pair.assertInvariants();
  });

  it('a key rotated with `latchkey keys rotate --immediately` is in both JWKS within a second and signs new tokens at both', async () => {
    const rotator = pair.client('rotator');
    let { refresh_token: refreshToken } = await tokensFor(rotator, B);
    // --immediately: the new key signs at once (a staged rotation waits LATCHKEY_KEY_PUBLISH_LEAD_TIME; see test/keys/).
    const rotated = await pair.cli(['keys', 'rotate', '--alg', 'ES256', '--immediately', '--json']);
    assert.equal(rotated.code, 0, rotated.stderr);
    const [{ kid }] = JSON.parse(rotated.stdout) as [{ kid: string }];
    const tookA = await within('new key in A\'s JWKS', async () => (await pair.kids(A)).includes(kid));
    const tookB = await within('new key in B\'s JWKS', async () => (await pair.kids(B)).includes(kid));

    for (const at of [B, A]) {
      let accessToken = '';
      await within(`${at.name} signs access tokens with the new key`, async () => {
        const response = await pair.refresh(at, rotator, refreshToken!);
        assert.equal(response.status, 200, JSON.stringify(response.body));
        refreshToken = response.body.refresh_token;
        accessToken = response.body.access_token;
        return decodeProtectedHeader(accessToken).kid === kid;
      });
      const other = at === A ? B : A;
      const verified = await jwtVerify(accessToken, createRemoteJWKSet(new URL(`${other.base}/jwks`)), { issuer: pair.issuer, audience: API, typ: 'at+jwt' });
      assert.equal(verified.protectedHeader.alg, 'ES256');
    }
    console.log(`# rotated key published by A after ${tookA} ms, by B after ${tookB} ms`);
  });

  it('an app revoked on the account page at A is refused by B at once (refresh, introspection)', async () => {
    const app = pair.client('account-revoked');
    const tokens = await tokensFor(app, B);
    assert.equal((await pair.introspect(B, app, tokens.access_token)).active, true);

    const page = await alice.request('/account', A);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.ok(html.includes(`name="client_id" value="${app.id}"`), 'the app is listed');
    const revoked = await alice.request('/account/revoke', A, { csrf: csrfFrom(html), client_id: app.id });
    assert.equal(revoked.status, 303);
    assert.equal(revoked.headers.get('location'), `${pair.issuer}/account?revoked=${app.id}`);

    // No waiting: revocation is in the database, and B asks it.
    assertInvalidGrant(await pair.refresh(B, app, tokens.refresh_token!), 'refresh at B');
    assert.deepEqual(await pair.introspect(B, app, tokens.access_token), { active: false });
    assert.deepEqual(await pair.introspect(B, app, tokens.refresh_token!), { active: false });
    // The remembered consent ended too: B asks for consent again.
    const again = alice.clone();
    await codeFor(again, app, always(B));
    assert.deepEqual(again.pages, ['consent']);
  });

  it('a refresh token revoked at A with RFC 7009 /revoke is refused by B at once', async () => {
    const app = pair.client('client-revoked');
    const tokens = await tokensFor(app, A);
    const response = await fetch(`${A.base}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.id}:${app.secret}`).toString('base64')}` },
      body: new URLSearchParams({ token: tokens.refresh_token!, token_type_hint: 'refresh_token' }).toString(),
    });
    assert.equal(response.status, 200);
    assertInvalidGrant(await pair.refresh(B, app, tokens.refresh_token!), 'refresh at B');
    assert.deepEqual(await pair.introspect(B, app, tokens.access_token), { active: false });
  });

  it('login throttling is shared: failures at A and B add up, then both answer 429', async () => {
    const dave = new RoutedBrowser(pair.issuer);
    const request = pair.authorizationRequest(pair.client('importer'));
    const start = await dave.request(request.path, A);
    assert.equal(start.status, 303);
    const interaction = start.headers.get('location')!;
    let html = await (await dave.request(interaction, B)).text();
    const action = new URL(/<form method="post" action="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&')).pathname;
    assert.match(action, /\/interaction\/[^/]+\/login$/);

    const statuses: string[] = [];
    for (const at of [A, B, A, B, A]) {
      const failed = await dave.request(action, at, { csrf: csrfFrom(html), username: 'dave', password: 'not the password' });
      html = await failed.text();
      statuses.push(`${at.name}:${failed.status}`);
      assert.ok(html.includes('Incorrect username or password.'));
    }
    assert.deepEqual(statuses, ['A:400', 'B:400', 'A:400', 'B:400', 'A:400']);
    const [counter] = await pair.sql<{ failures: number }>(`select failures from login_failures where key like 'login:account-address:dave|%'`);
    assert.equal(Number(counter!.failures), 5, 'one counter in PostgreSQL for both instances');

    // The (account, address) limit (5) is reached: from this address and this browser (not a known device), even the
    // right password is refused, at B and at A.
    for (const at of [B, A]) {
      const refused = await dave.request(action, at, { csrf: csrfFrom(html), username: 'dave', password: PASSWORD });
      html = await refused.text();
      assert.equal(refused.status, 429, `${at.name}`);
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(retryAfter > 0 && retryAfter <= 900, `Retry-After ${retryAfter}: the end of the 15-minute window`);
      assert.ok(html.includes(THROTTLED), html.slice(0, 500));
    }
    // The /account sign-in shares the counter too.
    const accountPage = await (await dave.request('/account', B)).text();
    const viaAccount = await dave.request('/account/login', B, { csrf: csrfFrom(accountPage), username: 'dave', password: PASSWORD });
    assert.equal(viaAccount.status, 429);
  });

  it('a session survives a restart of either instance: sign in at A, stop A (SIGTERM), restart it; prompt=none passes at A and B', async () => {
    const importer = pair.client('importer');
    const carol = new RoutedBrowser(pair.issuer);
    await codeFor(carol, importer, always(A), 'carol');
    assert.deepEqual(carol.pages, ['login', 'consent']);
    const cookie = carol.cookies.get('latchkey_sso');
    assert.ok(cookie);

    assert.equal(await pair.stop(A, 'SIGTERM'), 0, 'A stops cleanly on SIGTERM');
    // While A is away, B carries the session.
    const duringB = await codeFor(carol, importer, always(B), 'carol', { prompt: 'none' });
    assert.equal((await pair.redeem(B, importer, duringB.code, duringB.verifier)).status, 200);

    await pair.restart(A);
    for (const at of [A, B]) {
      const silent = await codeFor(carol, importer, always(at), 'carol', { prompt: 'none' });
      const redeemed = await pair.redeem(at, importer, silent.code, silent.verifier);
      assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
      const { payload } = await jwtVerify(redeemed.body.id_token!, createRemoteJWKSet(new URL(`${at.base}/jwks`)), { issuer: pair.issuer, audience: importer.id });
      assert.equal(payload.sub, pair.users.get('carol'));
    }
    assert.deepEqual(carol.pages, ['login', 'consent'], 'no page was shown after the first sign-in');
    assert.equal(carol.cookies.get('latchkey_sso'), cookie, 'the same session all along');
  });
});
