// The five secret columns of a session row: each bound to its row and column (AES-GCM associated data), kept
// ciphertexts re-encrypted under the current key only when an older key wrote them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenCipher, generateEncryptionKey } from '../src/token-encryption.ts';
import { kept, keptSecrets, openSessionSecret, sealSessionSecrets, sealedWithCurrentKey } from '../src/session-secrets.ts';

const oldKey = { kid: 'old', key: generateEncryptionKey() };
const newKey = { kid: 'new', key: generateEncryptionKey() };
const secrets = { accessToken: 'at', refreshToken: 'rt', idToken: null, profile: '{"sub":"a"}', audienceTokens: null, dpopKey: null };

test('every column opens to what was sealed; null stays null', () => {
  const cipher = new TokenCipher([newKey]);
  const row = { id: 's1', ...sealSessionSecrets(cipher, 's1', secrets) };
  assert.equal(openSessionSecret(cipher, row, 'accessToken'), 'at');
  assert.equal(openSessionSecret(cipher, row, 'refreshToken'), 'rt');
  assert.equal(openSessionSecret(cipher, row, 'idToken'), null);
  assert.equal(openSessionSecret(cipher, row, 'profile'), '{"sub":"a"}');
});

test('a ciphertext moved to another column or another session does not open', () => {
  const cipher = new TokenCipher([newKey]);
  const row = { id: 's1', ...sealSessionSecrets(cipher, 's1', secrets) };
  assert.throws(() => openSessionSecret(cipher, { ...row, accessToken: row.refreshToken! }, 'accessToken'));
  assert.throws(() => openSessionSecret(cipher, { ...row, id: 's2' }, 'accessToken'));
});

test('kept columns are left alone under the current key and re-encrypted from an older one', () => {
  const before = new TokenCipher([oldKey]);
  const row = { id: 's1', ...sealSessionSecrets(before, 's1', secrets) };
  const rotated = new TokenCipher([newKey, oldKey]);
  assert.equal(sealedWithCurrentKey(rotated, row), false);
  const rewritten = { id: 's1', ...sealSessionSecrets(rotated, 's1', keptSecrets(row)) };
  assert.equal(sealedWithCurrentKey(rotated, rewritten), true);
  assert.equal(openSessionSecret(new TokenCipher([newKey]), rewritten, 'refreshToken'), 'rt');
  assert.equal(sealSessionSecrets(rotated, 's1', { ...secrets, accessToken: kept(rewritten.accessToken) }).accessToken, rewritten.accessToken);
});
