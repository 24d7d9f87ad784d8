// The RFC 7662 result cache: keyed by SHA-256 digests of tokens, expiring, bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createIntrospectionCache } from '../src/introspection-cache.ts';

const START_MS = 1_700_000_000_000;

test('cache keys are SHA-256 digests of the token, never the token itself', () => {
  const cache = createIntrospectionCache<string>(10, () => START_MS);
  const token = 'eyJhbGciOiJFUzI1NiJ9.secret-token.sig';
  cache.set(token, 'value', START_MS + 1000);
  assert.deepEqual(cache.keys(), [createHash('sha256').update(token).digest('base64url')]);
  assert.ok(!cache.keys().some((key) => key.includes('secret-token')));
  assert.equal(cache.get(token), 'value');
});

test('an entry is gone at its expiry, and one already expired is never stored', () => {
  let now = START_MS;
  const cache = createIntrospectionCache<string>(10, () => now);
  cache.set('a', 'value', START_MS + 1000);
  cache.set('b', 'value', START_MS);
  assert.equal(cache.size, 1);
  now = START_MS + 1000;
  assert.equal(cache.get('a'), undefined);
});
