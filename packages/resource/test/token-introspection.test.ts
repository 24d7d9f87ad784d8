// RFC 7662 client details with a fake clock: client_secret_basic encoding, cache TTL capped by exp, bounded size, digest keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTokenIntrospector } from '../src/token-introspection.ts';
import type { FetchLike } from '../src/fetch-with-timeout.ts';

const START_MS = 1_700_000_000_000;
const START_SECONDS = START_MS / 1000;

function harness(answer: (token: string) => Record<string, unknown>, options: { cacheTtlSeconds?: number; maxCacheEntries?: number } = {}) {
  const clock = { now: START_MS };
  const requests: { url: string; init: RequestInit }[] = [];
  const fetch: FetchLike = async (url, init) => {
    requests.push({ url, init });
    const token = new URLSearchParams(String(init.body)).get('token') ?? '';
    return Response.json(answer(token));
  };
  const introspector = createTokenIntrospector({
    clientId: 'resource:api',
    clientSecret: 'p@ss word',
    ...options,
    endpoint: async () => 'https://as.example/introspect',
    fetch,
    timeoutMs: 1000,
    now: () => clock.now,
  });
  return { clock, requests, introspector };
}

test('sends an RFC 7662 §2.1 POST with client_secret_basic, form-encoding id and secret first (RFC 6749 §2.3.1)', async () => {
  const { requests, introspector } = harness(() => ({ active: true }));
  await introspector.introspect('tok-1');
  const [request] = requests;
  assert.equal(request?.url, 'https://as.example/introspect');
  assert.equal(request?.init.method, 'POST');
  const headers = new Headers(request?.init.headers);
  assert.equal(headers.get('authorization'), `Basic ${Buffer.from('resource%3Aapi:p%40ss+word').toString('base64')}`);
  assert.equal(headers.get('content-type'), 'application/x-www-form-urlencoded');
  assert.equal(request?.init.body, 'token=tok-1&token_type_hint=access_token');
});

test('results are reused for cacheTtlSeconds, then fetched again', async () => {
  const { clock, requests, introspector } = harness(() => ({ active: true }), { cacheTtlSeconds: 60 });
  await introspector.introspect('tok-1');
  clock.now = START_MS + 59_000;
  await introspector.introspect('tok-1');
  assert.equal(requests.length, 1);
  clock.now = START_MS + 61_000;
  await introspector.introspect('tok-1');
  assert.equal(requests.length, 2);
});

test('a cached result never outlives the token exp (from local claims or from the response)', async () => {
  const { clock, requests, introspector } = harness((token) => (
    token === 'response-exp' ? { active: true, exp: START_SECONDS + 10 } : { active: true }
  ), { cacheTtlSeconds: 60 });
  await introspector.introspect('local-exp', START_SECONDS + 10);
  await introspector.introspect('response-exp');
  clock.now = START_MS + 9_000;
  await introspector.introspect('local-exp', START_SECONDS + 10);
  await introspector.introspect('response-exp');
  assert.equal(requests.length, 2);
  clock.now = START_MS + 11_000;
  await introspector.introspect('local-exp', START_SECONDS + 10);
  await introspector.introspect('response-exp');
  assert.equal(requests.length, 4);
});

test('inactive answers are cached and rethrown as ERR_TOKEN_INACTIVE', async () => {
  const { requests, introspector } = harness(() => ({ active: false }));
  for (let index = 0; index < 3; index += 1) {
    await assert.rejects(introspector.introspect('revoked'), { code: 'ERR_TOKEN_INACTIVE' });
  }
  assert.equal(requests.length, 1);
});

test('concurrent checks of one token share a single request', async () => {
  const { requests, introspector } = harness(() => ({ active: true }));
  await Promise.all(Array.from({ length: 10 }, () => introspector.introspect('busy-token')));
  assert.equal(requests.length, 1);
});

test('cacheTtlSeconds 0 disables caching', async () => {
  const { requests, introspector } = harness(() => ({ active: true }), { cacheTtlSeconds: 0 });
  await introspector.introspect('tok-1');
  await introspector.introspect('tok-1');
  assert.equal(requests.length, 2);
});

test('the cache is bounded: the least recently used entry is evicted', async () => {
  const { requests, introspector } = harness(() => ({ active: true }), { maxCacheEntries: 2 });
  await introspector.introspect('a');
  await introspector.introspect('b');
  await introspector.introspect('a');
  await introspector.introspect('c');
  assert.equal(requests.length, 3);
  await introspector.introspect('a');
  assert.equal(requests.length, 3, 'a was used recently and stayed');
  await introspector.introspect('b');
  assert.equal(requests.length, 4, 'b was evicted');
});

test('a response without a boolean active member is an error, not an active token', async () => {
  const { introspector } = harness(() => ({ active: 'true' }));
  await assert.rejects(introspector.introspect('tok-1'), { code: 'ERR_INTROSPECTION' });
});
