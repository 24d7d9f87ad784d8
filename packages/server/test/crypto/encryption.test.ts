// AES-256-GCM sealing of private keys: tampering, moving a ciphertext to another record, or a different secret all fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecretBox } from '../../src/crypto/encryption.ts';
import { hashSecret, randomSecret, secretMatchesHash } from '../../src/crypto/random.ts';

const SECRET = 'a-master-secret-of-at-least-32-characters!!';

test('seal then open returns the plaintext, and the ciphertext does not contain it', () => {
  const box = new SecretBox(SECRET, 'signing-keys');
  const sealed = box.seal('{"d":"very-private"}', 'kid-1');
  assert.ok(!sealed.includes('very-private'));
  assert.equal(box.open(sealed, 'kid-1'), '{"d":"very-private"}');
  assert.notEqual(box.seal('same', 'kid-1'), box.seal('same', 'kid-1'), 'a fresh IV each time');
});

test('a tampered ciphertext, another record id, another purpose or another secret cannot open it', () => {
  const box = new SecretBox(SECRET, 'signing-keys');
  const sealed = box.seal('private', 'kid-1');
  const parts = sealed.split('.');
  const body = Buffer.from(parts[2]!, 'base64url');
  body[0] = body[0]! ^ 1;
  const tampered = [parts[0], parts[1], body.toString('base64url'), parts[3]].join('.');
  assert.throws(() => box.open(tampered, 'kid-1'), /cannot decrypt/);
  assert.throws(() => box.open(sealed, 'kid-2'), /cannot decrypt/);
  assert.throws(() => new SecretBox(SECRET, 'other-purpose').open(sealed, 'kid-1'), /cannot decrypt/);
  assert.throws(() => new SecretBox(`${SECRET}x`, 'signing-keys').open(sealed, 'kid-1'), /cannot decrypt/);
});

test('random secrets are 256-bit and compared through their hashes', () => {
  const secret = randomSecret();
  assert.equal(Buffer.from(secret, 'base64url').length, 32);
  const hash = hashSecret(secret);
  assert.ok(secretMatchesHash(secret, hash));
  assert.ok(!secretMatchesHash(`${secret}x`, hash));
  assert.ok(!secretMatchesHash('', hash));
});
