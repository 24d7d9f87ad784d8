// Passwords: argon2id with OWASP parameters; an unknown user costs the same argon2id work as a wrong password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import argon2 from 'argon2';
import { hashPassword, passwordProblem, timingEqualiserHash, verifyPassword } from '../../src/accounts/password-hashing.ts';

const params = (hash: string) => hash.split('$').slice(1, 4).join('$');

test('passwords are hashed with argon2id, m=19 MiB, t=2, p=1, with a fresh salt each time', async () => {
  const a = await hashPassword('correct horse battery staple');
  const b = await hashPassword('correct horse battery staple');
  assert.equal(params(a), 'argon2id$v=19$m=19456,p=1,t=2');
  assert.notEqual(a, b);
  assert.equal(await verifyPassword(a, 'correct horse battery staple'), true);
  assert.equal(await verifyPassword(a, 'correct horse battery stapl'), false);
  assert.equal(await verifyPassword('not-a-hash', 'x'), false);
});

test('an unknown user is checked against a hash with exactly the same parameters, and never matches', async () => {
  const real = await hashPassword('anything at all');
  const equaliser = await timingEqualiserHash();
  assert.equal(params(equaliser), params(real), 'same algorithm and cost as a real password hash');
  assert.equal(await argon2.verify(equaliser, 'anything'), false, 'a well-formed hash: verifying against it does the full work, it does not fail fast');
  assert.equal(await verifyPassword(undefined, 'latchkey-timing-equaliser'), false, 'even its own input is refused');
  assert.equal(await verifyPassword(undefined, ''), false);
});

test('password length rules', () => {
  assert.match(passwordProblem('short') ?? '', /at least 8/);
  assert.match(passwordProblem('x'.repeat(1025)) ?? '', /at most 1024/);
  assert.equal(passwordProblem('long enough'), undefined);
});
