// Issue 18: /readyz says which dependency failed: {"status":"unavailable","checks":{"store":"unreachable",...}}.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkReadiness } from '../../src/endpoints/readiness.ts';
import { KeyRing } from '../../src/keys/key-ring.ts';
import { openStore } from '../../src/store/open-store.ts';
import { startTestServer, TEST_SECRET } from '../helpers/test-server.ts';

test('a closed store: 503 naming the store as unreachable, the keys as fine, and no internals', async () => {
  const server = await startTestServer();
  try {
    await server.store.close();
    const response = await server.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(response.statusCode, 503);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.deepEqual(response.json(), { status: 'unavailable', checks: { store: 'unreachable', signing_keys: 'ok' } });
    assert.ok(server.logs.some((line) => line.includes('"msg":"not ready"')), 'the reason is logged');
    assert.equal((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  } finally {
    await server.app.close();
  }
});

test('a store that does not answer within the deadline is a timeout; no active key for access tokens is missing', async () => {
  const store = openStore('sqlite::memory:');
  await store.migrate();
  try {
    const keys = new KeyRing(store, TEST_SECRET, { leadSeconds: 3600, retiredKeySeconds: 1200, rotationIntervals: {} }, () => 1_900_000_000); // never loaded: no signer
    const config = { accessTokenAlg: 'ES256' as const };
    const stalled = { ping: () => new Promise<void>(() => {}) };
    assert.deepEqual(await checkReadiness({ store: stalled, keys, config }, 20).then((r) => r.checks), { store: 'timeout', signing_keys: 'missing' });
    await keys.ensureInitialKeys(1_900_000_000);
    await keys.load(1_900_000_000);
    const ready = await checkReadiness({ store, keys, config });
    assert.deepEqual(ready, { status: 'ready', checks: { store: 'ok', signing_keys: 'ok' } });
  } finally {
    await store.close();
  }
});
