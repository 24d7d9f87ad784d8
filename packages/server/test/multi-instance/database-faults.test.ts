// Issue 11: nothing is lost or half-written when the database connection fails in the middle of a token request, or
// an instance dies with one in flight. Two real instances on one PostgreSQL schema, each through a TCP proxy the test
// controls (store/tcp-proxy.ts), so a fault can be aimed at one step of one operation: the connection is cut before
// the grant or the successor token is written (the database rolls back), or just after the database committed (the
// instance cannot know it did), and instance A is killed with -9 while one refresh and one redemption are in flight.
// Every client behaves as told: after 503 temporarily_unavailable, or no answer at all, it retries the same request
// (at whichever instance is up); after invalid_grant for a code, it starts a new sign-in. Afterwards every client
// still has a working session and the store invariants (helpers/store-invariants.ts) hold.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { POSTGRES_TEST_URL } from '../store/postgres-test-schema.ts';
import { startTcpProxy, type TcpProxy } from '../store/tcp-proxy.ts';
import { always, InstancePair, RoutedBrowser, SKIP, type Client, type Instance, type TokenResponse } from './instance-pair.ts';

// The statements, as the store sends them (on PostgreSQL a redemption, and a rotation, is one statement that contains
// both its update and its inserts: store/sql/codes.ts, grants.ts).
const REDEEM = /update "?auth_codes"? set "?consumed_at"?/;
const STORE_GRANT = /insert into "grants"/;
const ROTATE = /update "?refresh_tokens"? set "?rotated_at"?/;
const STORE_SUCCESSOR = /insert into "refresh_tokens"/;

type Answer = { status: number; body: TokenResponse };

describe('database faults in the middle of token requests, and kill -9 (two instances on PostgreSQL)', { skip: SKIP, timeout: 120_000 }, () => {
  let proxyA: TcpProxy;
  let proxyB: TcpProxy;
  let pair: InstancePair;
  let A: Instance;
  let B: Instance;
  let frank: RoutedBrowser;
  /** The refresh token each client holds now: its session. */
  const sessions = new Map<string, string>();
  /** Grants a client's own retry was allowed to revoke (a code retried after its redemption committed). */
  let expectedRevocations = 0;

  before(async () => {
    const target = new URL(POSTGRES_TEST_URL ?? '');
    proxyA = await startTcpProxy(target.hostname, Number(target.port || 5432));
    proxyB = await startTcpProxy(target.hostname, Number(target.port || 5432));
    pair = await InstancePair.start({
      label: 'faults', users: ['frank'], clients: ['code-lost-ack', 'code-cut', 'refresh-lost-ack', 'refresh-cut', 'killed-refresh', 'killed-code'],
      databaseUrl: (instance, url) => (instance === 'A' ? proxyA : proxyB).url(url),
    });
    A = pair.a;
    B = pair.b;
    frank = new RoutedBrowser(pair.issuer);
  });
  after(async () => {
    await pair?.close();
    await proxyA?.close();
    await proxyB?.close();
  });

  /** A sign-in for `client` through `at`: the code and its verifier. */
  async function signIn(client: Client, at: Instance): Promise<{ code: string; verifier: string }> {
    const request = pair.authorizationRequest(client);
    const callback = await frank.authorize(request.path, always(at), { username: 'frank' });
    return { code: callback.get('code')!, verifier: request.verifier };
  }

  async function redeem(at: Instance, client: Client, issued: { code: string; verifier: string }): Promise<Answer> {
    return pair.redeem(at, client, issued.code, issued.verifier);
  }

  const isRetryable = (answer: Answer) => answer.status === 503 && answer.body.error === 'temporarily_unavailable';

  /** A session to work with: signed in and redeemed without faults. */
  async function establish(name: string): Promise<Client> {
    const client = pair.client(name);
    const answer = await redeem(B, client, await signIn(client, B));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    sessions.set(name, answer.body.refresh_token!);
    return client;
  }

  it('code redemption: the database commits but the acknowledgement is lost → 503; the retry is refused, a new sign-in works', async () => {
    const client = pair.client('code-lost-ack');
    const issued = await signIn(client, A);
    const fault = proxyA.arm({ on: REDEEM, when: 'after-commit', then: 'cut' });
    const first = await redeem(A, client, issued);
    await fault;
    assert.ok(isRetryable(first), JSON.stringify(first));
    const retry = await redeem(B, client, issued);
    assert.equal(retry.status, 400);
    assert.equal(retry.body.error, 'invalid_grant', 'a code is used once (RFC 6749 §4.1.2)');
    expectedRevocations++; // the grant nobody received
    const pagesBefore = frank.pages.length;
    const again = await redeem(B, client, await signIn(client, B));
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.deepEqual(frank.pages.slice(pagesBefore), [], 'the new sign-in needed no password and no consent');
    sessions.set('code-lost-ack', again.body.refresh_token!);
  });

  it('code redemption: the connection is cut before the grant is written → 503; the retry with the same code succeeds', async () => {
    const client = pair.client('code-cut');
    const issued = await signIn(client, B);
    const fault = proxyB.arm({ on: STORE_GRANT, when: 'before', then: 'cut' });
    const first = await redeem(B, client, issued);
    await fault;
    assert.ok(isRetryable(first), JSON.stringify(first));
    const retry = await redeem(B, client, issued);
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
    sessions.set('code-cut', retry.body.refresh_token!);
  });

  it('refresh: the rotation commits but the acknowledgement is lost → 503; the retry with the same token at the other instance succeeds', async () => {
    const client = await establish('refresh-lost-ack');
    const fault = proxyA.arm({ on: ROTATE, when: 'after-commit', then: 'cut' });
    const first = await pair.refresh(A, client, sessions.get('refresh-lost-ack')!);
    await fault;
    assert.ok(isRetryable(first), JSON.stringify(first));
    const retry = await pair.refresh(B, client, sessions.get('refresh-lost-ack')!);
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
    sessions.set('refresh-lost-ack', retry.body.refresh_token!);
  });

  it('refresh: the connection is cut before the successor is stored → 503; the retry succeeds', async () => {
    const client = await establish('refresh-cut');
    const fault = proxyB.arm({ on: STORE_SUCCESSOR, when: 'before', then: 'cut' });
    const first = await pair.refresh(B, client, sessions.get('refresh-cut')!);
    await fault;
    assert.ok(isRetryable(first), JSON.stringify(first));
    const retry = await pair.refresh(A, client, sessions.get('refresh-cut')!);
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
    sessions.set('refresh-cut', retry.body.refresh_token!);
  });

  it('kill -9 of A with a committed but unacknowledged refresh and a half-done redemption in flight: both retries at B succeed', async () => {
    const refreshing = await establish('killed-refresh');
    const redeeming = pair.client('killed-code');
    const issued = await signIn(redeeming, A);

    const committed = proxyA.arm({ on: ROTATE, when: 'after-commit', then: 'hold' });
    const refreshInFlight = pair.refresh(A, refreshing, sessions.get('killed-refresh')!).then((a) => a, (e: unknown) => e);
    await committed;
    const halfDone = proxyA.arm({ on: STORE_GRANT, when: 'before', then: 'hold' });
    const redeemInFlight = redeem(A, redeeming, issued).then((a) => a, (e: unknown) => e);
    await halfDone;
    await pair.stop(A, 'SIGKILL');
    assert.ok(await refreshInFlight instanceof Error, 'the refresh got no answer');
    assert.ok(await redeemInFlight instanceof Error, 'the redemption got no answer');

    const refreshed = await pair.refresh(B, refreshing, sessions.get('killed-refresh')!);
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    sessions.set('killed-refresh', refreshed.body.refresh_token!);
    const redeemed = await redeem(B, redeeming, issued);
    assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
    sessions.set('killed-code', redeemed.body.refresh_token!);
  });

  it('afterwards: every client that retried as told still has its session, and the store invariants hold', async () => {
    await pair.restart(A);
    assert.equal(sessions.size, 6);
    for (const [name, token] of sessions) {
      for (const at of [A, B]) {
        const refreshed = await pair.refresh(at, pair.client(name), sessions.get(name)!);
        assert.equal(refreshed.status, 200, `${name} at ${at.name}: ${JSON.stringify(refreshed.body)}`);
        sessions.set(name, refreshed.body.refresh_token!);
      }
      assert.notEqual(sessions.get(name), token);
    }
    const revoked = await pair.sql<{ id: string }>('select id from grants where revoked_at is not null');
    assert.equal(revoked.length, expectedRevocations, 'only the grant of the code retried after its commit was revoked');
    await pair.assertInvariants({ grantsFromCodes: true });
  });
});
