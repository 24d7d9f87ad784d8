// OIDC Core §12.2: a refreshed ID token must describe the original authentication.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changedPinnedClaims } from '../src/refreshed-identity.ts';

const original = { iss: 'https://id.example', sub: 'alice', aud: ['app', 'x'], azp: 'app', auth_time: 100 };

test('the same authentication: nothing changed (aud compared as a set)', () => {
  assert.deepEqual(changedPinnedClaims(original, { ...original, aud: ['x', 'app', 'app'], iat: 200 }), []);
  assert.deepEqual(changedPinnedClaims({ ...original, auth_time: undefined }, { ...original, auth_time: 5 }), []);
});

test('another user, issuer, audience, azp or auth_time is named', () => {
  assert.deepEqual(changedPinnedClaims(original, { ...original, sub: 'mallory', iss: 'https://evil.example' }), ['iss', 'sub']);
  assert.deepEqual(changedPinnedClaims(original, { ...original, aud: 'app', azp: undefined, auth_time: 101 }), ['aud', 'azp', 'auth_time']);
});
