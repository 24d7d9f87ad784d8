// RFC 9449 §8 server nonces: stateless, so every instance with the same LATCHKEY_SECRET accepts every other's, for 60
// to 120 seconds; a nonce of another secret, an older one, or a made-up one is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DpopNonces } from '../../src/oauth/dpop-nonce.ts';
import { boundThumbprint } from '../../src/oauth/dpop-proof.ts';

const SECRET = 'a-secret-that-is-long-enough-0123456789';
const NOW = 1_900_000_020; // 20 seconds into a 60-second window

test('a nonce from one instance is accepted by another with the same secret, in this window and the next', () => {
  const nonce = new DpopNonces(SECRET).current(NOW);
  const other = new DpopNonces(SECRET);
  assert.equal(other.isValid(nonce, NOW), true);
  assert.equal(other.isValid(nonce, NOW + 60), true, 'the previous window is still accepted');
  assert.equal(other.isValid(nonce, NOW + 120), false, 'two windows later it has expired');
  assert.equal(other.isValid(nonce, NOW - 60), false, 'a nonce from the future is no nonce');
});

test('a nonce made with another secret, a made-up one, or a non-string is refused', () => {
  const nonces = new DpopNonces(SECRET);
  assert.equal(nonces.isValid(new DpopNonces(`${SECRET}-other`).current(NOW), NOW), false);
  assert.equal(nonces.isValid('A'.repeat(32), NOW), false);
  assert.equal(nonces.isValid(undefined, NOW), false);
  assert.equal(nonces.isValid(42, NOW), false);
  assert.notEqual(nonces.current(NOW), nonces.current(NOW + 60), 'a new nonce every window');
});

test('boundThumbprint reads cnf.jkt and nothing else', () => {
  assert.equal(boundThumbprint({ cnf: { jkt: 'abc' } }), 'abc');
  assert.equal(boundThumbprint({}), undefined);
  assert.equal(boundThumbprint({ cnf: { 'x5t#S256': 'abc' } }), undefined);
  assert.equal(boundThumbprint({ cnf: 'abc' }), undefined);
});
