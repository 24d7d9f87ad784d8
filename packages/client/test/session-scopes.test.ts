// The one scope rule of the kit (RFC 6749 §3.3): exact matches, and what a guard throws for each kind of session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSession, missingScopes, parseScopes, unionScopes } from '../src/session-scopes.ts';

test('scopes match exactly, never as a prefix or substring', () => {
  assert.deepEqual(missingScopes(['orders:read', 'readonly'], ['orders', 'read', 'orders:read']), ['orders', 'read']);
  assert.deepEqual(parseScopes(' a  b a '), ['a', 'b']);
  assert.deepEqual(unionScopes(['a', 'b'], ['b', 'c']), ['a', 'b', 'c']);
});

test('checkSession: no session, a session whose refresh was refused, missing scopes, each its own error', () => {
  const session = { reauthenticationRequired: false, scopes: ['openid', 'orders:read'] };
  assert.throws(() => checkSession(null, []), { code: 'ERR_NOT_AUTHENTICATED', status: 401 });
  assert.throws(() => checkSession({ ...session, reauthenticationRequired: true }, []), { code: 'ERR_REAUTHENTICATION_REQUIRED', status: 401 });
  assert.throws(() => checkSession(session, ['orders:write', 'orders:read']), { code: 'ERR_INSUFFICIENT_SCOPE', status: 403, missingScopes: ['orders:write'] });
  checkSession(session, ['orders:read']);
  checkSession(session);
});
