// RFC 9449 §11.1 replay cache: a jti is accepted once while live, again after expiry, and the cache stays bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryReplayCache } from '../src/dpop-replay-cache.ts';

test('a jti is accepted once; a replay before its expiry is refused; after expiry it is new again', () => {
  let now = 1000;
  const cache = createMemoryReplayCache(10, () => now);
  assert.equal(cache.add('a', 1060), true);
  assert.equal(cache.add('a', 1060), false);
  now = 1061;
  assert.equal(cache.add('a', 1121), true);
});

test('the cache holds at most maxEntries: expired entries go first, then the oldest live one', () => {
  let now = 1000;
  const cache = createMemoryReplayCache(2, () => now);
  cache.add('old', 1010);
  cache.add('b', 1100);
  now = 1020; // 'old' expired: it is evicted, 'b' stays
  cache.add('c', 1100);
  assert.equal(cache.add('b', 1100), false);
  assert.equal(cache.add('c', 1100), false);
  cache.add('d', 1100); // full of live entries: the oldest ('b') is dropped
  assert.equal(cache.add('c', 1100), false);
  assert.equal(cache.add('d', 1100), false);
});
