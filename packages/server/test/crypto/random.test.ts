// Random identifiers and secrets: base64url of the requested size, and never starting with "-" (a value pasted
// after a CLI command must not read as an option: `latchkey client rotate-secret -Xy…` failed 1 time in 64).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashSecret, randomId, randomSecret, secretMatchesHash } from '../../src/crypto/random.ts';

test('10,000 client ids and secrets: none starts with "-", all base64url of the right length, no repeats', () => {
  const ids = new Set<string>();
  for (let i = 0; i < 10_000; i += 1) {
    const id = randomId();
    const secret = randomSecret();
    assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    assert.match(secret, /^[A-Za-z0-9_][A-Za-z0-9_-]{42}$/);
    ids.add(id);
  }
  assert.equal(ids.size, 10_000);
});

test('a secret matches only its own hash', () => {
  const secret = randomSecret();
  assert.ok(secretMatchesHash(secret, hashSecret(secret)));
  assert.ok(!secretMatchesHash(`${secret}x`, hashSecret(secret)));
});
