// Rate limits of the client-authenticated endpoints (RFC 9700 §4.10, brute force): the audit's attack, 120 wrong
// client secrets and 120 random tokens at /token, /introspect and /revoke, now answered 429 with Retry-After after
// the configured number of failures, shared by every instance through the store; other clients and addresses go on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomSecret } from '../../src/crypto/random.ts';
import { createServer } from '../../src/http/app.ts';
import { resolveConfig } from '../../src/config/config.ts';
import type { Store } from '../../src/store/store.ts';
import { addApi, addClient, addIntrospector, basic, form, FORM_HEADERS, startTestServer, TEST_ISSUER, TEST_SECRET, type TestServer } from '../helpers/test-server.ts';

const API = 'https://contacts.example';
// The test clock stands still, so the per-second limits (tested below) are off here.
const LIMITS = { failureLimitPerAddress: 20, failureLimitPerClient: 10, failureWindow: 60, requestsPerSecondPerAddress: 0, requestsPerSecondPerClient: 0 };
type Client = { id: string; secret: string };

describe('rate limits of /token, /introspect and /revoke', () => {
  let server: TestServer;
  let clock = 1_800_000_000;

  before(async () => {
    server = await startTestServer(LIMITS, { now: () => clock });
    await addApi(server, API, { 'contacts:read': 'read your contacts' });
  });
  after(() => server.close());

  const post = (url: string, body: Record<string, string>, authorization: string | undefined, remoteAddress: string, app = server.app) =>
    app.inject({ method: 'POST', url, remoteAddress, headers: { ...FORM_HEADERS, ...(authorization ? { authorization } : {}) }, payload: form(body) });
  const newClient = async (name: string): Promise<Client> => (await addClient(server, {
    name, redirectUris: [`https://${name}.example/cb`], grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'], scope: 'contacts:read',
  })) as Client;
  const clientToken = async (c: Client, address: string) => post('/token', { grant_type: 'client_credentials' }, basic(c.id, c.secret), address);

  function assertRateLimited(res: Awaited<ReturnType<typeof post>>, retryAfter: number, what: RegExp) {
    assert.equal(res.statusCode, 429, res.body);
    assert.equal(res.headers['retry-after'], String(retryAfter));
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.json().error, 'temporarily_unavailable');
    assert.match(res.json().error_description, what);
  }

  test('120 wrong client secrets from one address: 20 answered invalid_client, then 429 with Retry-After; the client itself, elsewhere, is unaffected', async () => {
    const victim = await newClient('victim');
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 120; i++) {
      last = await post('/token', { grant_type: 'client_credentials' }, basic(victim.id, randomSecret()), '10.1.0.1');
      statuses.push(last.statusCode);
    }
    assert.deepEqual(statuses, [...Array(20).fill(401), ...Array(100).fill(429)]);
    assertRateLimited(last!, 60, /failed requests from this address/);
    // Unknown client ids count the same way (and stop costing a database lookup once blocked).
    assertRateLimited(await post('/introspect', { token: 'x' }, basic('no-such-client', 'x'), '10.1.0.1'), 60, /this address/);
    assertRateLimited(await clientToken(victim, '10.1.0.1'), 60, /this address/);
    assert.equal((await clientToken(victim, '10.1.0.2')).statusCode, 200, 'the victim client at its own address works: a stranger cannot lock it out');
    clock += 30;
    assertRateLimited(await clientToken(victim, '10.1.0.1'), 30, /this address/);
    clock += 30;
    assert.equal((await clientToken(victim, '10.1.0.1')).statusCode, 200, 'the window ends by itself');
  });

  test('120 random tokens at /token, /introspect and /revoke from an authenticated client: 10 answered as usual, then 429 for that client everywhere; others go on', async () => {
    const guesser = await newClient('guesser');
    const answers: string[] = [];
    for (let i = 0; i < 40; i++) {
      for (const [url, body] of [['/token', { grant_type: 'refresh_token', refresh_token: randomSecret() }], ['/introspect', { token: randomSecret() }], ['/revoke', { token: randomSecret() }]] as const) {
        const res = await post(url, body, basic(guesser.id, guesser.secret), '10.2.0.1');
        answers.push(res.statusCode === 429 ? '429' : `${res.statusCode} ${res.body.replace(/,"request_id":"[0-9a-f-]{36}"/, '')}`);
      }
    }
    assert.deepEqual(answers.slice(0, 10), [
      '400 {"error":"invalid_grant","error_description":"the refresh token is invalid"}', '200 {"active":false}', '200 ',
      '400 {"error":"invalid_grant","error_description":"the refresh token is invalid"}', '200 {"active":false}', '200 ',
      '400 {"error":"invalid_grant","error_description":"the refresh token is invalid"}', '200 {"active":false}', '200 ',
      '400 {"error":"invalid_grant","error_description":"the refresh token is invalid"}',
    ]);
    assert.deepEqual(answers.slice(10), Array(110).fill('429'));
    assertRateLimited(await post('/introspect', { token: 'x' }, basic(guesser.id, guesser.secret), '10.2.0.99'), 60, /failed requests from this client/);

    const honest = await newClient('honest');
    const sameAddress = await clientToken(honest, '10.2.0.1');
    assert.equal(sameAddress.statusCode, 200, 'another client at the same address is below the address limit');
    const token = sameAddress.json().access_token as string;
    assert.equal((await post('/introspect', { token }, basic(honest.id, honest.secret), '10.2.0.2')).json().active, true);
    assert.equal((await post('/revoke', { token }, basic(honest.id, honest.secret), '10.2.0.2')).statusCode, 200);
    clock += 60;
  });

  test("introspection stays uniform: unknown and another client's tokens are both {\"active\":false} and both counted; an introspector's revoked tokens are not", async () => {
    const owner = await newClient('owner');
    const rs = await newClient('rs');
    const prober = await newClient('prober');
    await addIntrospector(server, API, rs.id);
    const token = (await clientToken(owner, '10.3.0.1')).json().access_token as string;
    assert.equal((await post('/revoke', { token }, basic(owner.id, owner.secret), '10.3.0.1')).statusCode, 200);
    for (let i = 0; i < 30; i++) {
      const res = await post('/introspect', { token }, basic(rs.id, rs.secret), '10.3.0.2');
      assert.equal(res.body, '{"active":false}', 'an API keeps being sent revoked tokens: that is no guess');
    }
    const live = (await clientToken(owner, '10.3.0.1')).json().access_token as string;
    const bodies: string[] = [];
    for (let i = 0; i < 5; i++) {
      bodies.push((await post('/introspect', { token: live }, basic(prober.id, prober.secret), '10.3.0.3')).body);
      bodies.push((await post('/introspect', { token: randomSecret() }, basic(prober.id, prober.secret), '10.3.0.3')).body);
    }
    assert.deepEqual(bodies, Array(10).fill('{"active":false}'));
    assertRateLimited(await post('/introspect', { token: live }, basic(prober.id, prober.secret), '10.3.0.3'), 60, /this client/);
    clock += 60;
  });

  test('a successful client_credentials request touches no database: the limits are checked in memory', async () => {
    const calls: string[] = [];
    const counting = new Proxy(server.store as Store, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        return typeof value === 'function' ? (...args: unknown[]) => { calls.push(String(name)); return value.apply(target, args); } : value;
      },
    });
    const config = resolveConfig({ dev: true, secret: TEST_SECRET, issuer: TEST_ISSUER, databaseUrl: 'sqlite::memory:', logLevel: 'silent', ...LIMITS });
    const app = await createServer(config, { store: counting, now: () => clock, cacheSyncIntervalMs: 60_000 });
    try {
      const client = await newClient('fast');
      assert.equal((await post('/token', { grant_type: 'client_credentials' }, basic(client.id, client.secret), '10.4.0.1', app)).statusCode, 200);
      calls.length = 0;
      for (let i = 0; i < 5; i++) assert.equal((await post('/token', { grant_type: 'client_credentials' }, basic(client.id, client.secret), '10.4.0.1', app)).statusCode, 200);
      assert.deepEqual(calls, []);
      assert.equal((await post('/token', { grant_type: 'client_credentials' }, basic(client.id, 'wrong'), '10.4.0.1', app)).statusCode, 401);
      assert.deepEqual(calls, ['recordFailure'], 'a failure is one upsert per counter');
    } finally {
      await app.close();
    }
  });

  test('failures are shared by instances: past the limit at one, another lets at most one more through', async () => {
    const config = resolveConfig({ dev: true, secret: TEST_SECRET, issuer: TEST_ISSUER, databaseUrl: 'sqlite::memory:', logLevel: 'silent', ...LIMITS });
    const second = await createServer(config, { store: server.store, now: () => clock, cacheSyncIntervalMs: 60_000 });
    try {
      const client = await newClient('shared');
      for (let i = 0; i < 20; i++) assert.equal((await post('/revoke', { token: 'x' }, basic(client.id, 'wrong'), '10.5.0.1')).statusCode, 401);
      assert.equal((await post('/revoke', { token: 'x' }, basic(client.id, 'wrong'), '10.5.0.1')).statusCode, 429);
      assert.equal((await post('/revoke', { token: 'x' }, basic(client.id, 'wrong'), '10.5.0.1', second)).statusCode, 401, 'the other instance learns at its first failure');
      assertRateLimited(await post('/revoke', { token: 'x' }, basic(client.id, client.secret), '10.5.0.1', second), 60, /this address/);
    } finally {
      await second.close();
      clock += 60;
    }
  });
});

describe('requests per second (in memory, per instance)', () => {
  let server: TestServer;
  const clock = { now: 1_800_000_000 };
  before(async () => {
    server = await startTestServer({ requestsPerSecondPerAddress: 5, requestsPerSecondPerClient: 3 }, { now: () => clock.now });
    await addApi(server, API, { 'contacts:read': 'read your contacts' });
  });
  after(() => server.close());

  test('per address and per authenticated confidential client: 429 with Retry-After: 1, the next second is open again', async () => {
    const a = (await addClient(server, { name: 'a', scope: 'contacts:read' })) as Client;
    const b = (await addClient(server, { name: 'b', scope: 'contacts:read' })) as Client;
    const token = (c: Client, address: string) => server.app.inject({ method: 'POST', url: '/token', remoteAddress: address, headers: { ...FORM_HEADERS, authorization: basic(c.id, c.secret) }, payload: form({ grant_type: 'client_credentials' }) });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await token(a, `10.6.0.${i}`)).statusCode);
    assert.deepEqual(statuses, [200, 200, 200, 429], 'client a: 3 per second, from any address');
    const limited = await token(a, '10.6.0.9');
    assert.equal(limited.headers['retry-after'], '1');
    assert.match(limited.json().error_description, /requests from this client/);
    for (let i = 0; i < 3; i++) assert.equal((await token(b, '10.6.1.1')).statusCode, 200);
    const perAddress = [];
    for (let i = 0; i < 3; i++) perAddress.push((await server.app.inject({ method: 'POST', url: '/introspect', remoteAddress: '10.6.1.1', headers: FORM_HEADERS, payload: 'token=x' })).statusCode);
    assert.deepEqual(perAddress, [401, 401, 429], 'address 10.6.1.1: 5 per second, whatever the client');
    clock.now += 1;
    assert.equal((await token(a, '10.6.0.0')).statusCode, 200);
  });
});
