// OpenID Connect Back-Channel Logout 1.0: ending a session POSTs a logout token (§2.4) to every client that took part
// in it and registered a back-channel URI; delivery is queued in the store before "signed out" is answered, retried
// with backoff, given up after a bound, never follows redirects, and across two instances on one database every
// delivery is made exactly once, also when an instance is closed mid-delivery.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { decodeJwt, InjectBrowser } from '../helpers/authorization-flow.ts';
import { signInThroughCodeFlow } from '../helpers/code-flow-sign-in.ts';
import { addClient, addTestUser, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { backoffSeconds, DEFAULT_LOGOUT_DELIVERY, type LogoutDeliveryOptions } from '../../src/logout/logout-delivery-worker.ts';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/logout/logout-token.ts';
import { updateClientLogout } from '../../src/clients/register-client.ts';
import { LogoutReceiver } from './logout-receiver.ts';
import { createTestSchema, POSTGRES_SKIP_REASON, POSTGRES_TEST_URL } from '../store/postgres-test-schema.ts';

const CALLBACK = 'https://rp.example/cb';
const PASSWORD = 'correct horse battery staple';
/** Rounds run when the test says (or when a logout wakes the worker), never by a timer. */
const MANUAL: Partial<LogoutDeliveryOptions> = { intervalMs: 3_600_000, leaseSeconds: 60, backoffSeconds: 10, maxAttempts: 3, timeoutMs: 2_000 };

interface Setup {
  server: TestServer;
  clock: { now: number };
  receiver: LogoutReceiver;
  client: { id: string; secret: string | undefined };
  plain: { id: string; secret: string | undefined };
}

async function setup(options: Partial<LogoutDeliveryOptions> = MANUAL, databaseUrl?: string, clock = { now: 1_900_000_000 }, receiver?: LogoutReceiver): Promise<Setup> {
  const server = await startTestServer(databaseUrl ? { databaseUrl } : {}, { now: () => clock.now, logoutDelivery: options });
  const rx = receiver ?? await new LogoutReceiver().start();
  const client = await addClient(server, { name: 'Back-channel RP', redirectUris: [CALLBACK], scope: 'openid', backchannelLogoutUri: rx.url, backchannelLogoutSessionRequired: true });
  const plain = await addClient(server, { name: 'Plain RP', redirectUris: [CALLBACK], scope: 'openid' });
  await addTestUser(server, 'alice', PASSWORD);
  return { server, clock, receiver: rx, client, plain };
}

const signIn = (s: Setup, client = s.client, browser?: InjectBrowser) =>
  signInThroughCodeFlow({ app: s.server.app, client, redirectUri: CALLBACK, scope: 'openid', username: 'alice', password: PASSWORD, ...(browser ? { browser } : {}) });

async function signOutThroughEndSession(s: Setup, browser: InjectBrowser, idToken: string): Promise<void> {
  const response = await browser.get(`/session/end?id_token_hint=${idToken}`);
  assert.equal(response.statusCode, 200);
  assert.match(response.body, /You are signed out/);
}

async function verifyLogoutToken(s: Setup, token: string) {
  const jwks = (await s.server.app.inject({ method: 'GET', url: '/jwks' })).json() as { keys: [] };
  return jwtVerify(token, createLocalJWKSet(jwks), { issuer: s.server.app.latchkeyServer.config.issuer, audience: s.client.id, typ: 'logout+jwt', currentDate: new Date(s.clock.now * 1000) });
}

describe('back-channel logout from one instance', () => {
  let s: Setup;
  before(async () => { s = await setup(); });
  after(async () => { await s.server.close(); await s.receiver.close(); });
  afterEach(() => { s.receiver.script.length = 0; s.receiver.fallback = 200; });

  it('RP-initiated logout queues the delivery before answering and POSTs a §2.4 logout token to the participating client only', async () => {
    const { browser, idToken } = await signIn(s);
    await signIn(s, s.plain, browser);
    const sid = decodeJwt(idToken).payload.sid;
    const before = s.receiver.received.length;
    await signOutThroughEndSession(s, browser, idToken);
    // Queued in the same transaction that ended the session: the row exists as soon as "signed out" is answered.
    const queued = await s.server.store.listLogoutDeliveries({ limit: 10 });
    assert.ok(queued.some((d) => d.sid === sid && d.clientId === s.client.id));
    await s.receiver.waitFor(before + 1);
    const received = s.receiver.received.at(-1)!;
    assert.equal(received.contentType, 'application/x-www-form-urlencoded');
    const { payload, protectedHeader } = await verifyLogoutToken(s, received.logoutToken!);
    assert.equal(protectedHeader.typ, 'logout+jwt');
    assert.equal(payload.sid, sid);
    assert.equal(payload.sub, decodeJwt(idToken).payload.sub);
    assert.deepEqual(payload.events, { [BACKCHANNEL_LOGOUT_EVENT]: {} });
    assert.equal(typeof payload.jti, 'string');
    assert.equal(payload.iat, s.clock.now);
    assert.ok(payload.exp! > payload.iat!);
    assert.equal('nonce' in payload, false, 'never a nonce');
    await waitForStatus(s, sid as string, 'delivered');
    assert.equal(s.receiver.received.length, before + 1, 'only the client with a back-channel URI is told');
  });

  it('a receiver failing then succeeding is retried after the backoff; a failure is logged', async () => {
    const { browser, idToken } = await signIn(s);
    const sid = decodeJwt(idToken).payload.sid as string;
    s.receiver.script.push(500);
    const before = s.receiver.received.length;
    await signOutThroughEndSession(s, browser, idToken);
    await s.receiver.waitFor(before + 1);
    const pending = await waitForAttempts(s, sid, 1);
    assert.equal(pending.status, 'pending');
    assert.equal(pending.lastError, 'HTTP 500');
    assert.equal(pending.nextAttemptAt, s.clock.now + MANUAL.backoffSeconds!);
    assert.ok(s.server.logs.some((l) => l.includes('will retry') && l.includes(sid)));
    await s.server.app.logoutDelivery!.runOnce();
    assert.equal(s.receiver.received.length, before + 1, 'not before the backoff');
    s.clock.now += MANUAL.backoffSeconds!;
    await s.server.app.logoutDelivery!.runOnce();
    assert.equal(s.receiver.received.length, before + 2);
    const done = await waitForStatus(s, sid, 'delivered');
    assert.equal(done.attempts, 2);
  });

  it('gives up after maxAttempts; a redirect is a failure and is not followed', async () => {
    const { browser, idToken } = await signIn(s);
    const sid = decodeJwt(idToken).payload.sid as string;
    s.receiver.fallback = 302;
    const before = s.receiver.received.length;
    await signOutThroughEndSession(s, browser, idToken);
    await waitForAttempts(s, sid, 1);
    for (let i = 1; i < MANUAL.maxAttempts!; i++) {
      s.clock.now += backoffSeconds({ ...DEFAULT_LOGOUT_DELIVERY, ...MANUAL }, i);
      await s.server.app.logoutDelivery!.runOnce();
    }
    const failed = await waitForStatus(s, sid, 'failed');
    assert.equal(failed.attempts, MANUAL.maxAttempts);
    assert.match(failed.lastError!, /HTTP 302 \(redirects are not followed\)/);
    assert.equal(s.receiver.received.length - before, MANUAL.maxAttempts, 'the redirect target was never requested');
    assert.ok(s.receiver.received.every((r) => r.path === '/backchannel'));
    assert.ok(s.server.logs.some((l) => l.includes('giving up') && l.includes(sid)));
    s.clock.now += 86_400;
    await s.server.app.logoutDelivery!.runOnce();
    assert.equal(s.receiver.received.length - before, MANUAL.maxAttempts, 'nothing after giving up');
  });

  it('a session that expires is announced too, by the expiry sweep; deliveries are counted in the metrics', async () => {
    const { idToken } = await signIn(s);
    const sid = decodeJwt(idToken).payload.sid as string;
    const before = s.receiver.received.length;
    s.clock.now += s.server.app.latchkeyServer.config.sessionTtl + 1;
    await s.server.store.deleteExpired(s.clock.now, 500);
    await s.server.app.logoutDelivery!.runOnce();
    assert.equal(s.receiver.received.length, before + 1);
    assert.equal(decodeJwt(s.receiver.received.at(-1)!.logoutToken!).payload.sid, sid);
    await waitForStatus(s, sid, 'delivered');
    const metrics = (await s.server.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /latchkey_backchannel_logout_deliveries_total\{outcome="delivered"\} [1-9]/);
  });

  it('a back-channel URI corrected by the operator is used for deliveries already pending', async () => {
    const { browser, idToken } = await signIn(s);
    const sid = decodeJwt(idToken).payload.sid as string;
    const now = s.clock.now;
    await updateClientLogout(s.server.store, s.client.id, { backchannelLogoutUri: 'http://127.0.0.1:9/nobody-listens' }, now);
    s.server.app.latchkeyServer.clients.invalidate();
    await signOutThroughEndSession(s, browser, idToken);
    const failed = await waitForAttempts(s, sid, 1);
    assert.match(failed.lastError!, /ECONNREFUSED|fetch failed/);
    await updateClientLogout(s.server.store, s.client.id, { backchannelLogoutUri: s.receiver.url }, now);
    s.server.app.latchkeyServer.clients.invalidate();
    const before = s.receiver.received.length;
    s.clock.now += MANUAL.backoffSeconds!;
    await s.server.app.logoutDelivery!.runOnce();
    assert.equal(s.receiver.received.length, before + 1);
    await waitForStatus(s, sid, 'delivered');
  });

  it('backoff doubles up to its cap', () => {
    const options = { ...DEFAULT_LOGOUT_DELIVERY, backoffSeconds: 10, maxBackoffSeconds: 60 };
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffSeconds(options, n)), [10, 20, 40, 60, 60]);
  });
});

async function waitForAttempts(s: Setup, sid: string, attempts: number) {
  for (;;) {
    const row = (await s.server.store.listLogoutDeliveries({ limit: 100 })).find((d) => d.sid === sid);
    if (row && row.attempts >= attempts) return row;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function waitForStatus(s: Setup, sid: string, status: string) {
  for (;;) {
    const row = (await s.server.store.listLogoutDeliveries({ limit: 100 })).find((d) => d.sid === sid);
    if (row && row.status === status) return row;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A database two instances share: a SQLite file, or a fresh PostgreSQL schema. */
interface SharedDatabase {
  url: string;
  remove(): Promise<void>;
}

const DATABASES: Array<[string, (() => Promise<SharedDatabase>) | undefined]> = [
  ['SQLite', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'latchkey-bcl-'));
    return { url: `sqlite:${join(dir, 'latchkey.db')}`, remove: () => rm(dir, { recursive: true, force: true }) };
  }],
  ['PostgreSQL', POSTGRES_TEST_URL === undefined ? undefined : async () => {
    const schema = await createTestSchema(POSTGRES_TEST_URL!, 'bcl');
    return { url: schema.url, remove: () => schema.drop() };
  }],
];

for (const [kind, openDatabase] of DATABASES) describe(`back-channel logout across two instances on one database (${kind})`, { skip: openDatabase ? false : POSTGRES_SKIP_REASON }, () => {
  let database: SharedDatabase;
  let a: Setup;
  let b: TestServer;
  const clock = { now: 1_900_000_000 };
  before(async () => {
    database = await openDatabase!();
    const url = database.url;
    // Neither worker runs by itself: the test decides who runs a round when.
    a = await setup({ ...MANUAL, intervalMs: 3_600_000 }, url, clock);
    b = await startTestServer({ databaseUrl: url }, { now: () => clock.now, logoutDelivery: { ...MANUAL } });
  });
  after(async () => {
    await b.close();
    await a.receiver.close();
    await database.remove();
  });

  /** Ends `count` sessions of alice in which the client took part, straight through the store (no worker woken). */
  async function queueDeliveries(count: number): Promise<string[]> {
    const store = a.server.store;
    const user = await store.findUserByUsername('alice');
    const sids: string[] = [];
    for (let i = 0; i < count; i++) {
      const sid = `sid-${clock.now}-${i}`;
      await store.createSession({ idHash: `h-${sid}`, sid, userId: user!.id, authTime: clock.now, amr: ['pwd'], userAgent: null, createdAt: clock.now, lastActiveAt: clock.now, expiresAt: clock.now + 600 });
      await store.addSessionClient({ sid, clientId: a.client.id, userId: user!.id, createdAt: clock.now });
      sids.push(sid);
    }
    await store.deleteSessions({ userId: user!.id }, clock.now);
    return sids;
  }

  it('both workers running rounds at once deliver each logout exactly once', async () => {
    const sids = await queueDeliveries(12);
    const before = a.receiver.received.length;
    await Promise.all([a.server.app.logoutDelivery!.runOnce(), b.app.logoutDelivery!.runOnce(), a.server.app.logoutDelivery!.runOnce(), b.app.logoutDelivery!.runOnce()]);
    const arrived = a.receiver.received.slice(before).map((r) => decodeJwt(r.logoutToken!).payload.sid);
    assert.deepEqual([...arrived].sort(), [...sids].sort(), 'each sid once');
  });

  it('an instance closed mid-delivery: its lease runs out, the other instance delivers, and exactly one delivery is acknowledged', async () => {
    const [sid] = await queueDeliveries(1);
    const before = a.receiver.received.length;
    a.receiver.script.push('hang');
    const roundA = a.server.app.logoutDelivery!.runOnce();
    await a.receiver.waitFor(before + 1);
    // Instance A goes away while its request is in flight: the receiver never answered it.
    await a.server.close();
    await roundA.catch(() => {});
    assert.equal(await b.app.logoutDelivery!.runOnce(), 0, 'still leased by the closed instance');
    clock.now += MANUAL.leaseSeconds!;
    assert.equal(await b.app.logoutDelivery!.runOnce(), 1);
    const forSid = a.receiver.received.slice(before).filter((r) => decodeJwt(r.logoutToken!).payload.sid === sid);
    assert.equal(forSid.length, 2, 'the abandoned request and the delivery');
    assert.equal(forSid.filter((r) => r.acknowledged).length, 1, 'exactly one delivery made');
    const row = (await b.store.listLogoutDeliveries({ limit: 50 })).find((d) => d.sid === sid)!;
    assert.equal(row.status, 'delivered');
    assert.equal(row.attempts, 1, 'the closed instance recorded nothing');
    assert.equal(await b.app.logoutDelivery!.runOnce(), 0, 'nothing left');
  });
});
