// AES-256-GCM tokens at rest (NIST SP 800-38D): round trip, AAD binding, tampering, key ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenCipher, generateEncryptionKey } from '../src/token-encryption.ts';

test('TokenCipher: round trip, AAD binding, tamper detection, unknown kid, key format', () => {
  const key = generateEncryptionKey();
  const cipher = new TokenCipher([{ kid: 'a', key }]);
  const sealed = cipher.encrypt('secret-token', 'session:1:access_token');
  assert.match(sealed, /^v1\.a\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
  assert.notEqual(cipher.encrypt('secret-token', 'x'), cipher.encrypt('secret-token', 'x'), 'random IV per encryption');
  assert.equal(cipher.decrypt(sealed, 'session:1:access_token'), 'secret-token');
  assert.throws(() => cipher.decrypt(sealed, 'session:2:access_token'), /unable to authenticate|auth/i);
  const parts = sealed.split('.');
  const body = Buffer.from(parts[3]!, 'base64url');
  body[0]! ^= 1;
  assert.throws(() => cipher.decrypt([...parts.slice(0, 3), body.toString('base64url')].join('.'), 'session:1:access_token'));
  assert.throws(() => new TokenCipher([{ kid: 'b', key: generateEncryptionKey() }]).decrypt(sealed, 'x'), /"a", which is not configured/);
  assert.throws(() => new TokenCipher([]), /at least one key/);
  assert.throws(() => new TokenCipher([{ kid: 'a', key: 'c2hvcnQ' }]), /32 bytes/);
  assert.throws(() => new TokenCipher([{ kid: 'a.b', key }]), /kid/);
  assert.throws(() => new TokenCipher([{ kid: 'a', key }, { kid: 'a', key }]), /duplicate/);
});
